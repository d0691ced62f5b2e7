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

/** Open conflicts of a division whose workflow was never started (the run that recorded them died first). */
export async function conflictsWithoutWorkflow(db: Db, division: number): Promise<Array<{ id: string; workflowId: string }>> {
  return db.syncConflict.findMany({ where: { status: 'open', division, workflowStartedAt: null }, select: { id: true, workflowId: true }, orderBy: { createdAt: 'asc' } });
}

export async function markConflictWorkflowStarted(db: Db, id: string): Promise<void> {
  await db.syncConflict.updateMany({ where: { id, workflowStartedAt: null }, data: { workflowStartedAt: new Date() } });
}

export async function conflictById(db: Db, id: string) {
  return db.syncConflict.findUnique({ where: { id } });
}

/**
 * Companies an open conflict is about (its company or one of its candidates): the sweep does
 * not push them to Exact while an operator decides, or it would link or create what the
 * decision is meant to settle.
 */
export async function companiesInOpenConflicts(db: Db): Promise<Set<string>> {
  const rows = await db.$queryRaw<Array<{ company_id: string }>>`
    SELECT company_id::text AS company_id FROM sync_conflicts WHERE status = 'open' AND company_id IS NOT NULL
    UNION
    SELECT c->>'companyId' FROM sync_conflicts, jsonb_array_elements(COALESCE(details->'candidates', '[]'::jsonb)) AS c
      WHERE status = 'open' AND c ? 'companyId'`;
  return new Set(rows.map((r) => r.company_id));
}
