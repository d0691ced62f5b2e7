import type { PmsFetchResult } from '../../../domain/pms/fetch';
import { NotFoundError } from '../../../errors';
import type { PmsOutcome } from '../../../temporal/starters/pms-outcome';
import { problemError } from './problems';

/**
 * The ADR's read path: a cached copy younger than its data type's TTL is answered as it is;
 * otherwise the PMS is asked (through a workflow on the PMS queue), the cache upserted and the
 * fresh copy answered. A PMS that cannot answer leaves the cached copy, marked stale with its
 * age; only with nothing cached does the caller get the problem (503, or 404 for an id the PMS
 * does not know).
 */

export interface Freshness {
  stale: boolean;
  syncedAt: string;
  staleReason?: string;
}

export interface ReadThrough<T> {
  /** The cached copy and when the PMS last showed it; undefined when nothing is cached. */
  cached(): Promise<{ value: T; syncedAt: Date } | undefined>;
  ttlMs: number;
  /** Asks the PMS into the cache. */
  fetch(): Promise<PmsOutcome<PmsFetchResult>>;
  /** What the PMS answered, as a 404 when it has none (e.g. "No guest g-1 at Hotel X"). */
  notFound: string;
  /** False for lists: an empty answer is an answer. */
  expectsRecord: boolean;
}

export async function readThrough<T>(read: ReadThrough<T>): Promise<{ value: T } & Freshness> {
  const before = await read.cached();
  if (before && Date.now() - before.syncedAt.getTime() < read.ttlMs) return { value: before.value, stale: false, syncedAt: before.syncedAt.toISOString() };
  const outcome = await read.fetch();
  if (outcome.ok) {
    if (read.expectsRecord && outcome.value.vendorIds.length === 0) throw new NotFoundError(read.notFound, { source: 'pms' });
    const after = await read.cached();
    if (after) return { value: after.value, stale: false, syncedAt: after.syncedAt.toISOString() };
    throw new NotFoundError(read.notFound, { source: 'pms' });
  }
  if (outcome.problem === 'not_found') throw new NotFoundError(read.notFound, { source: 'pms' });
  if (before) return { value: before.value, stale: true, syncedAt: before.syncedAt.toISOString(), staleReason: outcome.message };
  throw problemError(outcome.problem, `${outcome.message}; nothing of it is cached yet`);
}
