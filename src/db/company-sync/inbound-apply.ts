import { type CompanyFields, type SyncedField, normaliseFields } from '../../domain/company-sync/company-fields';
import { parseDutchAddress } from '../../domain/company-sync/dutch-address';
import { fieldsHash } from '../../domain/company-sync/field-hash';
import { kvkKey, normaliseKvk } from '../../domain/company-sync/kvk';
import { type CandidateCompany, type MatchCandidates, type MatchDecision, decideMatch } from '../../domain/company-sync/matching';
import { mergeFields } from '../../domain/company-sync/merge';
import { WorkflowIds } from '../../domain/workflow-ids';
import type { CompanySync, Prisma, PrismaClient } from '../../generated/prisma/client';
import type { ExactSyncAccount } from '../../integrations/exact/mapping';
import { writeAudit } from '../audit';
import { fieldsOf, insertCompany, patchCompany } from './companies';
import { openConflict } from './conflicts';
import { consumeOwnEcho } from './echo-log';
import { deletionSettled, findLinkByCreateRef, foundOf } from './outbound';
import { violatedIndex } from './unique-violation';

/**
 * Applies one inbound Exact account to Relay, in its own transaction (ADR risk 4: one bad
 * record never takes a page down with it). Matching follows the ADR's order
 * (src/domain/company-sync/matching.ts); a linked company merges field by field against the
 * base snapshot (merge.ts) so that local edits are never silently overwritten.
 */

export type InboundOutcome = 'created' | 'updated' | 'unchanged' | 'echo' | 'stale' | 'conflict' | 'review' | 'ignored' | 'waiting';

export interface InboundResult {
  outcome: InboundOutcome;
  companyId?: string;
  /** A conflict an operator must decide; its workflow is started by the caller after commit. */
  conflict?: { id: string; workflowId: string };
  /** Relay holds values Exact lacks: the company's outbound sync must run. */
  pushCompanyId?: string;
}

export interface ApplyOptions {
  division: number;
  manualReviewFields: readonly SyncedField[];
  /** `workflow:<id>` of the run applying it. */
  actor: string;
  correlationId: string;
  /** Reconciliation re-applies a version whose timestamp was seen, when its fields drifted. */
  force?: boolean;
}

/** Exact's values as Relay stores them: an invalid KVK is not a key (kept in the link's flags, not on the company). */
export function localView(account: ExactSyncAccount): CompanyFields {
  const kvk = normaliseKvk(account.fields.chamberOfCommerceId);
  return normaliseFields({ ...account.fields, chamberOfCommerceId: kvkKey(kvk) });
}

export async function applyInboundAccount(prisma: PrismaClient, account: ExactSyncAccount, options: ApplyOptions): Promise<InboundResult> {
  try {
    return await prisma.$transaction((tx) => applyInTransaction(tx, account, options), { timeout: 20_000 });
  } catch (err) {
    // PostgreSQL aborted that transaction: the conflict is recorded in a new one.
    const index = violatedIndex(err);
    if (index === undefined) throw err;
    return prisma.$transaction((tx) => recordUniqueViolation(tx, account, options, index));
  }
}

