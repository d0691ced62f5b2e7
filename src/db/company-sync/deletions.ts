import { WorkflowIds } from '../../domain/workflow-ids';
import type { Prisma, PrismaClient } from '../../generated/prisma/client';
import type { ExactDeletedAccount } from '../../integrations/exact/mapping';
import { writeAudit } from '../audit';
import { fieldsOf, softDeleteCompany } from './companies';
import { openConflict } from './conflicts';

/**
 * An account deleted in Exact: the company is soft-deleted and the link marked
 * `deleted_in_source` — never a hard delete (ADR risk 2) — and only when our version is not
 * newer than the deletion (Exact's own rule: a row applied after the deletion was read wins).
 *
 * "Our version" is what Relay changed that Exact has not received: the company changed since its
 * last push (`updated_at` past the link's `local_updated_at`; the sync's own writes do not count)
 * after the moment Exact deleted the account. Such edits are not thrown away with the company,
 * and the deletion is not ignored either: the link waits for an operator (CONFLICT, kind
 * `deleted_in_source`), who keeps ours (`recreate`: a new account in Exact) or deletes it here
 * too (`delete`). Without Exact's deletion time (reconciliation), any unsent change counts as newer.
 *
 * Either way the account's Code is released: Exact hands the highest Code out again, and the link
 * of a deleted account must not keep a new account from being linked (or matched by Code).
 */

export interface DeletionResult {
  /** The company was soft-deleted (or was deleted here already) and the link marked. */
  applied: boolean;
  /** Our company changed after the deletion: an operator decides; its workflow is started by the caller after commit. */
  conflict?: { id: string; workflowId: string };
}

export async function applyDeletedAccount(prisma: PrismaClient, row: ExactDeletedAccount, who: { actor: string; correlationId: string }): Promise<DeletionResult> {
  return prisma.$transaction(async (tx) => {
    const link = await tx.companySync.findUnique({ where: { exactGuid: row.guid } });
    if (!link || link.deletedInSource) return { applied: false };
    if (link.lastTimestamp !== null && link.lastTimestamp > row.timestamp) return { applied: false };
    const ctx = { ...who, idempotencyKey: `exact-deleted:${row.guid}:${row.timestamp}` };
    const company = link.companyId ? await tx.company.findUnique({ where: { id: link.companyId } }) : null;
    const details = withoutFailure(link.conflictDetails);
    const deletedInExact = { at: row.deletedAt?.toISOString() ?? null, timestamp: row.timestamp.toString(), code: link.externalId };

    const unsent = company !== null && company.deletedAt === null && (link.localUpdatedAt === null || company.updatedAt > link.localUpdatedAt);
    const oursNewer = unsent && (row.deletedAt === null || company.updatedAt > row.deletedAt);
    if (company && oursNewer) {
      await tx.companySync.update({
        where: { id: link.id },
        data: { deletedInSource: true, externalId: null, lastTimestamp: row.timestamp, syncStatus: 'CONFLICT', requiresManualReview: true, conflictDetails: json({ ...details, deletedInExact }), updatedAt: new Date() },
      });
      await writeAudit(tx, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:link`, action: 'company_sync.deleted_in_source', entity: 'companies_sync', entityId: link.id, after: { exactGuid: row.guid, timestamp: row.timestamp.toString(), applied: false, reason: 'changed here after the deletion' } });
      const conflict = await openConflict(tx, {
        kind: 'deleted_in_source',
        division: link.division,
        exactGuid: row.guid,
        companyId: company.id,
        syncId: link.id,
        workflowId: WorkflowIds.syncConflict(row.guid),
        details: json({
          reason: 'the Exact account was deleted, but the company changed here after that: keep ours (recreate the account in Exact) or delete it here too',
          deletedInExact,
          changedHereAt: company.updatedAt.toISOString(),
          local: fieldsOf(company),
          // The account as last synced: the operator compares it with ours.
          remote: { guid: row.guid, code: link.externalId, timestamp: row.timestamp.toString(), modifiedAt: link.exactUpdatedAt?.toISOString() ?? null, fields: link.baseSnapshot ?? null, deleted: true },
        }),
      });
      return { applied: false, conflict };
    }

    if (company && company.deletedAt === null) await softDeleteCompany(tx, company.id, undefined, ctx, 'company.deleted_in_exact');
    await tx.companySync.update({
      where: { id: link.id },
      data: {
        deletedInSource: true,
        externalId: null,
        lastTimestamp: row.timestamp,
        // Settled: a push that failed on the gone account has nothing left to send.
        ...(link.syncStatus === 'FAILED' ? { syncStatus: 'OK' } : {}),
        conflictDetails: json({ ...details, deletedInExact }),
        updatedAt: new Date(),
      },
    });
    await writeAudit(tx, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:link`, action: 'company_sync.deleted_in_source', entity: 'companies_sync', entityId: link.id, after: { exactGuid: row.guid, timestamp: row.timestamp.toString() } });
    return { applied: true };
  });
}

function withoutFailure(value: Prisma.JsonValue | null): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const { failure: _cleared, ...rest } = value;
  return rest;
}

const json = (value: object): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
