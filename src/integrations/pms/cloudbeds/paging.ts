/**
 * Cloudbeds' list paging: `pageNumber` (from 1) and `pageSize` (at most 100 for reservations and
 * transactions) in the query; `count` (rows in this page) and `total` (rows matching) beside
 * `data`. The read ends at a short page or once `total` rows came back.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import { CLOUDBEDS_VENDOR } from './errors';
import type { WireEnvelope } from './wire';

export const CLOUDBEDS_PAGE_SIZE = 100;
/** A safety bound, never a guess at the end: a listing this long is a loop, not a hotel. */
export const CLOUDBEDS_MAX_PAGES = 500;

/** Every row of a paged list; `fetch(pageNumber, pageSize)` reads one page. */
export async function readAllPages<T>(operation: string, fetch: (pageNumber: number, pageSize: number) => Promise<WireEnvelope<T[]>>, pageSize = CLOUDBEDS_PAGE_SIZE): Promise<T[]> {
  const rows: T[] = [];
  for (let page = 1; page <= CLOUDBEDS_MAX_PAGES; page++) {
    const answer = await fetch(page, pageSize);
    const data = answer.data ?? [];
    if (!Array.isArray(data)) throw pagingFailure(operation, 'data is not a list');
    rows.push(...data);
    const total = Number(answer.total);
    if (data.length < pageSize || (Number.isFinite(total) && rows.length >= total)) return rows;
  }
  throw pagingFailure(operation, `more than ${CLOUDBEDS_MAX_PAGES} pages`);
}

function pagingFailure(operation: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: `${CLOUDBEDS_VENDOR} ${operation}: ${message}` });
}
