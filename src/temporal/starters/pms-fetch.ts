import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { PmsFetchRequest, PmsFetchResult } from '../../domain/pms/fetch';
import { idPart } from '../../db/pms/references';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { pmsFetchWorkflow } from '../../workflows/pms/fetch';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';
import { type PmsOutcome, outcomeWithin } from './pms-outcome';
import { PMS_QUEUE } from './pms-schedules';

/** What a read fetches, as part of its workflow id: identical reads share a run. */
function what(request: PmsFetchRequest): string {
  switch (request.kind) {
    case 'guest':
    case 'reservation':
      return `${request.kind}-${idPart(request.vendorId)}`;
    case 'search':
      return `search-${createHash('sha256').update(JSON.stringify(request.query)).digest('hex').slice(0, 24)}`;
    case 'rooms':
      return 'rooms';
  }
}

/**
 * Fetches from the PMS into the cache through a short workflow on the PMS queue (the vendor's
 * limit and credentials live with the workers), waiting at most `waitMs` for its answer.
 */
export async function fetchFromPms(ctx: StarterContext, request: PmsFetchRequest, waitMs: number): Promise<PmsOutcome<PmsFetchResult>> {
  const handle = await ctx.client.workflow.start(pmsFetchWorkflow, {
    workflowId: WorkflowIds.pmsRead(request.propertyId, what(request)),
    taskQueue: taskQueueOf(ctx.taskQueues, PMS_QUEUE),
    args: [request],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowExecutionTimeout: '2 minutes',
    typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: `read-${request.kind}`, entityId: request.propertyId, status: BusinessStatus.running }),
  });
  return outcomeWithin(ctx.client, () => handle.result(), waitMs);
}
