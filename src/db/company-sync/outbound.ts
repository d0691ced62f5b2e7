import { type CompanyFields, normaliseFields } from '../../domain/company-sync/company-fields';
import { fieldsHash } from '../../domain/company-sync/field-hash';
import { kvkKey, normaliseKvk } from '../../domain/company-sync/kvk';
import type { CompanySync, Prisma, PrismaClient } from '../../generated/prisma/client';
import type { Db } from './companies';
import { openConflict } from './conflicts';
import { violatedIndex } from './unique-violation';

/**
 * The outbound side of a company's link to Exact (`companies_sync`), as the outbound workflow's
 * activities and the scheduled re-request of missed syncs use it. The link row is the sync's
 * memory between runs: the Exact account it found or created, the create marker sent before the
 * account's ID was known, the base snapshot of the three-way merge, and how the last push ended.
 */

/** How the last push of a company ended when it did not succeed (conflict_details.failure). */
export interface OutboundFailure {
  /**
   * `rejected`: Exact refused the data (a 4xx): sending it again cannot help, so it is retried only
   * after the company changes. `gone`: Exact's account is not there any more; the inbound deletion
   * (or reconciliation) settles it, not a retry. The others (the connection needing
   * re-authorisation, a cancelled or broken run) are retried by the scheduled re-request.
   */
  kind: 'rejected' | 'gone' | 'needs_reauth' | 'cancelled' | 'error';
  reason: string;
  /** The company version the push was for. */
  version: number;
  at: string;
}

/** A field Exact did not keep as written (conflict_details.readBack). */
export interface DroppedField {
  field: keyof CompanyFields;
  written: string | null;
  readBack: string | null;
}

/**
 * Whether a company deleted here needs nothing more in Exact: its account was deleted there
 * (`deleted_in_source`), it never reached Exact, or the block is recorded on the link for this
 * version of the company (`blockedInExact`, set only by the block itself). A link merely pushed
 * since the deletion (an inbound apply or a field push that touched `local_updated_at`) does not
 * count: the account must be blocked.
 */
export function deletionSettled(link: Pick<CompanySync, 'deletedInSource' | 'exactGuid' | 'createRef' | 'syncStatus' | 'localUpdatedAt' | 'conflictDetails'>, company: { updatedAt: Date }): boolean {
  if (link.deletedInSource) return true;
  if (link.exactGuid === null && link.createRef === null) return true;
  const pushed = link.syncStatus === 'OK' && link.localUpdatedAt !== null && link.localUpdatedAt >= company.updatedAt;
  // Without an Exact account: the create's marker was looked up and found nothing (recordNothingToBlock).
  if (link.exactGuid === null) return pushed;
  return pushed && 'blockedInExact' in objectOf(link.conflictDetails);
}

/** Statuses that wait for an operator before the link can be pushed again (when it has no Exact account yet). */
const WAITING_STATUSES = ['PENDING_REVIEW', 'CONFLICT'];

/**
 * A company's link: the one with an Exact account, else the newest; an IGNORED one (an operator
 * chose to leave the company unlinked) only when there is no other. A company normally has one
 * link; a second can exist while an operator decides about an Exact account (its own row).
 */
export async function linkOfCompany(db: Db, companyId: string): Promise<CompanySync | null> {
  const links = await db.companySync.findMany({ where: { companyId }, orderBy: { updatedAt: 'desc' } });
  const live = links.filter((l) => l.syncStatus !== 'IGNORED');
  return live.find((l) => l.exactGuid !== null) ?? live[0] ?? links[0] ?? null;
}

/**
 * The division a company without a link is created in: `preferred` when that division is enabled,
 * else the lowest enabled one; null while no division is connected (the company stays pending and
 * the scheduled re-request tries again once one is).
 */
export async function outboundDivision(db: Db, preferred?: number): Promise<number | null> {
  const divisions = await db.exactDivision.findMany({ where: { enabled: true }, select: { division: true }, orderBy: { division: 'asc' } });
  if (preferred !== undefined && divisions.some((d) => d.division === preferred)) return preferred;
  return divisions[0]?.division ?? null;
}

