import { Context } from '@temporalio/activity';
import { applyLanes } from '../../domain/company-sync/apply-lanes';
import { fieldsHash } from '../../domain/company-sync/field-hash';
import type { CompanyFields } from '../../domain/company-sync/company-fields';
import { type InboundResult, applyInboundAccount, localView } from '../../db/company-sync/inbound-apply';
import { conflictsWithoutWorkflow } from '../../db/company-sync/conflicts';
import { applyDeletedAccount } from '../../db/company-sync/deletions';
import { advanceAccountsCursor, advanceDeletedCursor, divisionState, markImportCompleted, resetCursors } from '../../db/company-sync/divisions';
import { clearQuarantinedGuids, dueQuarantined, openQuarantineCount, quarantine, resolveQuarantined } from '../../db/company-sync/quarantine';
import type { Prisma } from '../../generated/prisma/client';
import { ExactBudgetExhausted } from '../../integrations/exact/errors';
import type { ExactDeletedAccount, ExactSyncAccount } from '../../integrations/exact/mapping';
import type { DivisionJobKind } from '../../workflows/company-sync/definitions';
import type { CompanySyncDeps } from './deps';

/**
 * The inbound side's activities: each Sync API page is fetched and applied in one activity
 * (pages never pass through workflow history), each account in its own transaction; the
 * division's cursor moves past what was applied or quarantined, never past a lost record.
 */

/** Accounts applied side by side (each its own transaction, its own pooled connection). */
const APPLY_CONCURRENCY = 6;
const HEARTBEAT_EVERY_MS = 5_000;
/** A budget that returns later than this is the day's, not the minute's. */
const DAY_BUDGET_ALERT_AFTER_MS = 5 * 60_000;

export interface PageCounts {
  accounts: number;
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  quarantined: number;
}

export interface AccountsPageResult extends PageCounts {
  next?: string;
  cursor: string;
  /** Exact's budget is spent until then: the run ends partial, the cursor saved. */
  budgetRetryAt?: string;
}

