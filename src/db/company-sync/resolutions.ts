import { ADDRESS_PARTS, type CompanyFields, SYNCED_FIELDS, type SyncedField } from '../../domain/company-sync/company-fields';
import { mergeFields } from '../../domain/company-sync/merge';
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors';
import { Prisma, type PrismaClient, type SyncConflict } from '../../generated/prisma/client';
import type { ConflictDecision, ConflictOutcome } from '../../workflows/company-sync/definitions';
import { writeAudit } from '../audit';
import { fieldsOf, insertCompany, patchCompany, softDeleteCompany } from './companies';
import { withFound } from './outbound';
import { uniqueViolation } from './unique-violation';

/**
 * An operator's decision about a conflict, applied in one transaction with its audit rows
 * (who decided, before and after). What the decision cannot do (a company that does not
 * exist, a KVK another company holds) is refused with a reason, and nothing is written.
 */

interface ExactSide {
  guid: string;
  code: string | null;
  timestamp: string;
  modifiedAt: string;
  fields: CompanyFields;
}

export interface AppliedDecision {
  outcome: ConflictOutcome;
  /** Relay holds values Exact lacks after the decision: the company's outbound sync runs. */
  pushCompanyId?: string;
}

export async function applyDecision(prisma: PrismaClient, conflictId: string, decision: ConflictDecision, operator: string, note?: string): Promise<AppliedDecision> {
  try {
    return await prisma.$transaction((tx) => applyInTransaction(tx, conflictId, decision, operator, note), { timeout: 20_000 });
  } catch (err) {
    const unique = uniqueViolation(err);
    if (unique) throw new UnprocessableError(`The decision would give a company a value another company holds: ${unique.message}`, unique.details);
    throw err;
  }
}