/**
 * The create marker of a company's link, stored before the first create is sent: an existing one
 * (`reused`: an earlier attempt may have created the account, look it up first) or `fresh`, written
 * now. Creates the link row when the company has none.
 */
export async function reserveCreateRef(prisma: PrismaClient, input: { companyId: string; division: number; fresh: string }): Promise<{ syncId: string; createRef: string; reused: boolean }> {
  return prisma.$transaction(async (tx) => {
    // One link row per company for the outbound side: concurrent reservations (there are none
    // while one workflow per company runs, but a stray activity retry may overlap) serialise here.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`company-sync-link:${input.companyId}`}))`;
    const link = await linkOfCompany(tx, input.companyId);
    if (link?.createRef) return { syncId: link.id, createRef: link.createRef, reused: true };
    if (link) {
      await tx.companySync.update({ where: { id: link.id }, data: { createRef: input.fresh, updatedAt: new Date() } });
      return { syncId: link.id, createRef: input.fresh, reused: false };
    }
    const created = await tx.companySync.create({ data: { companyId: input.companyId, division: input.division, createRef: input.fresh, syncStatus: 'OK' } });
    return { syncId: created.id, createRef: input.fresh, reused: false };
  });
}

/** The link whose create marker an Exact account carries in its SearchCode (ours, whatever its answer's fate). */
export async function findLinkByCreateRef(db: Db, searchCode: string | null | undefined): Promise<CompanySync | null> {
  const ref = searchCode?.trim();
  if (!ref) return null;
  return db.companySync.findUnique({ where: { createRef: ref } });
}

export interface LinkedAccount {
  guid: string;
  code: string | null;
  modifiedAt: Date;
}

export type LinkOutcome = { linked: true; syncId: string } | { linked: false; heldBy: { syncId: string; companyId: string | null; status: string } };

/**
 * Links a company to an Exact account (found by its KVK, or created or adopted by the create
 * marker) and sets the base snapshot. An account another link holds is not taken: the caller
 * sends the company to review instead.
 */