export function createInboundActivities(deps: CompanySyncDeps) {
  const { prisma, logger } = deps;
  const actor = () => `workflow:${Context.current().info.workflowExecution?.workflowId ?? "unknown"}`;

  /**
   * Applies what arrived, one account per transaction; a failure goes to the quarantine, not up.
   * Accounts that share no key are applied side by side (src/domain/company-sync/apply-lanes.ts).
   */
  async function applyAll(division: number, rows: readonly ExactSyncAccount[], force: (row: ExactSyncAccount) => Promise<boolean>) {
    const counts: PageCounts = { accounts: rows.length, created: 0, updated: 0, unchanged: 0, conflicts: 0, quarantined: 0 };
    const applied: string[] = [];
    const after: InboundResult[] = [];
    const applyOne = async (row: ExactSyncAccount) => {
      try {
        const result = await applyInboundAccount(prisma, row, { division, manualReviewFields: deps.settings.manualReviewFields, actor: actor(), correlationId: actor(), force: await force(row) });
        applied.push(row.guid);
        after.push(result);
        if (result.outcome === 'created') counts.created++;
        else if (result.outcome === 'updated') counts.updated++;
        else if (result.outcome === 'conflict' || result.outcome === 'review') counts.conflicts++;
        else counts.unchanged++;
      } catch (err) {
        counts.quarantined++;
        logger.warn({ division, exactGuid: row.guid, err: errorText(err) }, 'company sync: an Exact account could not be applied; quarantined for its own retries');
        await quarantine(prisma, division, row.guid, toPayload(row), row.timestamp, errorText(err));
      }
    };
    const lanes = applyLanes(rows);
    const runLane = async () => {
      for (let lane = lanes.shift(); lane; lane = lanes.shift()) for (const row of lane) await applyOne(row);
    };
    await Promise.all(Array.from({ length: Math.min(APPLY_CONCURRENCY, lanes.length) }, runLane));
    await clearQuarantinedGuids(prisma, division, applied);
    await followUp(after);
    return counts;
  }

  /** After commit: conflicts get their workflow, companies holding values Exact lacks get pushed. */
  async function followUp(results: readonly InboundResult[]): Promise<void> {
    for (const r of results) {
      if (r.conflict) await deps.startConflictWorkflow(r.conflict);
      if (r.pushCompanyId) await deps.requestOutbound(r.pushCompanyId, 'exact-inbound');
    }
  }

  /**
   * A deletion from Exact (src/db/company-sync/deletions.ts): true when it applied. One our company
   * outdates goes to an operator; its conflict's workflow starts once the deletion is committed.
   */
  async function applyDeletion(row: ExactDeletedAccount): Promise<boolean> {
    const result = await applyDeletedAccount(prisma, row, { actor: actor(), correlationId: actor() });
    if (result.conflict) {
      await deps.startConflictWorkflow(result.conflict);
      logger.info({ exactGuid: row.guid, conflictId: result.conflict.id }, 'company sync: an account deleted in Exact whose company changed here since goes to an operator');
    }
    return result.applied;
  }

  async function budgeted<T>(division: number, call: () => Promise<T>): Promise<T | { budgetRetryAt: string }> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ExactBudgetExhausted)) throw err;
      const budgetRetryAt = new Date(err.retryAtMs).toISOString();
      // The day's budget (not the minute's) is spent: operators hear of it once per reset.
      if (err.retryAtMs - Date.now() > DAY_BUDGET_ALERT_AFTER_MS) {
        await deps.alerts.raise({ kind: 'daily_budget_exhausted', key: `${division}:${budgetRetryAt}`, subject: { division, resumesAt: budgetRetryAt } });
      }
      return { budgetRetryAt };
    }
  }

  /**
   * Heartbeats every few seconds while a long activity runs (a budget wait, a slow page, a big
   * apply), so a worker killed mid-page is noticed within the heartbeat timeout, not the
   * activity's whole start-to-close time.
   */
  async function whileBeating<T>(work: () => Promise<T>): Promise<T> {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await work();
    } finally {
      clearInterval(beat);
    }
  }

  /** A quarantine that grew during a run is news for operators (one alert per division and size). */
  async function alertIfQuarantineGrew(division: number, before: number): Promise<void> {
    const open = await openQuarantineCount(prisma, division);
    if (open > before) await deps.alerts.raise({ kind: 'quarantine_growing', key: `${division}:${open}`, subject: { division, quarantined: open, before } });
  }

  return {
    async beginInboundRun(input: { division: number; kind: DivisionJobKind }): Promise<{ expectedAccounts?: number; budgetRetryAt?: string; quarantined: number }> {
      const { division, kind } = input;
      const quarantined = await openQuarantineCount(prisma, division);
      const exact = await deps.exactFor(division);
      const state = await divisionState(prisma, division);
      const moved = await budgeted(division, () => exact.divisionMoveDate());
      if (typeof moved === 'object' && moved !== null && 'budgetRetryAt' in moved) return { ...moved, quarantined };
      const changed = (moved?.getTime() ?? null) !== (state.divisionMoveDate?.getTime() ?? null);
      if (changed && (state.importCompletedAt || state.accountsCursor > 1n)) {
        // Exact moved the division to another database: its timestamps restarted, so everything is read again.
        logger.warn({ division }, 'company sync: Exact moved the division (DivisionMoveDate changed); syncing it again from the start');
        await resetCursors(prisma, division, moved);
      } else if (changed) {
        await prisma.exactDivision.update({ where: { division }, data: { divisionMoveDate: moved } });
      }
      if (kind !== 'import') return { quarantined };
      await resetCursors(prisma, division);
      if (!exact.countAccounts) return { quarantined };
      const count = await budgeted(division, () => exact.countAccounts!());
      return typeof count === 'number' ? { expectedAccounts: count, quarantined } : { quarantined };
    },

    applyAccountsPage: (input: { division: number; kind: DivisionJobKind; next?: string; startedAt: string }) => whileBeating(() => applyAccountsPage(input)),
    applyDeletedPage: (input: { division: number; next?: string }) => whileBeating(() => applyDeletedPage(input)),
    finishInboundRun: (input: { division: number; kind: DivisionJobKind; startedAt: string; quarantinedAtStart?: number }) => whileBeating(() => finishInboundRun(input)),

    async requestDivisionWork(input: { division: number; kind: DivisionJobKind; requestedBy: string }): Promise<void> {
      await deps.requestDivisionWork(input.division, input.kind, input.requestedBy);
    },
  };

  async function applyAccountsPage(input: { division: number; kind: DivisionJobKind; next?: string; startedAt: string }): Promise<AccountsPageResult> {
    const { division, kind } = input;
    const exact = await deps.exactFor(division);
    const state = await divisionState(prisma, division);
    // A reconciliation reads everything from the start and leaves the cursor where it is.
    const from = kind === 'reconcile' ? 1n : state.accountsCursor;
    const page = await budgeted(division, () => exact.syncAccounts(from, input.next));
    if ('budgetRetryAt' in page) return { ...emptyCounts(), cursor: from.toString(), budgetRetryAt: page.budgetRetryAt };
    const rows = [...page.rows].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
    const force = kind === 'reconcile' ? driftCheck(prisma) : async () => false;
    const counts = await applyAll(division, rows, force);
    const max = rows.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), from);
    if (kind === 'reconcile') {
      await prisma.companySync.updateMany({ where: { exactGuid: { in: rows.map((r) => r.guid) } }, data: { reconciledAt: new Date() } });
    } else {
      await advanceAccountsCursor(prisma, division, max);
    }
    return { ...counts, next: page.next, cursor: (kind === 'reconcile' ? state.accountsCursor : max > state.accountsCursor ? max : state.accountsCursor).toString() };
  }

  async function applyDeletedPage(input: { division: number; next?: string }): Promise<{ next?: string; deleted: number; budgetRetryAt?: string }> {
    const { division } = input;
    const exact = await deps.exactFor(division);
    const state = await divisionState(prisma, division);
    const page = await budgeted(division, () => exact.syncDeleted(state.deletedCursor, input.next));
    if ('budgetRetryAt' in page) return { deleted: 0, budgetRetryAt: page.budgetRetryAt };
    let deleted = 0;
    for (const row of page.rows) if (await applyDeletion(row)) deleted++;
    const max = page.rows.reduce((m, r) => (r.timestamp > m ? r.timestamp : m), state.deletedCursor);
    await advanceDeletedCursor(prisma, division, max);
    return { next: page.next, deleted };
  }

  async function finishInboundRun(input: { division: number; kind: DivisionJobKind; startedAt: string; quarantinedAtStart?: number }): Promise<{ deleted: number; quarantineCleared: number; budgetRetryAt?: string }> {
    const { division, kind } = input;
    let deleted = 0;
    const quarantinedBefore = input.quarantinedAtStart ?? 0;
    if (kind === 'import') await markImportCompleted(prisma, division);
    if (kind === 'reconcile') deleted = await missedDeletions(division, new Date(input.startedAt));
    const quarantineCleared = await retryQuarantine(division);
    for (const c of await conflictsWithoutWorkflow(prisma, division)) await deps.startConflictWorkflow(c);
    for (const companyId of await deps.pendingOutbound(division)) await deps.requestOutbound(companyId, 'exact-sweep');
    await alertIfQuarantineGrew(division, quarantinedBefore);
    return { deleted, quarantineCleared };
  }

  /** Accounts linked before the pass began that the full pass did not see were deleted in Exact (the deletion log keeps 2 months only). */
  async function missedDeletions(division: number, startedAt: Date): Promise<number> {
    const unseen = await prisma.companySync.findMany({
      where: { division, deletedInSource: false, exactGuid: { not: null }, createdAt: { lt: startedAt }, OR: [{ reconciledAt: null }, { reconciledAt: { lt: startedAt } }] },
      select: { exactGuid: true, lastTimestamp: true },
    });
    let deleted = 0;
    for (const link of unseen) if (await applyDeletion({ guid: link.exactGuid!, timestamp: link.lastTimestamp ?? 0n, deletedAt: null })) deleted++;
    if (deleted) logger.warn({ division, deleted }, 'company sync: reconciliation found accounts deleted in Exact that the deletion log did not report');
    return deleted;
  }

  async function retryQuarantine(division: number): Promise<number> {
    let cleared = 0;
    for (const entry of await dueQuarantined(prisma, division)) {
      const row = fromPayload(entry.payload);
      try {
        const result = await applyInboundAccount(prisma, row, { division, manualReviewFields: deps.settings.manualReviewFields, actor: actor(), correlationId: actor() });
        await resolveQuarantined(prisma, entry.id);
        await followUp([result]);
        cleared++;
      } catch (err) {
        await quarantine(prisma, division, row.guid, toPayload(row), row.timestamp, errorText(err));
      }
    }
    return cleared;
  }
}

