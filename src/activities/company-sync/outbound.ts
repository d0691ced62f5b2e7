import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { writeAudit } from '../../db/audit';
import { fieldsOf, getCompany, patchCompany } from '../../db/company-sync/companies';
import { forgetOwnWrite, recordOwnWrite } from '../../db/company-sync/echo-log';
import { uniqueViolation, violatedIndex } from '../../db/company-sync/unique-violation';
import {
  type DroppedField,
  type OutboundFailure,
  type WrittenOver,
  deletionSettled,
  echoView,
  findLinkByCreateRef,
  foundOf,
  linkAccount,
  linkOfCompany,
  openConflictOfCompany,
  openOutboundConflict,
  outboundDivision,
  recordAccountGone,
  recordBlocked,
  recordNothingToBlock,
  recordOutboundFailure,
  recordPushed,
  recordReadBack,
  recordWrittenOver,
  reserveCreateRef,
  writtenOver,
} from '../../db/company-sync/outbound';
import { ADDRESS_PARTS, type CompanyFields, SYNCED_FIELDS, type SyncedField, normaliseFields, sameFieldValue } from '../../domain/company-sync/company-fields';
import { fieldsHash } from '../../domain/company-sync/field-hash';
import { kvkKey, kvkSpellings, normaliseKvk } from '../../domain/company-sync/kvk';
import { mergeFields } from '../../domain/company-sync/merge';
import { WorkflowIds } from '../../domain/workflow-ids';
import { NotFoundError } from '../../errors';
import type { Company, Prisma, PrismaClient } from '../../generated/prisma/client';
import type { CallOptions, ExactAccountFilter } from '../../integrations/exact/client';
import { ExactAuthError, ExactBudgetExhausted, ExactRequestRejected } from '../../integrations/exact/errors';
import { type ExactAccount, ExactMappingError, fieldsFromWire, toExactWrite } from '../../integrations/exact/mapping';
import type { Logger } from '../../logger';
import type { CompanySyncSettings } from '../../modules/company-sync/config';

/**
 * The outbound sync's activities (workflow `company-sync-<companyId>`): each is one step of pushing
 * a company to Exact — look at what the company needs, search Exact by KVK, create, merge and
 * update, read back, block — over the data layer (src/db/company-sync/outbound.ts) and the Exact
 * client. Exact's conditions that are no failure of the step come back as results, so the
 * workflow decides: the division's budget spent (`budget`: wait on a durable timer), Exact
 * refusing the data (`rejected`: the link is FAILED with Exact's reason, nothing is retried until
 * the company changes), the account gone, the connection needing re-authorisation.
 */

/** What the outbound steps need from Exact in one division (an ExactClient for that division). */
export interface OutboundExact {
  getAccount(guid: string, options?: CallOptions): Promise<ExactAccount | null>;
  findAccounts(filter: ExactAccountFilter, options?: CallOptions): Promise<ExactAccount[]>;
  createAccount(fields: CompanyFields, searchCode: string, options?: CallOptions & { addressUnparsed?: string | null }): Promise<ExactAccount>;
  updateAccount(guid: string, changed: Partial<CompanyFields>, options?: CallOptions & { current?: CompanyFields }): Promise<void>;
  blockAccount(guid: string, options?: CallOptions): Promise<void>;
}

export interface OutboundDeps {
  prisma: PrismaClient;
  logger: Logger;
  /** `outboundDivision`: where companies without a link are created (default: the lowest enabled division). */
  settings: Pick<CompanySyncSettings, 'manualReviewFields'> & { outboundDivision?: number };
  /** Exact's accounts API in a division. */
  accountsIn(division: number): Promise<OutboundExact>;
  /** Starts (or finds running) the workflow of an open conflict. */
  startConflictWorkflow(conflict: { id: string; workflowId: string }): Promise<void>;
}

/** The actor of every write the outbound sync makes to a company (audit log). */
export const OUTBOUND_ACTOR = 'company-sync';

