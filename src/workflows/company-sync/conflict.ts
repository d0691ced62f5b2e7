import { ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ConflictActivities } from '../../activities/company-sync/conflict';
import { BusinessStatus } from '../../domain/search-attributes';
import { setBusinessStatus } from '../shared/business-status';
import {
  type ConflictOutcome,
  type ConflictState,
  type ResolveConflictRequest,
  conflictRefreshedSignal,
  conflictStateQuery,
  resolveConflictUpdate,
} from './definitions';

const activities = proxyActivities<ConflictActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: ['ConflictDecisionRefused'] },
});

/** Patch ids of changes made after this workflow shipped; old histories replay without them. */
export const SYNC_CONFLICT_PATCHES = {
  /** `recreate` and `delete` for an account deleted in Exact (kind `deleted_in_source`). */
  deletionDecisions: 'sync-conflict-deletion-decisions',
} as const;

export interface ConflictInput {
  conflictId: string;
  remindAfterMs: number;
  escalateAfterMs: number;
}

/**
 * One decision waiting for an operator (`sync-conflict-<exactGuid>`): link to an existing
 * company, create a new one, ignore, or merge chosen fields — delivered as an update whose
 * validator refuses what cannot apply, so the API answers with the outcome or the reason.
 * Untouched, it reminds and then escalates (alerts through the notifications feature). It
 * may wait for weeks: change it only behind `patched`, with a replay test.
 */
export async function syncConflictWorkflow(input: ConflictInput): Promise<ConflictOutcome | null> {
  const state: ConflictState = { conflictId: input.conflictId, kind: 'unknown', status: 'open', reminders: 0, escalated: false, candidateCompanyIds: [], candidateExactGuids: [] };
  let loaded = false;
  let applying = false;

  // Handlers first: a decision may arrive before the conflict is loaded; it waits for it, then is checked again.
  setHandler(conflictStateQuery, () => state);
  setHandler(conflictRefreshedSignal, (fresh) => {
    state.candidateCompanyIds = fresh.candidateCompanyIds;
    state.candidateExactGuids = fresh.candidateExactGuids;
  });
  setHandler(
    resolveConflictUpdate,
    async (request: ResolveConflictRequest) => {
      await condition(() => loaded);
      // Histories recorded before the deletion decisions replay with the rules they ran with.
      validate(state, request, applying, patched(SYNC_CONFLICT_PATCHES.deletionDecisions));
      applying = true;
      try {
        const outcome = await activities.applyConflictDecision({ conflictId: input.conflictId, ...request });
        state.outcome = outcome;
        state.status = 'resolved';
        return outcome;
      } finally {
        applying = false;
      }
    },
    // Validators never replay (they record nothing): they follow today's rules.
    { validator: (request: ResolveConflictRequest) => (loaded ? validate(state, request, applying, true) : undefined) },
  );

  const found = await activities.loadConflict({ conflictId: input.conflictId });
  Object.assign(state, { kind: found.kind, status: found.status, escalated: found.escalated, candidateCompanyIds: found.candidateCompanyIds, candidateExactGuids: found.candidateExactGuids });
  loaded = true;
  if (found.status === 'resolved') return null;

  setBusinessStatus(BusinessStatus.awaitingResolution);
  const started = Date.now();
  if (!(await condition(() => state.status === 'resolved', input.remindAfterMs))) {
    state.reminders++;
    await activities.alertConflict({ conflictId: input.conflictId, level: 'reminder', waitingMs: Date.now() - started });
    if (!(await condition(() => state.status === 'resolved', Math.max(0, input.escalateAfterMs - input.remindAfterMs)))) {
      state.escalated = true;
      await activities.alertConflict({ conflictId: input.conflictId, level: 'escalation', waitingMs: Date.now() - started });
      setBusinessStatus('escalated');
      await condition(() => state.status === 'resolved');
    }
  }
  await condition(allHandlersFinished);
  setBusinessStatus(BusinessStatus.completed, null);
  return state.outcome ?? null;
}

/**
 * What the update refuses before anything runs (the activity re-checks against the database, whose
 * conflict kind is the authority: an open conflict about an account can turn into `deleted_in_source`
 * after its workflow loaded it, so `recreate` and `delete` are left to the activity for any inbound kind).
 * `deletionDecisions` off: the rules as they were before those decisions existed.
 */
function validate(state: ConflictState, request: ResolveConflictRequest, applying: boolean, deletionDecisions: boolean): void {
  const refuse = (message: string) => {
    throw ApplicationFailure.nonRetryable(message, 'ConflictDecisionRefused');
  };
  if (state.status === 'resolved' || applying) refuse('this conflict is already resolved (or being resolved)');
  if (!request.operator) refuse('the operator making the decision must be named');
  const { decision } = request;
  const outbound = state.kind === 'ambiguous_kvk' || state.kind === 'ambiguous_create';
  if (deletionDecisions) {
    const deleted = state.kind === 'deleted_in_source';
    if (decision.action === 'recreate' || decision.action === 'delete') {
      if (outbound) refuse(`${decision.action} applies only to an account deleted in Exact`);
      return;
    }
    if (deleted) refuse('the Exact account was deleted: keep our company and create it in Exact again (recreate), or delete it here too (delete)');
  }
  switch (decision.action) {
    case 'link_exact':
      if (!outbound) refuse('link_exact applies only when several Exact accounts carry our company’s KVK');
      if (!state.candidateExactGuids.includes(decision.exactGuid)) refuse(`Exact account ${decision.exactGuid} is not one of this conflict’s candidates`);
      return;
    case 'link':
    case 'merge':
      if (outbound) refuse(`${decision.action} needs an Exact account in conflict; for several Exact accounts choose one with link_exact`);
      if (!decision.companyId) refuse('companyId is required');
      if (decision.action === 'merge' && Object.keys(decision.fields ?? {}).length === 0) refuse('merge needs at least one field and the side it takes');
      return;
    case 'create':
      if (outbound) refuse('our company exists already; choose one of the Exact accounts (link_exact) or ignore');
      return;
    case 'ignore':
      return;
    default:
      refuse(`unknown decision ${(decision as { action?: string }).action}`);
  }
}