async function applyInTransaction(tx: Prisma.TransactionClient, account: ExactSyncAccount, options: ApplyOptions): Promise<InboundResult> {
  const remote = localView(account);
  const link = await tx.companySync.findUnique({ where: { exactGuid: account.guid } });
  if (!link) {
    const ours = await ownCreate(tx, account);
    if (ours) return ours;
  }

  if (link && link.lastTimestamp !== null && link.lastTimestamp >= account.timestamp && !options.force) return { outcome: 'stale', companyId: link.companyId ?? undefined };
  if (link?.syncStatus === 'IGNORED') {
    await tx.companySync.update({ where: { id: link.id }, data: { lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, updatedAt: new Date() } });
    return { outcome: 'ignored' };
  }
  if (link && link.companyId === null) {
    // Waiting for an operator: the decision will apply Exact's latest version, kept here.
    await tx.companySync.update({ where: { id: link.id }, data: { lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, conflictDetails: withRemote(link.conflictDetails, account, remote), updatedAt: new Date() } });
    await tx.syncConflict.updateMany({ where: { syncId: link.id, status: 'open' }, data: { details: withRemote(link.conflictDetails, account, remote), updatedAt: new Date() } });
    return { outcome: 'waiting' };
  }
  if (link?.companyId && (await consumeOwnEcho(tx, account.guid, fieldsHash(remote)))) {
    await tx.companySync.update({ where: { id: link.id }, data: { lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, syncedFromSourceAt: new Date(), updatedAt: new Date() } });
    return { outcome: 'echo', companyId: link.companyId };
  }
  if (link?.companyId && link.exactUpdatedAt && account.modifiedAt <= link.exactUpdatedAt && !options.force) {
    // A version the outbound sync read from Exact and merged already (or an older one): it read the
    // account after this page was fetched and moved the base past it. Merged again against that
    // base, its old values would look like edits made in Exact and undo what was just pushed.
    await tx.companySync.update({ where: { id: link.id }, data: { lastTimestamp: account.timestamp, updatedAt: new Date() } });
    return { outcome: 'stale', companyId: link.companyId };
  }

  const decision = decideMatch(matchInput(account), await candidatesFor(tx, account, options.division, remote, link));
  switch (decision.action) {
    case 'update':
      return updateLinked(tx, account, remote, decision.companyId, decision, options, link);
    case 'create':
      return createLinked(tx, account, remote, decision, options);
    case 'conflict':
    case 'review':
      return raiseConflict(tx, account, remote, decision, options);
  }
}

/**
 * An account carrying one of our create markers (SearchCode) is a company Relay created whose
 * answer was lost, or whose link is not written yet: never a new company, never a KVK conflict.
 * The company's outbound run adopts it by the same marker.
 */
async function ownCreate(tx: Prisma.TransactionClient, account: ExactSyncAccount): Promise<InboundResult | null> {
  const byRef = await findLinkByCreateRef(tx, account.searchCode);
  if (!byRef || byRef.exactGuid === account.guid) return null;
  if (byRef.exactGuid !== null) {
    // A second Exact account with our marker: a create Exact applied late. Flagged for an operator, not merged.
    const details = { ...(jsonObject(byRef.conflictDetails)), duplicateCreate: { exactGuid: account.guid, code: account.code } };
    await tx.companySync.update({ where: { id: byRef.id }, data: { requiresManualReview: true, conflictDetails: json(details), updatedAt: new Date() } });
    return { outcome: 'review', companyId: byRef.companyId ?? undefined };
  }
  return { outcome: 'waiting', companyId: byRef.companyId ?? undefined, pushCompanyId: byRef.companyId ?? undefined };
}

const jsonObject = (value: Prisma.JsonValue | null): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});

function matchInput(account: ExactSyncAccount) {
  const kvk = normaliseKvk(account.fields.chamberOfCommerceId);
  const address = account.addressUnparsed !== undefined ? parseDutchAddress(account.addressUnparsed) : { streetName: account.fields.streetName, buildingNumber: account.fields.buildingNumber, buildingNumberAddition: account.fields.buildingNumberAddition };
  const fields = normaliseFields(account.fields);
  return {
    guid: account.guid,
    code: account.code,
    kvk,
    name: fields.name,
    postalCode: fields.postalCode,
    buildingNumber: fields.buildingNumber,
    buildingNumberAddition: fields.buildingNumberAddition,
    address: address as ReturnType<typeof parseDutchAddress>,
  };
}