async function applyInTransaction(tx: Prisma.TransactionClient, conflictId: string, decision: ConflictDecision, operator: string, note?: string): Promise<AppliedDecision> {
  // Locked: two operators deciding at once cannot both apply.
  const [conflict] = await tx.$queryRaw<SyncConflict[]>`SELECT id FROM sync_conflicts WHERE id = ${conflictId}::uuid FOR UPDATE`;
  if (!conflict) throw new NotFoundError(`No conflict ${conflictId}`);
  const row = await tx.syncConflict.findUniqueOrThrow({ where: { id: conflictId } });
  if (row.status !== 'open') throw new ConflictError(`Conflict ${conflictId} is already resolved`);
  const ctx = { actor: `operator:${operator}`, correlationId: `sync-conflict:${conflictId}` };
  const link = row.syncId ? await tx.companySync.findUnique({ where: { id: row.syncId } }) : null;
  const remote = exactSideOf(row);
  let companyId: string | null = null;
  let exactGuid: string | null = row.exactGuid;
  let pushCompanyId: string | undefined;

  // An account deleted in Exact is decided by recreate or delete, and those decide nothing else.
  const deletion = decision.action === 'recreate' || decision.action === 'delete';
  if (row.kind === 'deleted_in_source' && !deletion) {
    throw new UnprocessableError('The Exact account was deleted: keep our company and create it in Exact again (recreate), or delete it here too (delete)');
  }
  if (row.kind !== 'deleted_in_source' && deletion) throw new UnprocessableError(`${decision.action} applies only to an account deleted in Exact`);

  switch (decision.action) {
    case 'link':
    case 'merge': {
      if (!link || !remote) throw new UnprocessableError('This conflict has no Exact account to link');
      const company = await tx.company.findUnique({ where: { id: decision.companyId } });
      if (!company || company.deletedAt) throw new UnprocessableError(`No company ${decision.companyId} to link (or it was deleted)`);
      const other = await tx.companySync.findFirst({ where: { companyId: company.id, exactGuid: { not: null }, NOT: { id: link.id } } });
      if (other) throw new UnprocessableError(`Company ${company.id} is linked to Exact account ${other.exactGuid} already`);
      const local = fieldsOf(company);
      const merged = decision.action === 'merge' ? chooseFields(local, remote.fields, decision.fields) : mergeFields({ base: null, local, remote: remote.fields, localModifiedAt: company.updatedAt, remoteModifiedAt: new Date(remote.modifiedAt), manualReviewFields: [] }).merged;
      const toLocal = diff(local, merged);
      if (Object.keys(toLocal).length) await patchCompany(tx, company.id, undefined, toLocal, ctx, 'company.conflict_resolved');
      await tx.companySync.update({
        where: { id: link.id },
        data: { companyId: company.id, syncStatus: 'OK', requiresManualReview: false, baseSnapshot: remote.fields, matchRule: 'operator', matchValues: { operator, decision: decision.action }, externalId: remote.code, updatedAt: new Date() },
      });
      if (Object.keys(diff(remote.fields, merged)).length) pushCompanyId = company.id;
      companyId = company.id;
      break;
    }
    case 'create': {
      if (!link || !remote) throw new UnprocessableError('This conflict has no Exact account to create a company from');
      if (remote.fields.chamberOfCommerceId) {
        const holder = await tx.company.findUnique({ where: { chamberOfCommerceId: remote.fields.chamberOfCommerceId }, select: { id: true } });
        if (holder) throw new UnprocessableError(`Company ${holder.id} holds KVK ${remote.fields.chamberOfCommerceId}: link or merge instead of creating a second one`, { companyId: holder.id });
      }
      const company = await insertCompany(tx, { ...remote.fields, name: remote.fields.name ?? `Exact account ${remote.code ?? remote.guid}` }, ctx);
      await tx.companySync.update({ where: { id: link.id }, data: { companyId: company.id, syncStatus: 'OK', requiresManualReview: false, baseSnapshot: remote.fields, matchRule: 'operator', matchValues: { operator, decision: 'create' }, externalId: remote.code, updatedAt: new Date() } });
      companyId = company.id;
      break;
    }
    case 'ignore': {
      if (link && row.kind !== 'field_conflict' && row.kind !== 'ambiguous_kvk' && row.kind !== 'ambiguous_create') {
        await tx.companySync.update({ where: { id: link.id }, data: { syncStatus: 'IGNORED', requiresManualReview: false, updatedAt: new Date() } });
      } else if (link) {
        // Keep ours: the fields under review take Relay's values in Exact too.
        await tx.companySync.update({ where: { id: link.id }, data: { syncStatus: 'OK', requiresManualReview: false, updatedAt: new Date() } });
        if (link.companyId) pushCompanyId = link.companyId;
      }
      companyId = link?.companyId ?? row.companyId;
      break;
    }
    case 'recreate': {
      // Keep ours: the link lets go of the deleted account (and its base), and the outbound sync
      // creates a new account (after its KVK search), as for a company that was never linked.
      if (!link?.companyId) throw new UnprocessableError('This conflict has no company to keep');
      const company = await tx.company.findUnique({ where: { id: link.companyId } });
      if (!company || company.deletedAt) throw new UnprocessableError(`Company ${link.companyId} was deleted here meanwhile: nothing to create in Exact (choose delete)`);
      const details = link.conflictDetails && typeof link.conflictDetails === 'object' && !Array.isArray(link.conflictDetails) ? link.conflictDetails : {};
      await tx.companySync.update({
        where: { id: link.id },
        data: {
          exactGuid: null,
          externalId: null,
          createRef: null,
          baseSnapshot: Prisma.DbNull,
          lastTimestamp: null,
          exactUpdatedAt: null,
          deletedInSource: false,
          syncStatus: 'OK',
          requiresManualReview: false,
          matchRule: 'operator',
          matchValues: { operator, decision: 'recreate', replaces: link.exactGuid },
          conflictDetails: { ...details, recreatedAfterDeletion: { exactGuid: link.exactGuid, at: new Date().toISOString(), operator } } as Prisma.InputJsonValue,
          updatedAt: new Date(),
        },
      });
      companyId = company.id;
      pushCompanyId = company.id;
      break;
    }
    case 'delete': {
      // Exact's deletion applies here too: soft delete, audited with the operator. Nothing to block (the account is gone).
      if (!link?.companyId) throw new UnprocessableError('This conflict has no company to delete');
      const deleted = await softDeleteCompany(tx, link.companyId, undefined, ctx, 'company.deleted_in_exact');
      await tx.companySync.update({ where: { id: link.id }, data: { syncStatus: 'OK', requiresManualReview: false, localUpdatedAt: deleted.updatedAt, updatedAt: new Date() } });
      companyId = link.companyId;
      break;
    }
    case 'link_exact': {
      if (!link || !row.companyId) throw new UnprocessableError('This conflict has no company to link');
      const taken = await tx.companySync.findUnique({ where: { exactGuid: decision.exactGuid } });
      if (taken && taken.id !== link.id) throw new UnprocessableError(`Exact account ${decision.exactGuid} is linked to another company already`);
      // The account as it was found: the first merge takes what Exact changed since as an edit made in Exact.
      const candidates = (row.details as { candidates?: Array<{ exactGuid?: string; fields?: CompanyFields }> } | null)?.candidates ?? [];
      const found = candidates.find((c) => c.exactGuid === decision.exactGuid)?.fields;
      await tx.companySync.update({
        where: { id: link.id },
        data: {
          exactGuid: decision.exactGuid,
          syncStatus: 'OK',
          requiresManualReview: false,
          matchRule: 'operator',
          matchValues: { operator, decision: 'link_exact' },
          baseSnapshot: undefined,
          conflictDetails: withFound(link.conflictDetails as Prisma.InputJsonValue | undefined, found ?? undefined),
          updatedAt: new Date(),
        },
      });
      companyId = row.companyId;
      exactGuid = decision.exactGuid;
      pushCompanyId = row.companyId;
      break;
    }
  }

  const resolvedAt = new Date();
  await tx.syncConflict.update({ where: { id: conflictId }, data: { status: 'resolved', resolution: { ...decision, note: note ?? null } as Prisma.InputJsonValue, resolvedBy: operator, resolvedAt, updatedAt: resolvedAt } });
  await writeAudit(tx, { ...ctx, idempotencyKey: `sync-conflict:${conflictId}:resolved`, action: 'sync_conflict.resolved', entity: 'sync_conflict', entityId: conflictId, before: { status: 'open', kind: row.kind }, after: { status: 'resolved', decision: decision as unknown as Prisma.InputJsonValue, companyId, exactGuid, note: note ?? null } });
  return { outcome: { conflictId, decision: decision.action, companyId, exactGuid, resolvedBy: operator, resolvedAt: resolvedAt.toISOString() }, pushCompanyId };
}

