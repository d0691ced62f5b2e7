import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { companyChangedSignal } from '../../workflows/company-sync/definitions';
import { companySyncOutboundWorkflow } from '../../workflows/company-sync/outbound';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

/** The company sync's task queue key (Temporal queue `relay-exact`). */
export const COMPANY_SYNC_QUEUE = 'exact';

export interface CompanySyncRequest {
  companyId: string;
  /**
   * The company's version after the write that asks for the sync. Without it (a push asked for by
   * something else than an edit, e.g. the inbound side finding values Exact lacks): a new run
   * pushes the company as it is; a running one pushes its latest version anyway.
   */
  version?: number;
  /** Who wrote it: an API key name, `exact-inbound`, `operator:<name>`, `schedule`. */
  by: string;
}

/**
 * Asks for a company's outbound sync to Exact: signal-with-start on `company-sync-<companyId>`,
 * so the first write starts the workflow and writes made while it runs only raise the version it
 * pushes next (coalescing: one push per burst, never two pushes of one company racing). A closed
 * run (caught up, failed, cancelled) is followed by a new one.
 *
 * Called after the company row is committed; should this process die in between, the scheduled
 * run finds the company through `pendingOutboundCompanies` and asks again. Asking twice for the
 * same version costs a signal, never a second push.
 */
export async function requestCompanySync(ctx: StarterContext, request: CompanySyncRequest): Promise<{ workflowId: string; runId: string }> {
  const workflowId = WorkflowIds.companySync(request.companyId);
  const version = request.version ?? 0;
  const handle = await ctx.client.workflow.signalWithStart(companySyncOutboundWorkflow, {
    workflowId,
    taskQueue: taskQueueOf(ctx.taskQueues, COMPANY_SYNC_QUEUE),
    args: [{ companyId: request.companyId, version, by: request.by }],
    signal: companyChangedSignal,
    signalArgs: [{ version, by: request.by }],
    typedSearchAttributes: relaySearchAttributes({ integration: 'company-sync', entity: 'company', entityId: request.companyId, status: BusinessStatus.running }),
  });
  return { workflowId, runId: handle.signaledRunId };
}
