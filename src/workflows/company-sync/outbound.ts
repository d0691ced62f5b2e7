import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ExactStep, OutboundActivities, OutboundPlan } from '../../activities/company-sync/outbound';
import type { CompanyFields } from '../../domain/company-sync/company-fields';
import { BusinessStatus } from '../../domain/search-attributes';
import { setBusinessStatus } from '../shared/business-status';
import { type OutboundState, companyChangedSignal, outboundStateQuery } from './definitions';

/** Bookkeeping in PostgreSQL only: quick, idempotent, retried until it works. */
const bookkeeping = proxyActivities<OutboundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Steps that call Exact: retried with backoff while Exact is unreachable (a lost answer is looked
 * up by the step itself). Exact's budget, refusals and a connection needing re-authorisation come
 * back as results, not failures (see ExactStep).
 */
const exact = proxyActivities<OutboundActivities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', nonRetryableErrorTypes: ['InvalidInput'] },
});

export interface CompanySyncInput {
  companyId: string;
  /** The company's version the request was made for (the signal-with-start's first edit). */
  version: number;
  /** Who asked: an API key name, `exact-inbound`, `operator:<name>`, `schedule`. */
  by: string;
  /** Carried over continue-as-new: the last version pushed. */
  pushedVersion?: number;
}

/** Passes (pushes) in one run before it continues as new, so a company edited all day keeps a short history. */
const PASSES_PER_RUN = 100;

/** Why a pass did not end synced; `pushedVersion` when it pushed all but what waits for an operator. */
class Stop {
  constructor(
    readonly status: OutboundState['status'],
    readonly reason?: string,
    readonly pushedVersion?: number,
  ) {}
}

/**
 * The outbound sync of one company to Exact (`company-sync-<companyId>`), started with
 * signal-with-start by every write of the company. Edits that arrive while it pushes only raise
 * the requested version, so a burst of edits becomes one more push, not one per edit; the run
 * ends once the version pushed is the highest requested (a later edit starts a new run).
 *
 * Each pass reads the company afresh and does what it needs: block the Exact account of a
 * deleted company; link an unlinked one to the one Exact account with its KVK, or send it to an
 * operator when several carry it, or create it (exactly once, see `createInExact`); merge a
 * linked one with Exact three-way and update Exact; read back what was written.
 *
 * Exact's budget spent: wait on a durable timer until it returns, then go on — not a failure.
 * Exact refusing the data (4xx): the link is FAILED with Exact's reason and the run fails,
 * unless a newer edit arrived meanwhile (it may fix what Exact refused). However the run ends —
 * failed, cancelled — the link records it (the finally below), and `outboundStateQuery` says it.
 */
export async function companySyncOutboundWorkflow(input: CompanySyncInput): Promise<OutboundState> {
  const state: OutboundState = { companyId: input.companyId, requestedVersion: input.version, status: 'syncing', ...(input.pushedVersion !== undefined ? { pushedVersion: input.pushedVersion } : {}) };
  setHandler(companyChangedSignal, ({ version }) => {
    if (version > state.requestedVersion) state.requestedVersion = version;
  });
  setHandler(outboundStateQuery, () => state);

  /** The version the current pass works on (for the link's failure record). */
  let attempting = input.version;
  let recorded = false;
  try {
    setBusinessStatus(BusinessStatus.running, null);
    for (let passes = 0; state.pushedVersion === undefined || state.requestedVersion > state.pushedVersion; passes++) {
      if (passes >= PASSES_PER_RUN || workflowInfo().continueAsNewSuggested) {
        // Not an ending: the next run carries on (its own finally records how it ends).
        recorded = true;
        return await continueAsNew<typeof companySyncOutboundWorkflow>({ companyId: input.companyId, version: state.requestedVersion, by: input.by, pushedVersion: state.pushedVersion });
      }
      state.status = 'syncing';
      delete state.lastError;
      const outcome = await pass(state, (v) => (attempting = v));
      if (outcome instanceof Stop) {
        state.status = outcome.status;
        if (outcome.reason !== undefined) state.lastError = outcome.reason;
        if (outcome.pushedVersion !== undefined) state.pushedVersion = Math.max(state.pushedVersion ?? 0, outcome.pushedVersion);
        // Edits made meanwhile are pushed still (the fields under review stay out of it), and a
        // newer edit may fix what Exact refused: push it before giving up.
        const newer = outcome.pushedVersion !== undefined ? state.requestedVersion > outcome.pushedVersion : outcome.status === 'failed' && state.requestedVersion > attempting;
        if (newer) continue;
        recorded = true;
        break;
      }
      state.pushedVersion = Math.max(state.pushedVersion ?? 0, outcome);
      state.status = 'synced';
    }
    recorded = true;
    if (state.status === 'failed') {
      setBusinessStatus(BusinessStatus.failed, null);
      throw ApplicationFailure.nonRetryable(`company ${input.companyId} was not synced to Exact: ${state.lastError ?? 'failed'}`, 'CompanySyncFailed', state);
    }
    if (state.status === 'syncing') state.status = 'synced';
    setBusinessStatus(state.status === 'pending_review' ? BusinessStatus.awaitingResolution : BusinessStatus.completed, null);
    return state;
  } catch (err) {
    if (recorded) throw err;
    // Cancelled, or a failure no step expected: the link says so (the scheduled re-request retries it).
    const cancelled = isCancellation(err);
    state.status = 'failed';
    state.lastError = cancelled ? 'cancelled' : messageOf(err);
    await CancellationScope.nonCancellable(() =>
      bookkeeping.settleOutbound({ companyId: input.companyId, version: attempting, kind: cancelled ? 'cancelled' : 'error', reason: state.lastError ?? 'failed' }),
    );
    setBusinessStatus(cancelled ? BusinessStatus.cancelled : BusinessStatus.failed, null);
    if (!cancelled) log.warn('company sync failed', { companyId: input.companyId, error: state.lastError });
    throw err;
  }
}