function exactSideOf(conflict: SyncConflict): ExactSide | null {
  const details = conflict.details as { remote?: ExactSide } | null;
  return details?.remote ?? null;
}

/**
 * The operator's side per field. The street address is one value (street, number and addition
 * together, as Exact keeps it): a side chosen for any of its parts applies to all of them, and
 * different sides for its parts are refused rather than combined into an address nobody typed.
 */
function chooseFields(local: CompanyFields, remote: CompanyFields, choice: Partial<Record<string, 'relay' | 'exact'>>): CompanyFields {
  const addressSides = new Set(ADDRESS_PARTS.map((f) => choice[f]).filter((side) => side !== undefined));
  if (addressSides.size > 1) throw new UnprocessableError('The street address is one value: choose the same side for street, number and addition');
  const [addressSide] = [...addressSides];
  const sideOf = (field: SyncedField) => ((ADDRESS_PARTS as readonly SyncedField[]).includes(field) ? addressSide : choice[field]);
  const out = { ...local };
  for (const field of SYNCED_FIELDS) if (sideOf(field) === 'exact') out[field] = remote[field];
  return out;
}

function diff(from: CompanyFields, to: CompanyFields): Partial<CompanyFields> {
  const out: Partial<CompanyFields> = {};
  for (const field of SYNCED_FIELDS) if ((from[field] ?? null) !== (to[field] ?? null)) out[field] = to[field];
  return out;
}
