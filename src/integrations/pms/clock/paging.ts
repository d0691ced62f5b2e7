/**
 * Clock's booking index answers ids, a page at a time (`page` from 1, `per_page`); a page shorter
 * than asked is the last. The records are then read one by one. A page that adds no id Relay has
 * not seen also ends the listing, so an index that ignores paging cannot loop.
 */
import { FailureType } from '../../../domain/failure-types';
import { vendorFailure } from '../../http';
import type { ClockClient, ClockQuery } from './client';
import { CLOCK_KEY } from './errors';

/** Ids per page Relay asks for. */
export const CLOCK_PAGE_SIZE = 100;

/** Pages read before giving up: a bound against an index that never ends, never a guess at the end. */
const MAX_PAGES = 200;

function idOf(item: unknown): number | undefined {
  if (typeof item === 'number' && Number.isInteger(item)) return item;
  if (typeof item === 'string' && /^\d+$/.test(item)) return Number(item);
  if (typeof item === 'object' && item !== null) return idOf((item as { id?: unknown }).id);
  return undefined;
}

/** Every booking id the index lists for `filter`, in Clock's order. */
export async function bookingIds(client: ClockClient, filter: ClockQuery, perPage = CLOCK_PAGE_SIZE): Promise<number[]> {
  const ids: number[] = [];
  const seen = new Set<number>();
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { body } = await client.call<unknown>({ method: 'GET', path: 'bookings/', query: { ...filter, page, per_page: perPage }, operation: 'bookings - LIST VIEW', write: false });
    const batch = Array.isArray(body) ? body.map(idOf) : undefined;
    if (!batch || batch.some((v) => v === undefined)) throw unreadable('the booking index is not a list of ids');
    const fresh = (batch as number[]).filter((v) => !seen.has(v));
    for (const v of fresh) {
      seen.add(v);
      ids.push(v);
    }
    if (batch.length < perPage || fresh.length === 0) return ids;
  }
  throw unreadable(`more than ${MAX_PAGES} pages of bookings`);
}

function unreadable(message: string): Error {
  return vendorFailure({
    type: FailureType.VendorUnavailable,
    message,
    retryable: true,
    details: { vendor: CLOCK_KEY, method: 'GET', path: 'bookings/', ambiguous: false },
  });
}
