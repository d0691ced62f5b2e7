import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { RefreshRunSummary } from '../../workflows/pms/arrivals';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import type { PmsPushHint } from '../../integrations/pms/vendor';
import { pmsRefreshWorkflow } from '../../workflows/pms/arrivals';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';
import { type PmsOutcome, outcomeWithin } from './pms-outcome';
import { PMS_QUEUE } from './pms-schedules';

/**
 * Refreshes the records a vendor's push names (`pms-push-<propertyId>-<hash of the ids>`): a
 * push repeated while its refresh runs joins it. Returns without waiting — the vendor wants its
 * answer within seconds.
 */
export async function refreshPushed(ctx: StarterContext, property: { id: string; vendor: string }, hint: PmsPushHint): Promise<string> {
  const reservationVendorIds = [...new Set(hint.reservationVendorIds)].sort();
  const guestVendorIds = [...new Set(hint.guestVendorIds)].sort();
  const digest = createHash('sha256').update(JSON.stringify([reservationVendorIds, guestVendorIds])).digest('hex').slice(0, 24);
  const workflowId = WorkflowIds.pmsPush(property.id, digest);
  await ctx.client.workflow.start(pmsRefreshWorkflow, {
    workflowId,
    taskQueue: taskQueueOf(ctx.taskQueues, PMS_QUEUE),
    args: [{ propertyId: property.id, reservationVendorIds, guestVendorIds, source: 'push' }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: 'push', entityId: property.id, channel: property.vendor, status: BusinessStatus.running }),
  });
  return workflowId;
}

/** An operator's refresh of the whole property (arrivals window and rooms), waited for at most `waitMs`. */
export async function refreshProperty(ctx: StarterContext, property: { id: string; vendor: string }, waitMs: number): Promise<{ workflowId: string; outcome: PmsOutcome<RefreshRunSummary> }> {
  const workflowId = WorkflowIds.pmsRefresh(property.id);
  const handle = await ctx.client.workflow.start(pmsRefreshWorkflow, {
    workflowId,
    taskQueue: taskQueueOf(ctx.taskQueues, PMS_QUEUE),
    args: [{ propertyId: property.id, arrivals: true, rooms: true, source: 'refresh' }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: 'refresh', entityId: property.id, channel: property.vendor, status: BusinessStatus.running }),
  });
  return { workflowId, outcome: await outcomeWithin(ctx.client, () => handle.result(), waitMs) };
}
