/**
 * OHIP's collection paging: `limit` and `offset` (the index of the first row asked for) in the
 * query; `hasMore`, `count`, `totalResults` in the answer; 204 when nothing matches. The next page
 * starts after the rows actually received (OPERA may return fewer than asked), and the read ends
 * when `hasMore` is false or absent ("absence ... should be considered as all rows fetched").
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import { OPERA_VENDOR } from './errors';

export const OPERA_PAGE_SIZE = 100;
/** A safety bound, never a guess at the end: a listing this long is a loop, not a hotel. */
export const OPERA_MAX_PAGES = 200;

export interface OperaPage<T> {
  rows: T[];
  hasMore: boolean;
}

/** Reads every page: `fetch(offset, limit)` returns one page, or null for a 204. */
export async function readAllPages<T>(
  operation: string,
  fetch: (offset: number, limit: number) => Promise<OperaPage<T> | null>,
  pageSize = OPERA_PAGE_SIZE,
): Promise<T[]> {
  const rows: T[] = [];
  for (let pages = 0; ; pages++) {
    if (pages >= OPERA_MAX_PAGES) throw pagingFailure(operation, `more than ${OPERA_MAX_PAGES} pages`);
    const page = await fetch(rows.length, pageSize);
    if (page === null) return rows;
    rows.push(...page.rows);
    if (!page.hasMore) return rows;
    if (page.rows.length === 0) throw pagingFailure(operation, 'an empty page that claims more rows');
  }
}

function pagingFailure(operation: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: `${OPERA_VENDOR} ${operation}: ${message}` });
}