/** What each matching key finds; keys a GUID link makes irrelevant (Code, address) are not looked up. */
async function candidatesFor(tx: Prisma.TransactionClient, account: ExactSyncAccount, division: number, remote: CompanyFields, byGuidLink: CompanySync | null): Promise<MatchCandidates> {
  const linked = Boolean(byGuidLink?.companyId);
  const byCodeLink = !linked && account.code ? await tx.companySync.findUnique({ where: { division_externalId: { division, externalId: account.code } }, select: { companyId: true, exactGuid: true } }) : null;
  const kvk = remote.chamberOfCommerceId;
  const byKvk = kvk ? await tx.company.findMany({ where: { chamberOfCommerceId: kvk }, include: { syncs: { select: { exactGuid: true } } } }) : [];
  const byAddress =
    !linked && !byCodeLink?.companyId && remote.postalCode && remote.buildingNumber
      ? await tx.company.findMany({
          where: { postalCode: remote.postalCode, buildingNumber: remote.buildingNumber, buildingNumberAddition: remote.buildingNumberAddition, deletedAt: null },
          include: { syncs: { select: { exactGuid: true } } },
          take: 20,
        })
      : [];
  const candidate = (c: (typeof byKvk)[number]): CandidateCompany => ({
    companyId: c.id,
    linkedGuid: c.syncs.find((s) => s.exactGuid)?.exactGuid ?? null,
    fields: { name: c.name, chamberOfCommerceId: c.chamberOfCommerceId, postalCode: c.postalCode, buildingNumber: c.buildingNumber, buildingNumberAddition: c.buildingNumberAddition },
  });
  return {
    byGuid: byGuidLink?.companyId ? { companyId: byGuidLink.companyId } : null,
    byCode: byCodeLink?.companyId ? { companyId: byCodeLink.companyId, linkedGuid: byCodeLink.exactGuid } : null,
    byKvk: byKvk.map(candidate),
    // Companies already linked to another Exact account are no address candidates: that account is theirs.
    byAddress: byAddress.map(candidate).filter((c) => c.linkedGuid === null),
  };
}

