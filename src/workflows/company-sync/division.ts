import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  executeChild,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { setBusinessStatus } from '../shared/business-status';
import {
  type DivisionJobKind,
  type DivisionState,
  type InboundRunSummary,
  divisionStateQuery,
  requestDivisionWorkSignal,
} from './definitions';
import { exactImportWorkflow, exactIncrementalWorkflow, exactReconcileWorkflow } from './inbound-run';

/**
 * The one owner of an Exact division's cursor (`exact-division-<division>`): imports,
 * incremental runs and reconciliations are requested by signal (schedules, the API) and run
 * one at a time as its children, so no two of them ever read or move the cursor together.
 * A kind already waiting is not queued twice (overlapping triggers coalesce). When Exact's
 * budget runs out, the run ends partial and the owner waits for the budget before resuming.
 * Exact's rate budget itself lives in PostgreSQL, shared with outbound writes.
 */

export interface DivisionInput {
  division: number;
  pending?: DivisionJobKind[];
  recent?: InboundRunSummary[];
  waitUntil?: string;
}

const JOBS_PER_RUN = 50;
const RECENT = 10;

export async function exactDivisionWorkflow(input: DivisionInput): Promise<void> {
  const { division } = input;
  const pending: DivisionJobKind[] = [...(input.pending ?? [])];
  const recent: InboundRunSummary[] = [...(input.recent ?? [])];
  let running: DivisionState['running'];
  let waitUntil = input.waitUntil;
  let jobs = 0;

  setHandler(requestDivisionWorkSignal, ({ kind }) => enqueue(pending, kind));
  setHandler(divisionStateQuery, () => ({ division, running, pending: [...pending], waitingForBudgetUntil: waitUntil, recent: [...recent] }));

  for (;;) {
    await condition(() => pending.length > 0 || jobs >= JOBS_PER_RUN || workflowInfo().continueAsNewSuggested);
    if (pending.length === 0 || jobs >= JOBS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof exactDivisionWorkflow>({ division, pending, recent, waitUntil });
    }
    if (waitUntil && Date.parse(waitUntil) > Date.now()) {
      setBusinessStatus('waiting-for-budget', new Date(waitUntil));
      await sleep(Date.parse(waitUntil) - Date.now());
    }
    waitUntil = undefined;
    const kind = pending.shift()!;
    const workflowId = childId(division, kind);
    running = { kind, workflowId, since: new Date().toISOString() };
    setBusinessStatus(BusinessStatus.running);
    const result = await runChild(division, kind, workflowId);
    running = undefined;
    jobs++;
    recent.unshift(result);
    recent.splice(RECENT);
    if (result.outcome === 'partial' && result.resumeAt) {
      waitUntil = result.resumeAt;
      // Resume the same work first once the budget is back.
      if (!pending.includes(kind)) pending.unshift(kind);
    }
    setBusinessStatus(pending.length ? BusinessStatus.running : 'idle');
  }
}

/** An import covers what an incremental run would fetch; a reconciliation runs after either. */
function enqueue(pending: DivisionJobKind[], kind: DivisionJobKind): void {
  if (pending.includes(kind)) return;
  if (kind === 'import') {
    const i = pending.indexOf('incremental');
    if (i >= 0) pending.splice(i, 1);
    pending.unshift('import');
    return;
  }
  if (kind === 'incremental' && pending.includes('import')) return;
  pending.push(kind);
}

function childId(division: number, kind: DivisionJobKind): string {
  const at = new Date().toISOString().replace(/[:.]/g, '');
  if (kind === 'import') return WorkflowIds.exactImport(division);
  return kind === 'incremental' ? WorkflowIds.exactIncremental(division, at) : WorkflowIds.exactReconcile(division, at);
}

async function runChild(division: number, kind: DivisionJobKind, workflowId: string): Promise<InboundRunSummary> {
  const workflow = kind === 'import' ? exactImportWorkflow : kind === 'incremental' ? exactIncrementalWorkflow : exactReconcileWorkflow;
  try {
    return await executeChild(workflow, {
      workflowId,
      args: [{ division, kind }],
      // The owner's own continue-as-new must not cancel a run in flight; it is awaited before.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      typedSearchAttributes: relaySearchAttributes({ integration: 'company-sync', entity: 'exact-division', entityId: String(division), status: BusinessStatus.running }),
    });
  } catch (err) {
    // A failed run (an Exact rejection, a connection needing re-authorisation) is reported, not fatal to the owner.
    const message = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return { kind, workflowId, outcome: 'failed', pages: 0, accounts: 0, created: 0, updated: 0, unchanged: 0, conflicts: 0, quarantined: 0, deleted: 0, cursor: '', error: message };
  }
}
