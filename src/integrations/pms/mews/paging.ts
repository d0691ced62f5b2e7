/**
 * Mews' cursor paging (guidelines/pagination.md): `Limitation: {Count, Cursor}` is required on
 * every getAll; an answer's `Cursor` names its last (oldest) item and goes into the next
 * request. The end is a null Cursor or a page shorter than Count.
 */
import { vendorFailure } from '../../http';
import { FailureType } from '../../../domain/failure-types';
import type { MewsClient } from './client';
import { MEWS_KEY } from './errors';
import { MEWS_API_PATH } from './client';

/** Mews allows 1..1000 per page. */
export const MEWS_PAGE_SIZE = 1000;

/** Pages read before giving up: a safety bound against a cursor that never ends, never a guess at the end. */
const MAX_PAGES = 500;

export interface PageOptions {
  /** Items per page (1..1000). */
  count?: number;
  /** Stop once this many items came back (a single-record look-up). */
  limit?: number;
}

/** Every item of `listKey` across all pages of one getAll. */
export async function getAllPages<T>(client: MewsClient, operation: string, filter: Record<string, unknown>, listKey: string, options: PageOptions = {}): Promise<T[]> {
  const count = options.count ?? MEWS_PAGE_SIZE;
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer: Record<string, unknown> = await client.call<Record<string, unknown>>(operation, { ...filter, Limitation: { Count: count, Cursor: cursor } });
    const batch = answer[listKey];
    const next: unknown = answer.Cursor;
    if (!Array.isArray(batch) || (next !== null && next !== undefined && typeof next !== 'string')) {
      throw unreadable(operation, `expected ${listKey} and Cursor`);
    }
    items.push(...(batch as T[]));
    if (options.limit !== undefined && items.length >= options.limit) return items;
    if (next === null || next === undefined || batch.length < count) return items;
    if (next === cursor) throw unreadable(operation, 'the cursor did not move');
    cursor = next;
  }
  throw unreadable(operation, `more than ${MAX_PAGES} pages`);
}

function unreadable(operation: string, message: string): Error {
  return vendorFailure({
    type: FailureType.VendorUnavailable,
    message,
    retryable: true,
    details: { vendor: MEWS_KEY, method: 'POST', path: `${MEWS_API_PATH}/${operation}`, ambiguous: false },
  });
}