/** Reconciliation re-applies an account whose fields differ from what we last synced (drift). */
function driftCheck(prisma: CompanySyncDeps['prisma']) {
  return async (row: ExactSyncAccount): Promise<boolean> => {
    const link = await prisma.companySync.findUnique({ where: { exactGuid: row.guid }, select: { baseSnapshot: true, companyId: true } });
    if (!link?.companyId || !link.baseSnapshot) return false;
    return fieldsHash(link.baseSnapshot as CompanyFields) !== fieldsHash(localView(row));
  };
}

const emptyCounts = (): PageCounts => ({ accounts: 0, created: 0, updated: 0, unchanged: 0, conflicts: 0, quarantined: 0 });

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

function toPayload(row: ExactSyncAccount): Prisma.InputJsonValue {
  return { ...row, timestamp: row.timestamp.toString(), modifiedAt: row.modifiedAt.toISOString() } as unknown as Prisma.InputJsonValue;
}

function fromPayload(payload: Prisma.JsonValue): ExactSyncAccount {
  const p = payload as unknown as ExactSyncAccount & { timestamp: string; modifiedAt: string };
  return { ...p, timestamp: BigInt(p.timestamp), modifiedAt: new Date(p.modifiedAt) };
}

export type InboundActivities = ReturnType<typeof createInboundActivities>;