async function updateLinked(
  tx: Prisma.TransactionClient,
  account: ExactSyncAccount,
  remote: CompanyFields,
  companyId: string,
  decision: Extract<MatchDecision, { action: 'update' }>,
  options: ApplyOptions,
  byGuid: CompanySync | null,
): Promise<InboundResult> {
  const company = await tx.company.findUniqueOrThrow({ where: { id: companyId } });
  const link = byGuid ?? (account.code ? await tx.companySync.findUnique({ where: { division_externalId: { division: options.division, externalId: account.code } } }) : null);
  if (company.deletedAt) return keepDeleted(tx, account, companyId, link, company.updatedAt);
  const base = (link?.baseSnapshot ?? null) as CompanyFields | null;
  const merge = mergeFields({
    base,
    local: fieldsOf(company),
    remote,
    localModifiedAt: company.updatedAt,
    remoteModifiedAt: account.modifiedAt,
    manualReviewFields: options.manualReviewFields,
    found: base === null && link ? foundOf(link.conflictDetails) : null,
  });
  const ctx = { actor: options.actor, correlationId: options.correlationId, idempotencyKey: `exact:${account.guid}:${account.timestamp}` };
  const changed = Object.keys(merge.toLocal).length > 0;
  const current = changed
    ? await patchCompany(tx, companyId, undefined, { ...merge.toLocal, ...(account.addressUnparsed !== undefined ? { addressUnparsed: account.addressUnparsed } : {}) }, ctx, 'company.synced_from_exact')
    : company;
  for (const conflict of merge.conflicts.filter((c) => c.winner !== 'review')) {
    // Last write won: the overwritten value is in the audit log, never silently gone.
    await writeAudit(tx, { ...ctx, idempotencyKey: `${ctx.idempotencyKey}:${conflict.field}`, action: 'company.field_conflict_resolved', entity: 'company', entityId: companyId, before: { ...conflict }, after: { [conflict.field]: merge.merged[conflict.field], rule: 'last-write-wins' } });
  }
  const review = merge.conflicts.filter((c) => c.winner === 'review');
  // The base moves only for fields both sides now agree on; a field under review keeps its old base,
  // and one Relay still has to send keeps Exact's value until the push succeeds (as the base of that
  // field, Relay's value would make Exact's old one look like an edit made in Exact, and the push would
  // take it back into Relay instead of sending Relay's).
  const nextBase = { ...merge.merged };
  for (const c of review) nextBase[c.field] = base?.[c.field] ?? null;
  const toSend = Object.keys(merge.toRemote) as SyncedField[];
  for (const field of toSend) nextBase[field] = remote[field];
  const data = {
    companyId,
    division: options.division,
    exactGuid: account.guid,
    externalId: account.code,
    lastTimestamp: account.timestamp,
    exactUpdatedAt: account.modifiedAt,
    syncedFromSourceAt: new Date(),
    // What Exact now has of ours: the company is not pending outbound because of this write, unless
    // it holds values Exact lacks (then it stays pending until they are pushed).
    localUpdatedAt: toSend.length > 0 ? (link?.localUpdatedAt ?? null) : current.updatedAt,
    deletedInSource: false,
    baseSnapshot: nextBase,
    syncStatus: review.length ? 'CONFLICT' : 'OK',
    requiresManualReview: review.length > 0 || account.addressUnparsed !== undefined,
    matchRule: link?.matchRule ?? decision.rule,
    matchValues: link?.matchValues ?? decision.values,
    updatedAt: new Date(),
  };
  const saved = link ? await tx.companySync.update({ where: { id: link.id }, data }) : await tx.companySync.create({ data });
  const pushCompanyId = toSend.length > 0 ? companyId : undefined;
  if (review.length) {
    const conflict = await openConflict(tx, {
      kind: 'field_conflict',
      division: options.division,
      exactGuid: account.guid,
      companyId,
      syncId: saved.id,
      workflowId: WorkflowIds.syncConflict(account.guid),
      details: json({ fields: review, remote: exactSide(account, remote), reason: 'changed on both sides; these fields are reviewed by an operator' }),
    });
    return { outcome: 'conflict', companyId, conflict, pushCompanyId };
  }
  return { outcome: changed ? 'updated' : 'unchanged', companyId, pushCompanyId };
}

/**
 * A version of an account whose company was deleted here: the deletion stands (its account is
 * blocked, never edited back to life), so the version is recorded as seen and nothing is merged.
 * Above all the link is not marked pushed (`local_updated_at`): until the block is recorded the
 * company stays pending, and its outbound sync is requested to block the account.
 */
async function keepDeleted(tx: Prisma.TransactionClient, account: ExactSyncAccount, companyId: string, link: CompanySync | null, companyUpdatedAt: Date): Promise<InboundResult> {
  if (!link) return { outcome: 'unchanged', companyId };
  await tx.companySync.update({ where: { id: link.id }, data: { lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, syncedFromSourceAt: new Date(), updatedAt: new Date() } });
  return { outcome: 'unchanged', companyId, pushCompanyId: deletionSettled(link, { updatedAt: companyUpdatedAt }) ? undefined : companyId };
}

async function createLinked(tx: Prisma.TransactionClient, account: ExactSyncAccount, remote: CompanyFields, decision: Extract<MatchDecision, { action: 'create' }>, options: ApplyOptions): Promise<InboundResult> {
  const ctx = { actor: options.actor, correlationId: options.correlationId, idempotencyKey: `exact:${account.guid}:${account.timestamp}` };
  const company = await insertCompany(tx, { ...remote, name: remote.name ?? `Exact account ${account.code ?? account.guid}`, addressUnparsed: account.addressUnparsed ?? null }, ctx);
  const flags = [...decision.flags];
  await tx.companySync.create({
    data: {
      companyId: company.id,
      division: options.division,
      exactGuid: account.guid,
      externalId: account.code,
      lastTimestamp: account.timestamp,
      exactUpdatedAt: account.modifiedAt,
      syncedFromSourceAt: new Date(),
      localUpdatedAt: company.updatedAt,
      baseSnapshot: remote,
      matchRule: 'created',
      matchValues: decision.values,
      requiresManualReview: flags.length > 0,
      conflictDetails: flags.length ? { flags, kvkAsInExact: account.fields.chamberOfCommerceId, addressAsInExact: account.addressUnparsed ?? null } : undefined,
    },
  });
  return { outcome: 'created', companyId: company.id };
}

