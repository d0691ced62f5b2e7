import type { Prisma } from '../../generated/prisma/client';
import type { Db } from './companies';

/**
 * Inbound records that failed to apply: kept with the row as received and retried on their
 * own (backing off), so one bad record neither blocks the cursor nor is skipped silently.
 * Visible in the API and the `relay_company_sync_quarantined` metric.
 */

const BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 12 * 3_600_000];

export async function quarantine(db: Db, division: number, exactGuid: string, payload: Prisma.InputJsonValue, timestamp: bigint, error: string): Promise<void> {
  const existing = await db.exactQuarantine.findUnique({ where: { division_exactGuid: { division, exactGuid } } });
  const attempts = existing && !existing.resolvedAt ? existing.attempts + 1 : 1;
  const next = new Date(Date.now() + BACKOFF_MS[Math.min(attempts - 1, BACKOFF_MS.length - 1)]!);
  // A newer version of the record replaces the stored one; an older one never does.
  const newer = !existing || existing.timestamp <= timestamp;
  await db.exactQuarantine.upsert({
    where: { division_exactGuid: { division, exactGuid } },
    create: { division, exactGuid, payload, timestamp, error: error.slice(0, 2000), nextAttemptAt: next },
    update: { ...(newer ? { payload, timestamp } : {}), error: error.slice(0, 2000), attempts, nextAttemptAt: next, resolvedAt: null, updatedAt: new Date() },
  });
}

export async function dueQuarantined(db: Db, division: number, limit = 200) {
  return db.exactQuarantine.findMany({ where: { division, resolvedAt: null, nextAttemptAt: { lte: new Date() } }, orderBy: { timestamp: 'asc' }, take: limit });
}

export async function resolveQuarantined(db: Db, id: bigint): Promise<void> {
  await db.exactQuarantine.update({ where: { id }, data: { resolvedAt: new Date(), updatedAt: new Date() } });
}

/** A record applied by a later run (a newer version) leaves the quarantine. */
export async function clearQuarantinedGuids(db: Db, division: number, guids: string[]): Promise<number> {
  if (!guids.length) return 0;
  const { count } = await db.exactQuarantine.updateMany({ where: { division, exactGuid: { in: guids }, resolvedAt: null }, data: { resolvedAt: new Date(), updatedAt: new Date() } });
  return count;
}

export async function openQuarantineCount(db: Db, division?: number): Promise<number> {
  return db.exactQuarantine.count({ where: { resolvedAt: null, ...(division !== undefined ? { division } : {}) } });
}