/** What a company needs next, as `prepareOutbound` found it. */
export type OutboundPlan =
  /** No such company. */
  | { action: 'missing' }
  /** An operator chose to leave the company unlinked (an ignored conflict): nothing is pushed. */
  | { action: 'ignored'; version: number }
  /** No Exact division is connected yet: nothing can be pushed (the scheduled re-request tries later). */
  | { action: 'no_division'; version: number }
  /** An operator decides first (an open conflict about the company's link). */
  | { action: 'wait'; version: number; conflictId: string }
  /** Deleted here and nothing (more) to do in Exact. */
  | { action: 'nothing'; version: number }
  /** Deleted here: block its Exact account. */
  | { action: 'block'; version: number; division: number }
  /** Not linked, with a valid KVK: look for Exact accounts carrying it first. */
  | { action: 'search_kvk'; version: number; division: number; kvk: string }
  /** Not linked, without a (valid) KVK, or a create was started before: create (after looking the marker up). */
  | { action: 'create'; version: number; division: number }
  /** Linked: merge both sides, update Exact. */
  | { action: 'merge'; version: number; division: number; exactGuid: string };

/** A step's outcome: done, or one of Exact's conditions the workflow handles. */
export type ExactStep<T> =
  | ({ kind: 'done' } & T)
  /** The division's call budget is spent until then (epoch ms): wait, then run the step again. */
  | { kind: 'budget'; retryAtMs: number }
  /** Exact refused the request (4xx) or the data cannot be sent: the link is FAILED with the reason. */
  | { kind: 'rejected'; reason: string }
  /** Exact no longer has the linked account. */
  | { kind: 'gone'; reason: string }
  /** The connection must be re-authorised by an operator. */
  | { kind: 'needs_reauth'; reason: string };

export interface KvkMatch {
  outcome: 'linked' | 'none' | 'review';
  exactGuid?: string;
  candidates: number;
}

export interface CreateResult {
  /** `adopted`: an earlier attempt's account, found by its marker (its fields are merged next); `deleted`: the company was deleted meanwhile. */
  outcome: 'created' | 'adopted' | 'review' | 'deleted';
  exactGuid?: string;
  version: number;
  /** The fields as they should read back (created only). */
  expected?: Partial<CompanyFields>;
}

export interface PushResult {
  exactGuid: string;
  /** The company's version after the merge (the sync's own local changes included). */
  version: number;
  /** Fields sent to Exact, as they should read back. */
  expected: Partial<CompanyFields>;
  /** Fields taken from Exact into the company. */
  tookFromExact: SyncedField[];
  /** Fields changed on both sides sent to an operator. */
  review: SyncedField[];
}

export interface ReadBackResult {
  dropped: DroppedField[];
}

export interface BlockResult {
  version: number;
  blocked: boolean;
}

/** Exact's SearchCode marker of one create: `R` and nine random base32 characters (45 bits). */
export function newCreateRef(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  // 256 is a multiple of 32: every character is equally likely.
  return `R${[...randomBytes(9)].map((b) => alphabet[b & 31]).join('')}`;
}

/** The fields as the inbound side views an Exact account (an invalid KVK is no key), so both sides merge alike. */
export function remoteView(account: Pick<ExactAccount, 'fields'>): CompanyFields {
  return normaliseFields({ ...account.fields, chamberOfCommerceId: kvkKey(normaliseKvk(account.fields.chamberOfCommerceId)) });
}

/** The fields through Exact's wire form and back (the address line is formatted and parsed again). */
export function wireRoundTrip(fields: CompanyFields): CompanyFields {
  try {
    return fieldsFromWire(toExactWrite(fields)).fields;
  } catch {
    // A company without a name cannot be written; its hash is never compared.
    return normaliseFields(fields);
  }
}

/**
 * The fields of `written` whose value Exact did not keep (compared as both sides compare values).
 * With `before` (what the write wrote over): only those where Exact still holds that value. A third
 * value is no field Exact dropped but an edit an Exact user made after our write (the inbound sync
 * brings it as one): taking it for a drop would make it our base and overwrite it unseen. An address
 * line the parser would not split (a PO box) reads as empty parts: it is that third value unless it
 * is the very line the write wrote over.
 */