export async function linkAccount(
  prisma: PrismaClient,
  input: {
    companyId: string;
    division: number;
    account: LinkedAccount;
    rule: 'outbound-kvk' | 'outbound-created';
    values: Prisma.InputJsonValue;
    base: CompanyFields | null;
    /** Without a base: the account's values as found, for the first merge (see merge.ts). */
    found?: CompanyFields;
    localUpdatedAt?: Date;
  },
): Promise<LinkOutcome> {
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`company-sync-link:${input.companyId}`}))`;
      const held = await tx.companySync.findUnique({ where: { exactGuid: input.account.guid } });
      if (held && held.companyId !== input.companyId) return { linked: false as const, heldBy: { syncId: held.id, companyId: held.companyId, status: held.syncStatus } };
      const link = held ?? (await linkOfCompany(tx, input.companyId));
      const data = {
        companyId: input.companyId,
        division: input.division,
        exactGuid: input.account.guid,
        externalId: input.account.code,
        exactUpdatedAt: input.account.modifiedAt,
        syncStatus: 'OK',
        matchRule: input.rule,
        matchValues: input.values,
        baseSnapshot: input.base === null ? undefined : (normaliseFields(input.base) as Prisma.InputJsonValue),
        ...(input.localUpdatedAt ? { localUpdatedAt: input.localUpdatedAt } : {}),
        conflictDetails: withFound(withoutFailure(link?.conflictDetails ?? null), input.base === null ? input.found : undefined),
        updatedAt: new Date(),
      };
      const saved = link ? await tx.companySync.update({ where: { id: link.id }, data }) : await tx.companySync.create({ data });
      return { linked: true as const, syncId: saved.id };
    });
  } catch (err) {
    // The account's Code is taken in the division by another link (exact_guid is checked above).
    const index = violatedIndex(err);
    if (index === undefined) throw err;
    const holder = input.account.code ? await prisma.companySync.findUnique({ where: { division_externalId: { division: input.division, externalId: input.account.code } } }) : null;
    return { linked: false, heldBy: { syncId: holder?.id ?? '', companyId: holder?.companyId ?? null, status: holder?.syncStatus ?? index } };
  }
}

/**
 * After a push: the new base snapshot, Exact's modification time and the company's `updated_at`
 * as pushed (the scheduled re-request compares it with the company's). A field under review keeps
 * its old base (`base` says so), so the conflict stays a conflict until an operator decides.
 */
export async function recordPushed(
  db: Db,
  input: { syncId: string; base: CompanyFields; exactUpdatedAt: Date | null; localUpdatedAt: Date; status: 'OK' | 'CONFLICT'; writtenOver?: WrittenOver },
): Promise<void> {
  const link = await db.companySync.findUniqueOrThrow({ where: { id: input.syncId }, select: { conflictDetails: true } });
  // A base now: the values found at linking are not needed any more.
  const details = withWritten(withFound(withoutFailure(link.conflictDetails), undefined), input.writtenOver);
  await db.companySync.update({
    where: { id: input.syncId },
    data: {
      baseSnapshot: normaliseFields(input.base) as Prisma.InputJsonValue,
      ...(input.exactUpdatedAt ? { exactUpdatedAt: input.exactUpdatedAt } : {}),
      localUpdatedAt: input.localUpdatedAt,
      syncStatus: input.status,
      requiresManualReview: input.status !== 'OK' || hasReadBackFlag(details),
      conflictDetails: details,
      updatedAt: new Date(),
    },
  });
}

/**
 * Read-back result: dropped fields are flagged for an operator (conflict_details.readBack,
 * requires_manual_review) and their base becomes what Exact holds, so the next merge sends our
 * value again instead of taking Exact's empty one for an edit. Nothing dropped clears the flag.
 */
export async function recordReadBack(db: Db, input: { syncId: string; dropped: DroppedField[]; at: Date }): Promise<void> {
  const link = await db.companySync.findUniqueOrThrow({ where: { id: input.syncId } });
  // The write is checked: what it wrote over is not needed any more.
  const { written: _checked, ...details } = objectOf(link.conflictDetails);
  if (input.dropped.length === 0) {
    if (!('readBack' in details) && !('written' in objectOf(link.conflictDetails))) return;
    const { readBack: _cleared, ...rest } = details;
    await db.companySync.update({ where: { id: input.syncId }, data: { conflictDetails: rest as Prisma.InputJsonValue, requiresManualReview: link.syncStatus !== 'OK', updatedAt: new Date() } });
    return;
  }
  const base = { ...((link.baseSnapshot ?? {}) as Partial<CompanyFields>) };
  for (const d of input.dropped) base[d.field] = d.readBack;
  await db.companySync.update({
    where: { id: input.syncId },
    data: {
      baseSnapshot: base as Prisma.InputJsonValue,
      requiresManualReview: true,
      conflictDetails: { ...details, readBack: { at: input.at.toISOString(), dropped: input.dropped } } as unknown as Prisma.InputJsonValue,
      updatedAt: new Date(),
    },
  });
}

/**
 * What a write to Exact wrote over: the sent fields' values before it and, when an address part was
 * sent, the address line Exact held that the parser would not split (a PO box: its parts read empty).
 */
export type WrittenOver = Partial<CompanyFields> & { addressUnparsed?: string | null };

/**
 * What the last write to Exact wrote over (conflict_details.written), for the read-back to tell a
 * field Exact did not keep (it still holds that value) from one an Exact user changed since (a third
 * value). A create writes over nothing (every sent field was empty).
 */
export async function recordWrittenOver(db: Db, input: { syncId: string; before: WrittenOver }): Promise<void> {
  const link = await db.companySync.findUniqueOrThrow({ where: { id: input.syncId }, select: { conflictDetails: true } });
  await db.companySync.update({ where: { id: input.syncId }, data: { conflictDetails: withWritten(objectOf(link.conflictDetails) as Prisma.InputJsonValue, input.before) } });
}

/** What the last write wrote over, as recordWrittenOver stored it; undefined when not known. */
export function writtenOver(details: Prisma.JsonValue | null): WrittenOver | undefined {
  const written = objectOf(details).written;
  const before = written && typeof written === 'object' && !Array.isArray(written) ? (written as { before?: unknown }).before : undefined;
  return before && typeof before === 'object' && !Array.isArray(before) ? (before as WrittenOver) : undefined;
}

/** An account's values as found when it was linked without a base (conflict_details.found), if known. */
export function foundOf(details: Prisma.JsonValue | null): CompanyFields | null {
  const found = objectOf(details).found;
  return found && typeof found === 'object' && !Array.isArray(found) ? (found as CompanyFields) : null;
}

/** The details with `found` set (a link without a base) or removed. */
export function withFound(details: Prisma.InputJsonValue | undefined, found: CompanyFields | undefined): Prisma.InputJsonValue | undefined {
  if (details === undefined && found === undefined) return undefined;
  const { found: _previous, ...rest } = objectOf(details ?? {});
  return (found === undefined ? rest : { ...rest, found: normaliseFields(found) }) as Prisma.InputJsonValue;
}

/** The details with `written` set to `before` (a write was sent) or removed (none was). */
function withWritten(details: Prisma.InputJsonValue | undefined, before: WrittenOver | undefined): Prisma.InputJsonValue | undefined {
  if (details === undefined && before === undefined) return undefined;
  const { written: _previous, ...rest } = objectOf(details ?? {});
  return (before === undefined ? rest : { ...rest, written: { before } }) as Prisma.InputJsonValue;
}

/** The company was deleted here and its Exact account blocked: the link says so, and the deletion counts as pushed. */
export async function recordBlocked(db: Db, input: { syncId: string; localUpdatedAt: Date; at: Date; alreadyBlocked: boolean }): Promise<void> {
  const link = await db.companySync.findUniqueOrThrow({ where: { id: input.syncId }, select: { conflictDetails: true } });
  const details = withoutFailure(link.conflictDetails);
  await db.companySync.update({
    where: { id: input.syncId },
    data: {
      syncStatus: 'OK',
      localUpdatedAt: input.localUpdatedAt,
      conflictDetails: { ...objectOf(details), blockedInExact: { at: input.at.toISOString(), alreadyBlocked: input.alreadyBlocked } } as Prisma.InputJsonValue,
      updatedAt: new Date(),
    },
  });
}

/**
 * A deleted company with nothing to block: its create never reached Exact, or (`goneInExact`) its
 * account is not in Exact any more (deleted there too). The deletion counts as pushed.
 */
export async function recordNothingToBlock(db: Db, input: { syncId: string; localUpdatedAt: Date; goneInExact?: boolean }): Promise<void> {
  const link = await db.companySync.findUniqueOrThrow({ where: { id: input.syncId }, select: { conflictDetails: true } });
  await db.companySync.update({
    where: { id: input.syncId },
    data: {
      syncStatus: 'OK',
      localUpdatedAt: input.localUpdatedAt,
      conflictDetails: withoutFailure(link.conflictDetails),
      // Gone from Exact: its Code is free there (Exact gives the next account the highest Code again).
      ...(input.goneInExact ? { deletedInSource: true, externalId: null } : {}),
      updatedAt: new Date(),
    },
  });
}

/**
 * A push that did not succeed: the link is FAILED with why (conflict_details.failure), so that
 * operators see it and the scheduled re-request knows whether to try again. A company without a
 * link row gets none (nothing was linked or sent).
 */
export async function recordOutboundFailure(db: Db, companyId: string, failure: OutboundFailure): Promise<void> {
  const link = await linkOfCompany(db, companyId);
  if (!link) return;
  // A link waiting for an operator keeps that status: the decision, not a retry, moves it on.
  const waiting = link.exactGuid === null && WAITING_STATUSES.includes(link.syncStatus);
  await db.companySync.update({
    where: { id: link.id },
    data: { ...(waiting ? {} : { syncStatus: 'FAILED' }), conflictDetails: { ...objectOf(link.conflictDetails), failure } as unknown as Prisma.InputJsonValue, updatedAt: new Date() },
  });
}

/**
 * Exact no longer has the linked account (404). A company deleted here needs nothing more (its
 * deletion is settled, the account's Code released). Otherwise the link is FAILED (`gone`) and
 * nothing else is decided here: whether Exact's deletion applies to the company, or our changes
 * since outdate it (an operator decides), is the inbound deletion's call, which knows when the
 * account was deleted (src/db/company-sync/deletions.ts). Marking the link deleted in source here
 * would make that deletion skip it and leave the company alive, unannounced.
 */
export async function recordAccountGone(db: Db, companyId: string, failure: OutboundFailure): Promise<void> {
  const link = await linkOfCompany(db, companyId);
  if (!link) return;
  const company = await db.company.findUnique({ where: { id: companyId }, select: { deletedAt: true, updatedAt: true } });
  if (company?.deletedAt) return recordNothingToBlock(db, { syncId: link.id, localUpdatedAt: company.updatedAt, goneInExact: true });
  // Decided already (the deletion applied, or an operator has it): a late push leaves that as it is.
  if (link.deletedInSource) return;
  await db.companySync.update({
    where: { id: link.id },
    data: { syncStatus: 'FAILED', conflictDetails: { ...objectOf(link.conflictDetails), failure } as unknown as Prisma.InputJsonValue, updatedAt: new Date() },
  });
}

export interface OutboundConflictInput {
  companyId: string;
  division: number;
  /** ambiguous_kvk (several Exact accounts carry the KVK, or the one that does is linked elsewhere), ambiguous_create, field_conflict. */
  kind: 'ambiguous_kvk' | 'ambiguous_create' | 'field_conflict';
  /** The Exact account in question (field conflicts); null when the company is not linked yet. */
  exactGuid: string | null;
  workflowId: string;
  details: Prisma.InputJsonValue;
}

/**
 * Sends a company to an operator: its link waits (PENDING_REVIEW when it has no Exact account
 * yet, CONFLICT for fields changed on both sides) and a conflict row is opened, or the open one of
 * the same workflow refreshed. The caller starts the conflict's workflow.
 */
export async function openOutboundConflict(prisma: PrismaClient, input: OutboundConflictInput): Promise<{ id: string; workflowId: string }> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`company-sync-link:${input.companyId}`}))`;
    let link = await linkOfCompany(tx, input.companyId);
    const status = input.exactGuid === null ? 'PENDING_REVIEW' : 'CONFLICT';
    const data = { syncStatus: status, requiresManualReview: true, updatedAt: new Date() };
    link = link
      ? await tx.companySync.update({ where: { id: link.id }, data: { ...data, conflictDetails: { ...objectOf(withoutFailure(link.conflictDetails)), review: input.details } as Prisma.InputJsonValue } })
      : await tx.companySync.create({ data: { ...data, companyId: input.companyId, division: input.division, conflictDetails: { review: input.details } as Prisma.InputJsonValue } });
    return openConflict(tx, { kind: input.kind, division: input.division, exactGuid: input.exactGuid, companyId: input.companyId, syncId: link.id, workflowId: input.workflowId, details: input.details });
  });
}

