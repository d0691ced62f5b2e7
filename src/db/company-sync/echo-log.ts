import type { Db } from './companies';

/**
 * What Relay wrote to Exact, keyed by account and a hash of the synced fields as written
 * (src/domain/company-sync/field-hash.ts). Exact's Sync API returns every write of ours as a
 * change; an inbound version whose hash matches one of our writes is our echo, not an edit
 * by someone in Exact. Recorded before the write leaves, so a lost answer cannot hide it.
 */

/** Entries older than this are not echoes any more (the next incremental run sees a write within minutes). */
const ECHO_WINDOW_MS = 7 * 86_400_000;

export async function recordOwnWrite(db: Db, exactGuid: string, fieldsHash: string): Promise<void> {
  await db.exactOutboundWrite.create({ data: { exactGuid, fieldsHash } });
}

/** Whether this version of the account is one Relay wrote (and consumes the entry: one write, one echo). */
export async function consumeOwnEcho(db: Db, exactGuid: string, fieldsHash: string): Promise<boolean> {
  const since = new Date(Date.now() - ECHO_WINDOW_MS);
  const entry = await db.exactOutboundWrite.findFirst({ where: { exactGuid, fieldsHash, createdAt: { gte: since } }, orderBy: { id: 'asc' }, select: { id: true } });
  if (!entry) return false;
  await db.exactOutboundWrite.deleteMany({ where: { exactGuid, createdAt: { lt: since } } });
  await db.exactOutboundWrite.delete({ where: { id: entry.id } });
  return true;
}

/** A write recorded but never sent (Exact's budget refused it before it left): its entry would wait for an echo that cannot come. */
export async function forgetOwnWrite(db: Db, exactGuid: string, fieldsHash: string): Promise<void> {
  const entry = await db.exactOutboundWrite.findFirst({ where: { exactGuid, fieldsHash }, orderBy: { id: 'desc' }, select: { id: true } });
  if (entry) await db.exactOutboundWrite.delete({ where: { id: entry.id } });
}
