import type { Db } from './companies';

/** A division's sync state: its cursors and when its import completed. */
export async function divisionState(db: Db, division: number) {
  const row = await db.exactDivision.findUnique({ where: { division } });
  if (!row) throw new Error(`division ${division} is not selected for sync`);
  return row;
}

/** Moves a cursor forward only: a retried page never takes it back. */
export async function advanceAccountsCursor(db: Db, division: number, to: bigint): Promise<void> {
  await db.$executeRaw`UPDATE exact_divisions SET accounts_cursor = GREATEST(accounts_cursor, ${to}), updated_at = now() WHERE division = ${division}`;
}

export async function advanceDeletedCursor(db: Db, division: number, to: bigint): Promise<void> {
  await db.$executeRaw`UPDATE exact_divisions SET deleted_cursor = GREATEST(deleted_cursor, ${to}), updated_at = now() WHERE division = ${division}`;
}

/**
 * An import (or a division moved to another Exact database) starts over from timestamp 1. After a
 * move Exact's timestamps restart lower than the ones we stored, so the links forget theirs too
 * (otherwise every account would look older than what we have and never apply again).
 */
export async function resetCursors(db: Db, division: number, moveDate?: Date | null): Promise<void> {
  if (moveDate !== undefined) await db.companySync.updateMany({ where: { division }, data: { lastTimestamp: null } });
  await db.exactDivision.update({
    where: { division },
    data: { accountsCursor: 1n, deletedCursor: 1n, importCompletedAt: null, ...(moveDate !== undefined ? { divisionMoveDate: moveDate } : {}), updatedAt: new Date() },
  });
}

export async function markImportCompleted(db: Db, division: number): Promise<void> {
  await db.exactDivision.update({ where: { division }, data: { importCompletedAt: new Date(), updatedAt: new Date() } });
}