async function raiseConflict(tx: Prisma.TransactionClient, account: ExactSyncAccount, remote: CompanyFields, decision: Extract<MatchDecision, { action: 'conflict' | 'review' }>, options: ApplyOptions): Promise<InboundResult> {
  const status = decision.action === 'conflict' ? 'CONFLICT' : 'PENDING_REVIEW';
  const details = json({ remote: exactSide(account, remote), candidates: decision.candidates, reason: decision.reason, rule: decision.rule, values: decision.values, flags: decision.flags });
  const link = await tx.companySync.upsert({
    where: { exactGuid: account.guid },
    create: { division: options.division, exactGuid: account.guid, externalId: null, syncStatus: status, requiresManualReview: true, conflictDetails: details, lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, matchRule: decision.rule, matchValues: decision.values },
    update: { syncStatus: status, requiresManualReview: true, conflictDetails: details, lastTimestamp: account.timestamp, exactUpdatedAt: account.modifiedAt, updatedAt: new Date() },
  });
  const conflict = await openConflict(tx, {
    kind: decision.kind,
    division: options.division,
    exactGuid: account.guid,
    companyId: decision.action === 'conflict' ? decision.companyId : null,
    syncId: link.id,
    workflowId: WorkflowIds.syncConflict(account.guid),
    details,
  });
  return { outcome: decision.action === 'conflict' ? 'conflict' : 'review', conflict };
}

/** Two writers raced to a unique value (a KVK given to another company meanwhile): a conflict, never a crashed batch. */
async function recordUniqueViolation(tx: Prisma.TransactionClient, account: ExactSyncAccount, options: ApplyOptions, index: string): Promise<InboundResult> {
  const remote = localView(account);
  const details = { remote: exactSide(account, remote), reason: `a unique value is held by another record (${index})`, index };
  const link = await tx.companySync.upsert({
    where: { exactGuid: account.guid },
    create: { division: options.division, exactGuid: account.guid, syncStatus: 'CONFLICT', requiresManualReview: true, conflictDetails: details, exactUpdatedAt: account.modifiedAt, matchRule: 'none' },
    update: { syncStatus: 'CONFLICT', requiresManualReview: true, conflictDetails: details, updatedAt: new Date() },
  });
  const conflict = await openConflict(tx, { kind: 'unique_violation', division: options.division, exactGuid: account.guid, companyId: link.companyId, syncId: link.id, workflowId: WorkflowIds.syncConflict(account.guid), details });
  return { outcome: 'conflict', conflict };
}

/** Exact's side of a conflict as the operator sees it. */
function exactSide(account: ExactSyncAccount, remote: CompanyFields) {
  return { guid: account.guid, code: account.code, timestamp: account.timestamp.toString(), modifiedAt: account.modifiedAt.toISOString(), fields: remote, kvkAsInExact: account.fields.chamberOfCommerceId, addressUnparsed: account.addressUnparsed ?? null };
}

function withRemote(details: Prisma.JsonValue | null, account: ExactSyncAccount, remote: CompanyFields): Prisma.InputJsonValue {
  const base = details && typeof details === 'object' && !Array.isArray(details) ? details : {};
  return { ...base, remote: exactSide(account, remote) } as Prisma.InputJsonValue;
}

/** Plain data as a JSON column value (interfaces lack the index signature Prisma's JSON type wants). */
const json = (value: object): Prisma.InputJsonValue => value as Prisma.InputJsonValue;