export function droppedFields(expected: Partial<CompanyFields>, account: Pick<ExactAccount, 'fields' | 'addressUnparsed'>, before?: WrittenOver): DroppedField[] {
  const actual = remoteView(account);
  const line = (text: string | null | undefined) => text?.replace(/\s+/g, ' ').trim() || null;
  const keptBefore = (field: SyncedField) => {
    if (before === undefined || !(field in before)) return true;
    if (!sameFieldValue(field, before[field] ?? null, actual[field])) return false;
    return !(ADDRESS_PARTS as readonly SyncedField[]).includes(field) || line(account.addressUnparsed) === line(before.addressUnparsed);
  };
  return (Object.keys(expected) as SyncedField[])
    .filter((field) => SYNCED_FIELDS.includes(field) && !sameFieldValue(field, expected[field] ?? null, actual[field]))
    .filter(keptBefore)
    .map((field) => ({ field, written: expected[field] ?? null, readBack: actual[field] }));
}

/** Only the named fields of `fields`. */
const pick = (fields: CompanyFields, names: readonly SyncedField[]): Partial<CompanyFields> => Object.fromEntries(names.map((f) => [f, fields[f]]));

const json = (value: unknown): Prisma.InputJsonValue => JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;

/** Exact's side of an account, as an operator compares it. */
const candidateOf = (a: ExactAccount) => ({ exactGuid: a.guid, code: a.code, fields: remoteView(a), kvkAsInExact: a.fields.chamberOfCommerceId, modifiedAt: a.modifiedAt.toISOString(), blocked: a.blocked, searchCode: a.searchCode });

