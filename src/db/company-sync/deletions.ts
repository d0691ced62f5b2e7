import type { PrismaClient } from '../../generated/prisma/client';
import type { ExactDeletedAccount } from '../../integrations/exact/mapping';
import { writeAudit } from '../audit';
import { softDeleteCompany } from './companies';

/**
 * An account deleted in Exact: the company is soft-deleted and the link marked
 * `deleted_in_source` — never a hard delete (ADR risk 2) — and only when our version of the
 * account is not newer than the deletion (Exact's own rule: a row applied after the deletion
 * was read wins). Returns whether it applied.
 */
export async function applyDeletedAccount(prisma: PrismaClient, row: ExactDeletedAccount, who: { actor: string; correlationId: string }): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const link = await tx.companySync.findUnique({ where: { exactGuid: row.guid } });
    if (!link || link.deletedInSource) return false;
    if (link.lastTimestamp !== null && link.lastTimestamp > row.timestamp) return false;
    const ctx = { ...who, idempotencyKey: `exact-deleted:${row.guid}:${row.timestamp}` };
    if (link.companyId) await softDeleteCompany(tx, link.companyId, undefined, ctx, 'company.deleted_in_exact');
    await tx.companySync.update({ where: { id: link.id }, data: { deletedInSource: true, lastTimestamp: row.timestamp, updatedAt: new Date() } });
    await writeAudit(tx, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:link`, action: 'company_sync.deleted_in_source', entity: 'companies_sync', entityId: link.id, after: { exactGuid: row.guid, timestamp: row.timestamp.toString() } });
    return true;
  });
}