/**
 * One push of the company as it is now: the version pushed, or why the run stops. Exact's budget
 * running out anywhere waits for it and starts the pass over (every step is safe to repeat).
 */
async function pass(state: OutboundState, attempt: (version: number) => void): Promise<number | Stop> {
  for (;;) {
    const plan = await bookkeeping.prepareOutbound({ companyId: state.companyId });
    if (plan.action !== 'missing') attempt(plan.version);
    const result = await follow(state, plan);
    if (result !== RETRY) return result;
  }
}

/** Marks "the budget ran out, we waited: plan again". */
const RETRY = Symbol('retry');

async function follow(state: OutboundState, plan: OutboundPlan): Promise<number | Stop | typeof RETRY> {
  switch (plan.action) {
    case 'missing':
      return new Stop('failed', 'no such company');
    case 'ignored':
    case 'nothing':
      return plan.version;
    case 'no_division':
      await bookkeeping.settleOutbound({ companyId: state.companyId, version: plan.version, kind: 'error', reason: 'no Exact division is connected' });
      return new Stop('failed', 'no Exact division is connected');
    case 'wait':
      return new Stop('pending_review', `waiting for an operator (conflict ${plan.conflictId})`);
    case 'block': {
      const blocked = await outcomeOf(state, await exact.blockInExact({ companyId: state.companyId, version: plan.version }));
      return blocked === RETRY || blocked instanceof Stop ? blocked : blocked.version;
    }
    case 'search_kvk': {
      const match = await outcomeOf(state, await exact.matchByKvk({ companyId: state.companyId, version: plan.version, division: plan.division, kvk: plan.kvk }));
      if (match === RETRY || match instanceof Stop) return match;
      if (match.outcome === 'review') return new Stop('pending_review', `${match.candidates} Exact accounts carry the company's KVK, or the one that does is another's: waiting for an operator`);
      if (match.outcome === 'linked') {
        state.exactGuid = match.exactGuid;
        return merge(state, plan.version);
      }
      return create(state, plan.version, plan.division);
    }
    case 'create':
      return create(state, plan.version, plan.division);
    case 'merge':
      state.exactGuid = plan.exactGuid;
      return merge(state, plan.version);
  }
}

async function create(state: OutboundState, version: number, division: number): Promise<number | Stop | typeof RETRY> {
  const created = await outcomeOf(state, await exact.createInExact({ companyId: state.companyId, version, division }));
  if (created === RETRY || created instanceof Stop) return created;
  if (created.exactGuid) state.exactGuid = created.exactGuid;
  switch (created.outcome) {
    case 'review':
      return new Stop('pending_review', 'several Exact accounts carry this company’s create marker: waiting for an operator');
    case 'deleted':
      // Deleted meanwhile: the next pass blocks what exists.
      return RETRY;
    case 'adopted':
      // What an earlier attempt created: bring it up to date.
      return merge(state, created.version);
    case 'created':
      return readBack(state, created.version, created.exactGuid!, created.expected ?? {});
  }
}

async function merge(state: OutboundState, version: number): Promise<number | Stop | typeof RETRY> {
  const pushed = await outcomeOf(state, await exact.pushLinked({ companyId: state.companyId, version }));
  if (pushed === RETRY || pushed instanceof Stop) return pushed;
  state.exactGuid = pushed.exactGuid;
  if (Object.keys(pushed.expected).length > 0) {
    const checked = await readBack(state, pushed.version, pushed.exactGuid, pushed.expected);
    if (checked === RETRY || checked instanceof Stop) return checked;
  }
  if (pushed.review.length > 0) return new Stop('pending_review', `fields changed on both sides wait for an operator: ${pushed.review.join(', ')}`, pushed.version);
  return pushed.version;
}

async function readBack(state: OutboundState, version: number, exactGuid: string, expected: Partial<CompanyFields>): Promise<number | Stop | typeof RETRY> {
  const checked = await outcomeOf(state, await exact.readBackExact({ companyId: state.companyId, version, exactGuid, expected }));
  if (checked === RETRY || checked instanceof Stop) return checked;
  if (checked.dropped.length > 0) state.lastError = `Exact did not keep: ${checked.dropped.map((d) => d.field).join(', ')}`;
  return version;
}

/**
 * A step's result for the pass: its value; RETRY after waiting out Exact's budget on a durable
 * timer; or Stop when Exact refused, lost the account, or needs the connection re-authorised
 * (the step recorded that on the link).
 */
async function outcomeOf<T>(state: OutboundState, result: ExactStep<T>): Promise<T | Stop | typeof RETRY> {
  switch (result.kind) {
    case 'done':
      return result;
    case 'budget': {
      const until = new Date(result.retryAtMs);
      setBusinessStatus('waiting-for-budget', until);
      log.info('Exact budget spent; waiting', { companyId: state.companyId, until: until.toISOString() });
      await sleep(Math.max(1, result.retryAtMs - Date.now()));
      setBusinessStatus(BusinessStatus.running, null);
      return RETRY;
    }
    case 'rejected':
      return new Stop('failed', `Exact refused it: ${result.reason}`);
    case 'gone':
      return new Stop('failed', result.reason);
    case 'needs_reauth':
      return new Stop('failed', `the Exact connection needs re-authorising (${result.reason})`);
  }
}

function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