export function createOutboundActivities(deps: OutboundDeps) {
  const { prisma, logger } = deps;

  const info = () => Context.current().info;
  const signal = () => Context.current().cancellationSignal;
  const correlationId = () => `workflow:${info().workflowExecution?.workflowId ?? info().activityId}`;

  /** Runs a step, turning Exact's conditions into results and recording failures on the link. */
  async function step<T extends object>(companyId: string, version: number, body: () => Promise<T>): Promise<ExactStep<T>> {
    const fail = async (kind: OutboundFailure['kind'], reason: string, gone = false) => {
      const failure: OutboundFailure = { kind, reason, version, at: new Date().toISOString() };
      if (gone) await recordAccountGone(prisma, companyId, failure);
      else await recordOutboundFailure(prisma, companyId, failure);
      logger.warn({ companyId, version, kind, reason }, 'company sync: a push to Exact did not go through');
    };
    try {
      return { kind: 'done', ...(await body()) };
    } catch (err) {
      if (err instanceof ExactBudgetExhausted) return { kind: 'budget', retryAtMs: err.retryAtMs };
      if (err instanceof ExactRequestRejected && err.status === 404) {
        const reason = `Exact has no such account any more (${err.message})`;
        await fail('gone', reason, true);
        return { kind: 'gone', reason };
      }
      if (err instanceof ExactRequestRejected || err instanceof ExactMappingError) {
        const reason = err instanceof ExactRequestRejected ? (err.vendorMessage ?? err.message) : err.message;
        await fail('rejected', reason);
        return { kind: 'rejected', reason };
      }
      if (err instanceof ExactAuthError && err.needsReauth) {
        await fail('needs_reauth', err.reason);
        return { kind: 'needs_reauth', reason: err.reason };
      }
      throw err;
    }
  }

  async function exactIn(division: number): Promise<OutboundExact> {
    return deps.accountsIn(division);
  }

  async function conflictFor(input: Parameters<typeof openOutboundConflict>[1]) {
    const conflict = await openOutboundConflict(prisma, input);
    await deps.startConflictWorkflow(conflict);
    logger.info({ companyId: input.companyId, kind: input.kind, conflictId: conflict.id }, 'company sync: sent to an operator');
    return conflict;
  }

  return {
    /** What the company needs next: read fresh at each pass, so a pass always pushes the latest version. */
    async prepareOutbound(input: { companyId: string }): Promise<OutboundPlan> {
      const company = await prisma.company.findUnique({ where: { id: input.companyId } });
      if (!company) return { action: 'missing' };
      const version = company.version;
      const link = await linkOfCompany(prisma, company.id);
      if (link?.syncStatus === 'IGNORED') return { action: 'ignored', version };
      const open = await openConflictOfCompany(prisma, company.id);
      if (company.deletedAt) {
        // Only a recorded block settles a deletion: a link touched since (an inbound apply, a field push) does not.
        if (!link || deletionSettled(link, company)) return { action: 'nothing', version };
        return { action: 'block', version, division: link.division };
      }
      // Its account was deleted in Exact after our last changes: an operator keeps it (recreate) or deletes it here.
      if (link?.deletedInSource) return open ? { action: 'wait', version, conflictId: open.id } : { action: 'nothing', version };
      if (link?.exactGuid) return { action: 'merge', version, division: link.division, exactGuid: link.exactGuid };
      if (open && link && (link.syncStatus === 'PENDING_REVIEW' || link.syncStatus === 'CONFLICT')) return { action: 'wait', version, conflictId: open.id };
      const division = link?.division ?? (await outboundDivision(prisma, deps.settings.outboundDivision));
      if (division === null) return { action: 'no_division', version };
      if (link?.createRef) return { action: 'create', version, division };
      const kvk = kvkKey(normaliseKvk(company.chamberOfCommerceId));
      return kvk ? { action: 'search_kvk', version, division, kvk } : { action: 'create', version, division };
    },

    /**
     * ADR scenario B: Exact accounts carrying the company's KVK. Exact neither validates nor keeps
     * it unique, so the spellings people type are searched and every hit compared normalised. Exactly
     * one, held by no other link and no other company's create: linked. Several, or the one held
     * elsewhere: an operator chooses. None: the caller creates.
     */
    async matchByKvk(input: { companyId: string; version: number; division: number; kvk: string }): Promise<ExactStep<KvkMatch>> {
      return step(input.companyId, input.version, async () => {
        const exact = await exactIn(input.division);
        const found = await exact.findAccounts({ chamberOfCommerce: kvkSpellings(input.kvk) }, { signal: signal() });
        const hits = found.filter((a) => kvkKey(normaliseKvk(a.fields.chamberOfCommerceId)) === input.kvk);
        if (hits.length === 0) return { outcome: 'none' as const, candidates: 0 };
        const review = async (reason: string, extra: object = {}) => {
          await conflictFor({
            companyId: input.companyId,
            division: input.division,
            kind: 'ambiguous_kvk',
            exactGuid: null,
            workflowId: WorkflowIds.syncConflictOfCompany(input.companyId),
            details: json({ reason, kvk: input.kvk, local: fieldsOf(await getCompany(prisma, input.companyId)), candidates: hits.map(candidateOf), ...extra }),
          });
          return { outcome: 'review' as const, candidates: hits.length };
        };
        if (hits.length > 1) return review(`${hits.length} Exact accounts carry this KVK number; choose the one this company is`);
        const [account] = hits as [ExactAccount];
        // An account another of Relay's companies created (its marker) is that company's, whatever its KVK.
        const creator = await findLinkByCreateRef(prisma, account.searchCode);
        if (creator && creator.companyId !== input.companyId) {
          return review('the one Exact account with this KVK number was created for another company', { heldBy: { syncId: creator.id, companyId: creator.companyId } });
        }
        const linked = await linkAccount(prisma, {
          companyId: input.companyId,
          division: input.division,
          account,
          rule: 'outbound-kvk',
          values: json({ kvk: input.kvk, kvkAsInExact: account.fields.chamberOfCommerceId, exactGuid: account.guid, code: account.code }),
          base: null,
          // The first merge follows: what Exact changes before it runs is an edit made in Exact.
          found: remoteView(account),
        });
        if (!linked.linked) return review('the one Exact account with this KVK number is linked to another record', { heldBy: linked.heldBy });
        logger.info({ companyId: input.companyId, exactGuid: account.guid }, 'company sync: linked to the Exact account carrying its KVK');
        return { outcome: 'linked' as const, exactGuid: account.guid, candidates: 1 };
      });
    },

    /**
     * Creates the company's Exact account exactly once. Exact's POST has no idempotency key, so a
     * marker (`createRef`, random, stored on the link before the first POST) goes into the
     * account's SearchCode. A marker stored earlier means an earlier attempt may have created the
     * account with its answer lost: it is looked up first — one account carrying it is ours
     * (nobody else knows the marker) and adopted, none means POST again with the same marker,
     * several go to an operator.
     */
    async createInExact(input: { companyId: string; version: number; division: number }): Promise<ExactStep<CreateResult>> {
      return step(input.companyId, input.version, async () => {
        const reserved = await reserveCreateRef(prisma, { companyId: input.companyId, division: input.division, fresh: newCreateRef() });
        const exact = await exactIn(input.division);
        if (reserved.reused) {
          const found = await exact.findAccounts({ searchCode: reserved.createRef }, { signal: signal() });
          const ours = found.filter((a) => a.searchCode === reserved.createRef);
          if (ours.length > 1) {
            await conflictFor({
              companyId: input.companyId,
              division: input.division,
              kind: 'ambiguous_create',
              exactGuid: null,
              workflowId: WorkflowIds.syncConflictOfCompany(input.companyId),
              details: json({ reason: `${ours.length} Exact accounts carry this company's create marker ${reserved.createRef}; choose the one to keep`, createRef: reserved.createRef, candidates: ours.map(candidateOf) }),
            });
            logger.error({ companyId: input.companyId, createRef: reserved.createRef, accounts: ours.length }, 'company sync: several Exact accounts carry one create marker');
            return { outcome: 'review' as const, version: input.version };
          }
          if (ours.length === 1) {
            const account = ours[0]!;
            // Its fields are what an earlier attempt sent: the base, so the merge that follows sends what changed since.
            const linked = await linkAccount(prisma, {
              companyId: input.companyId,
              division: input.division,
              account,
              rule: 'outbound-created',
              values: json({ searchCode: reserved.createRef, adopted: true }),
              base: remoteView(account),
            });
            if (!linked.linked) throw new Error(`the account carrying this company's create marker is linked elsewhere (${linked.heldBy.syncId})`);
            logger.info({ companyId: input.companyId, exactGuid: account.guid }, 'company sync: adopted the account an earlier create made (its answer was lost)');
            return { outcome: 'adopted' as const, exactGuid: account.guid, version: input.version };
          }
        }

        const company = await getCompany(prisma, input.companyId);
        if (company.deletedAt) return { outcome: 'deleted' as const, version: company.version };
        const fields = fieldsOf(company);
        const account = await exact.createAccount(fields, reserved.createRef, { addressUnparsed: company.addressUnparsed, signal: signal() });
        const expectedAll = echoView(fields, wireRoundTrip);
        // Recorded as soon as the ID is known (the marker identifies the create before that).
        await recordOwnWrite(prisma, account.guid, echoHashOf(expectedAll));
        const linked = await linkAccount(prisma, {
          companyId: company.id,
          division: input.division,
          account,
          rule: 'outbound-created',
          values: json({ searchCode: reserved.createRef }),
          base: expectedAll,
          localUpdatedAt: company.updatedAt,
        });
        if (!linked.linked) throw new Error(`the account just created is linked elsewhere (${linked.heldBy.syncId})`);
        logger.info({ companyId: company.id, exactGuid: account.guid, code: account.code }, 'company sync: created the Exact account');
        const written = SYNCED_FIELDS.filter((f) => fields[f] !== null);
        await recordWrittenOver(prisma, { syncId: linked.syncId, before: Object.fromEntries(written.map((f) => [f, null])) });
        return { outcome: 'created' as const, exactGuid: account.guid, version: company.version, expected: pick(expectedAll, written) };
      });
    },

    /**
     * A linked company: Exact's account read, both sides merged against the base snapshot (three
     * way, field by field), our side's changes sent (only those fields), Exact's taken into the
     * company (audited as the sync's), both-sided changes resolved by last write (audited with
     * before and after) or sent to an operator. The company is written first, at the version
     * read: an edit made meanwhile fails this attempt (it is retried on fresh data) before anything
     * went to Exact. The echo log gets the account's fields as they will read back before the PUT.
     */
    async pushLinked(input: { companyId: string; version: number }): Promise<ExactStep<PushResult>> {
      return step(input.companyId, input.version, async () => {
        const company = await getCompany(prisma, input.companyId);
        const link = await linkOfCompany(prisma, company.id);
        if (!link?.exactGuid) throw new NotFoundError(`company ${company.id} has no Exact account linked`);
        const guid = link.exactGuid;
        if (company.deletedAt) {
          // Deleted since the pass was planned (or this attempt is a retry after it): the version to push is the
          // deletion, so the account is blocked — its fields are not merged, and the link never says "pushed" without it.
          const blocked = await blockDeleted(company);
          return { exactGuid: guid, version: blocked.version, expected: {}, tookFromExact: [], review: [] };
        }
        const exact = await exactIn(link.division);
        const account = await exact.getAccount(guid, { signal: signal() });
        if (!account) throw new ExactRequestRejected({ status: 404, method: 'GET', endpoint: 'crm/Accounts', vendorMessage: 'the linked account is not in Exact' });

        const base = (link.baseSnapshot ?? null) as CompanyFields | null;
        const remote = remoteView(account);
        const merge = mergeFields({
          base,
          local: fieldsOf(company),
          remote,
          localModifiedAt: company.updatedAt,
          remoteModifiedAt: account.modifiedAt,
          manualReviewFields: deps.settings.manualReviewFields,
          found: base === null ? foundOf(link.conflictDetails) : null,
        });
        const review = merge.conflicts.filter((c) => c.winner === 'review');
        const key = `exact-out:${guid}:${account.modifiedAt.getTime()}:${company.version}`;
        const ctx = { actor: OUTBOUND_ACTOR, correlationId: correlationId(), idempotencyKey: key };

        const tookFromExact = Object.keys(merge.toLocal) as SyncedField[];
        const after = await takeFromExact(async () => prisma.$transaction(async (tx) => {
          let current = company;
          if (tookFromExact.length > 0) {
            current = await patchCompany(tx, company.id, company.version, { ...merge.toLocal, ...(account.addressUnparsed !== undefined ? { addressUnparsed: account.addressUnparsed } : {}) }, ctx, 'company.synced_from_exact');
          }
          for (const conflict of merge.conflicts.filter((c) => c.winner !== 'review')) {
            // Last write won: the overwritten value stays in the audit log, never silently gone.
            await writeAudit(tx, {
              ...ctx,
              idempotencyKey: `${key}:${conflict.field}`,
              action: 'company.field_conflict_resolved',
              entity: 'company',
              entityId: company.id,
              before: json(conflict),
              after: json({ [conflict.field]: merge.merged[conflict.field], rule: base === null ? 'first-link-exact-wins' : 'last-write-wins', side: 'outbound' }),
            });
          }
          return current;
        }));
        if (after instanceof UniqueTaken) {
          // Exact's value (a KVK typed there) is another company's here: that field goes to an operator as a
          // field conflict (keep ours, or merge choosing), and nothing is pushed meanwhile.
          const field = SYNCED_FIELDS.find((f) => f === after.field) ?? 'chamberOfCommerceId';
          const held = { field, base: base?.[field] ?? null, local: company[field] ?? null, remote: remote[field] ?? null, winner: 'review' as const };
          await conflictFor({
            companyId: company.id,
            division: link.division,
            kind: 'field_conflict',
            exactGuid: guid,
            workflowId: WorkflowIds.syncConflict(guid),
            details: json({ reason: `Exact's ${field} is held by another company here (${after.index})`, fields: [held], remote: candidateOf(account), local: fieldsOf(company) }),
          });
          return { exactGuid: guid, version: company.version, expected: {}, tookFromExact: [], review: [field] };
        }

        const sent = Object.keys(merge.toRemote) as SyncedField[];
        let expected: Partial<CompanyFields> = {};
        if (sent.length > 0) {
          const expectedAll = echoView({ ...remote, ...merge.toRemote }, wireRoundTrip);
          const hash = echoHashOf(expectedAll);
          await recordOwnWrite(prisma, guid, hash);
          try {
            // Right after the read or not at all: waiting for the budget here would send values merged with an
            // account an Exact user may have changed meanwhile, overwriting what they typed. Out of budget, the
            // workflow waits and the pass starts over with a fresh read.
            await exact.updateAccount(guid, merge.toRemote, { current: merge.merged, signal: signal(), maxBudgetWaitMs: 0 });
          } catch (err) {
            if (err instanceof ExactBudgetExhausted) await forgetOwnWrite(prisma, guid, hash);
            throw err;
          }
          expected = pick(expectedAll, sent);
        }

        // A field under review keeps its old base: it stays a conflict until an operator decides.
        const nextBase = { ...merge.merged };
        for (const c of review) nextBase[c.field] = base?.[c.field] ?? null;
        await recordPushed(prisma, {
          syncId: link.id,
          base: nextBase,
          exactUpdatedAt: account.modifiedAt,
          localUpdatedAt: after.updatedAt,
          status: review.length > 0 ? 'CONFLICT' : 'OK',
          writtenOver: sent.length > 0 ? { ...pick(remote, sent), ...(sent.some((f) => (ADDRESS_PARTS as readonly SyncedField[]).includes(f)) ? { addressUnparsed: account.addressUnparsed ?? null } : {}) } : undefined,
        });
        if (review.length > 0) {
          await conflictFor({
            companyId: company.id,
            division: link.division,
            kind: 'field_conflict',
            exactGuid: guid,
            workflowId: WorkflowIds.syncConflict(guid),
            details: json({ reason: 'changed on both sides; these fields are reviewed by an operator', fields: review, remote: candidateOf(account), local: fieldsOf(after) }),
          });
        }
        if (sent.length > 0 || tookFromExact.length > 0) logger.info({ companyId: company.id, exactGuid: guid, sent, tookFromExact, review: review.map((c) => c.field) }, 'company sync: merged with Exact');
        return { exactGuid: guid, version: after.version, expected, tookFromExact, review: review.map((c) => c.field) };
      });
    },

    /**
     * Reads the account back after a write and compares the fields written: a field Exact did not
     * keep is flagged on the link (conflict_details.readBack, requires_manual_review) and logged,
     * never assumed written.
     */
    async readBackExact(input: { companyId: string; version: number; exactGuid: string; expected: Partial<CompanyFields> }): Promise<ExactStep<ReadBackResult>> {
      return step(input.companyId, input.version, async () => {
        const link = await linkOfCompany(prisma, input.companyId);
        if (!link || link.exactGuid !== input.exactGuid) return { dropped: [] };
        const exact = await exactIn(link.division);
        const account = await exact.getAccount(input.exactGuid, { signal: signal() });
        if (!account) throw new ExactRequestRejected({ status: 404, method: 'GET', endpoint: 'crm/Accounts', vendorMessage: 'the account just written is not in Exact' });
        const before = writtenOver(link.conflictDetails);
        const dropped = droppedFields(input.expected, account, before);
        const changedSince = droppedFields(input.expected, account).filter((d) => !dropped.some((x) => x.field === d.field));
        if (changedSince.length > 0) {
          logger.info({ companyId: input.companyId, exactGuid: input.exactGuid, fields: changedSince.map((d) => d.field) }, 'company sync: changed in Exact since our write; the inbound sync brings it');
        }
        await recordReadBack(prisma, { syncId: link.id, dropped, at: new Date() });
        if (dropped.length > 0) {
          logger.warn({ companyId: input.companyId, exactGuid: input.exactGuid, fields: dropped.map((d) => d.field) }, 'company sync: Exact did not keep fields it was sent; flagged for review');
        }
        return { dropped };
      });
    },

    /**
     * A company deleted here: its Exact account is blocked (Relay never deletes in Exact). A create
     * whose answer was lost is looked up by its marker first, so its account is blocked too.
     */
    async blockInExact(input: { companyId: string; version: number }): Promise<ExactStep<BlockResult>> {
      return step(input.companyId, input.version, async () => blockDeleted(await getCompany(prisma, input.companyId)));
    },

    /**
     * How a run ended when no step recorded it (cancelled, a failure no step expected, no division):
     * the link is FAILED with the reason, and the scheduled re-request tries again.
     */
    async settleOutbound(input: { companyId: string; version: number; kind: 'cancelled' | 'error' | 'needs_reauth'; reason: string }): Promise<void> {
      await recordOutboundFailure(prisma, input.companyId, { kind: input.kind, reason: input.reason.slice(0, 500), version: input.version, at: new Date().toISOString() });
    },
  };

  /**
   * A company deleted here: its Exact account is blocked and the block recorded on the link (the
   * only record that settles a deletion, see deletionSettled). An account Exact no longer has needs
   * no block: the deletion counts as pushed.
   */
  async function blockDeleted(company: Company): Promise<BlockResult> {
    let link = await linkOfCompany(prisma, company.id);
    if (!link) return { version: company.version, blocked: false };
    const exact = await exactIn(link.division);
    let guid = link.exactGuid;
    if (!guid && link.createRef) {
      const ours = (await exact.findAccounts({ searchCode: link.createRef }, { signal: signal() })).filter((a) => a.searchCode === link!.createRef);
      if (ours.length === 0) {
        await recordNothingToBlock(prisma, { syncId: link.id, localUpdatedAt: company.updatedAt });
        return { version: company.version, blocked: false };
      }
      // One (or, against all odds, several) accounts this company's create made: each is blocked below.
      const [first] = ours as [ExactAccount];
      const linked = await linkAccount(prisma, { companyId: company.id, division: link.division, account: first, rule: 'outbound-created', values: json({ searchCode: link.createRef, adopted: true }), base: remoteView(first) });
      if (!linked.linked) throw new Error(`the account carrying this company's create marker is linked elsewhere (${linked.heldBy.syncId})`);
      for (const extra of ours.slice(1)) await blockOne(exact, extra.guid);
      guid = first.guid;
      link = (await linkOfCompany(prisma, company.id))!;
    }
    if (!guid) return { version: company.version, blocked: false };
    const outcome = await blockOne(exact, guid);
    if (outcome === 'gone') {
      await recordNothingToBlock(prisma, { syncId: link.id, localUpdatedAt: company.updatedAt, goneInExact: true });
      logger.info({ companyId: company.id, exactGuid: guid }, 'company sync: the Exact account of a deleted company is gone from Exact; nothing to block');
      return { version: company.version, blocked: false };
    }
    const alreadyBlocked = outcome === 'already';
    await recordBlocked(prisma, { syncId: link.id, localUpdatedAt: company.updatedAt, at: new Date(), alreadyBlocked });
    logger.info({ companyId: company.id, exactGuid: guid, alreadyBlocked }, 'company sync: blocked the Exact account of a deleted company');
    return { version: company.version, blocked: true };
  }

  /** Blocks one account unless it is blocked already (or not in Exact any more). */
  async function blockOne(exact: OutboundExact, guid: string): Promise<'blocked' | 'already' | 'gone'> {
    const account = await exact.getAccount(guid, { signal: signal() });
    if (!account) return 'gone';
    if (account.blocked) return 'already';
    // Blocking changes no synced field: its echo carries the fields as they are.
    await recordOwnWrite(prisma, guid, echoHashOf(remoteView(account)));
    await exact.blockAccount(guid, { signal: signal() });
    return 'blocked';
  }
}

/** The echo log's hash of fields in the inbound side's view (see echoView): what its apply will hash. */
const echoHashOf = (view: CompanyFields): string => fieldsHash(view);

export type OutboundActivities = ReturnType<typeof createOutboundActivities>;

/** A value Exact holds that a unique index gives to another company here (the write rolled back). */
class UniqueTaken {
  constructor(
    readonly index: string,
    readonly field: string,
  ) {}
}

/** Runs a local write, turning a unique violation into UniqueTaken instead of an activity retried forever. */
async function takeFromExact<T>(write: () => Promise<T>): Promise<T | UniqueTaken> {
  try {
    return await write();
  } catch (err) {
    const index = violatedIndex(err);
    if (index === undefined) throw err;
    const field = uniqueViolation(err)?.details?.field;
    return new UniqueTaken(index, typeof field === 'string' ? field : index);
  }
}