/** The open conflict about a company's link (an operator decides before it is pushed again), if any. */
export async function openConflictOfCompany(db: Db, companyId: string): Promise<{ id: string; workflowId: string } | null> {
  return db.syncConflict.findFirst({ where: { companyId, status: 'open' }, select: { id: true, workflowId: true }, orderBy: { createdAt: 'asc' } });
}

/**
 * Companies whose outbound sync may have been missed (the API writes the company, then requests
 * its sync: a crash in between must not lose it), for the scheduled run to request again:
 * - never linked (and not deleted);
 * - linked, or being created, but changed since the last push (`updated_at` newer than the
 *   link's `local_updated_at`);
 * - deleted, with an Exact account whose block is not recorded (see deletionSettled);
 * - failed for a reason other than Exact refusing the data, or refused but changed since.
 * Not: links waiting for an operator without an Exact account, ignored links, accounts deleted in
 * Exact, accounts a push found gone (the inbound deletion, or the reconciliation, decides what
 * that means for the company), deleted companies that never reached Exact. Oldest change first.
 *
 * With `division`: the companies linked in that division, and those not linked anywhere yet (each
 * division's run asks for them; the requests coalesce into one push).
 */
export async function pendingOutboundCompanies(prisma: PrismaClient, options: { division?: number; limit?: number } = {}): Promise<Array<{ companyId: string; version: number }>> {
  const limit = options.limit ?? 500;
  const division = options.division ?? null;
  const rows = await prisma.$queryRaw<Array<{ id: string; version: number }>>`
    SELECT c.id::text AS id, c.version
      FROM companies c
      LEFT JOIN LATERAL (
        SELECT s.* FROM companies_sync s
         WHERE s.company_id = c.id AND s.sync_status <> 'IGNORED'
         ORDER BY (s.exact_guid IS NULL), s.updated_at DESC
         LIMIT 1
      ) s ON true
     WHERE CASE
             WHEN s.id IS NULL THEN c.deleted_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM companies_sync i WHERE i.company_id = c.id AND i.sync_status = 'IGNORED')
             WHEN s.deleted_in_source THEN false
             WHEN s.exact_guid IS NULL AND s.sync_status IN ('PENDING_REVIEW', 'CONFLICT') THEN false
             WHEN c.deleted_at IS NOT NULL AND s.exact_guid IS NULL AND s.create_ref IS NULL THEN false
             WHEN s.sync_status = 'FAILED' AND s.conflict_details -> 'failure' ->> 'kind' = 'rejected' THEN c.updated_at > s.updated_at
             WHEN s.sync_status = 'FAILED' AND s.conflict_details -> 'failure' ->> 'kind' = 'gone' THEN false
             WHEN s.sync_status = 'FAILED' THEN true
             WHEN c.deleted_at IS NOT NULL AND s.exact_guid IS NOT NULL
               THEN NOT COALESCE(s.conflict_details ? 'blockedInExact', false) OR s.local_updated_at IS NULL OR s.local_updated_at < c.updated_at
             ELSE s.local_updated_at IS NULL OR s.local_updated_at < c.updated_at
           END
       AND (${division}::int IS NULL OR s.id IS NULL OR s.division = ${division}::int)
     ORDER BY c.updated_at ASC
     LIMIT ${limit}`;
  return rows.map((r) => ({ companyId: r.id, version: Number(r.version) }));
}

/**
 * The synced fields as the inbound side will see this account after our write: through Exact's
 * wire form and back (`roundTrip`, the mapping's), then as the inbound apply views them (an
 * invalid KVK is no key: null). Its hash is what the echo log records before the write.
 */
export function echoView(fields: CompanyFields, roundTrip: (fields: CompanyFields) => CompanyFields): CompanyFields {
  const seen = roundTrip(fields);
  return normaliseFields({ ...seen, chamberOfCommerceId: kvkKey(normaliseKvk(seen.chamberOfCommerceId)) });
}

export const echoHash = (fields: CompanyFields, roundTrip: (fields: CompanyFields) => CompanyFields): string => fieldsHash(echoView(fields, roundTrip));

function objectOf(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** The details without a past failure (a push that succeeds clears it). */
function withoutFailure(value: Prisma.JsonValue | null): Prisma.InputJsonValue | undefined {
  if (value === null) return undefined;
  const { failure: _cleared, ...rest } = objectOf(value);
  return rest as Prisma.InputJsonValue;
}

const hasReadBackFlag = (details: Prisma.InputJsonValue | undefined) => typeof details === 'object' && details !== null && !Array.isArray(details) && 'readBack' in details;
