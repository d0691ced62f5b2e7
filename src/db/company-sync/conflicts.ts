import type { Prisma } from '../../generated/prisma/client';
import type { Db } from './companies';

/**
 * Sync conflicts: decisions waiting for an operator. One open conflict per Exact account (or
 * per company for outbound ambiguity); a newer version of the account refreshes its details
 * instead of opening a second one. Each has a workflow (`sync-conflict-…`) holding the wait.
 */

export interface NewConflict {
  kind: string;
  division: number;
  exactGuid: string | null;
  companyId: string | null;
  syncId: string | null;
  workflowId: string;
  details: Prisma.InputJsonValue;
}

export async function openConflict(tx: Prisma.TransactionClient, conflict: NewConflict): Promise<{ id: string; workflowId: string }> {
  const existing = await tx.syncConflict.findFirst({
    where: { status: 'open', workflowId: conflict.workflowId },
    select: { id: true, workflowId: true },
  });
  if (existing) {
    await tx.syncConflict.update({ where: { id: existing.id }, data: { kind: conflict.kind, details: conflict.details, companyId: conflict.companyId, syncId: conflict.syncId, updatedAt: new Date() } });
    return existing;
  }
  return tx.syncConflict.create({ data: conflict, select: { id: true, workflowId: true } });
}

/** Open conflicts of a division (for the run that makes sure each has its workflow). */
export async function openConflictsOf(db: Db, division: number): Promise<Array<{ id: string; workflowId: string }>> {
  return db.syncConflict.findMany({ where: { status: 'open', division }, select: { id: true, workflowId: true }, orderBy: { createdAt: 'asc' } });
}

export async function conflictById(db: Db, id: string) {
  return db.syncConflict.findUnique({ where: { id } });
}
