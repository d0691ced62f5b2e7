import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { beginWrite, reopenWrite, storedResult, type WriteOperation } from '../../db/pms/writes';
import { writeReference, writeRequestHash } from '../../db/pms/references';
import type { WriteRequest, WriteResult } from '../../domain/pms/writes';
import { relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import type { PmsProperty, PmsWrite, Prisma, PrismaClient } from '../../generated/prisma/client';
import { pmsWriteWorkflow } from '../../workflows/pms/writes';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';
import { outcomeWithin } from './pms-outcome';
import { PMS_QUEUE } from './pms-schedules';

export interface WriteRequestContext extends StarterContext {
  prisma: PrismaClient;
}

export interface RequestedWrite {
  write: PmsWrite;
  /** The outcome; undefined while the PMS has not answered within the wait (ask again with the same key). */
  result?: WriteResult;
  /** The key was seen before: this is its recorded outcome, nothing new was written. */
  replayed: boolean;
}

const targetOf = (request: WriteRequest) => (request.operation === 'guest_update' ? `guest:${request.guestVendorId}` : `reservation:${request.reservationVendorId}`);

const OPERATION: Record<WriteRequest['operation'], WriteOperation> = { charge: 'charge', note: 'note', guest_update: 'guest_update' };

/**
 * A write to the PMS under the caller's idempotency key: recorded first (the same key with
 * another request is refused; a finished one answers its outcome again), then its workflow
 * (`pms-write-<propertyId>-<key>`, one run at a time) — waited for at most `waitMs`.
 */
export async function requestPmsWrite(
  ctx: WriteRequestContext,
  input: { property: Pick<PmsProperty, 'id' | 'vendor'>; idempotencyKey: string; request: WriteRequest; requestedBy: string; waitMs: number },
): Promise<RequestedWrite> {
  const { property, idempotencyKey, request } = input;
  const workflowId = WorkflowIds.pmsWrite(property.id, idempotencyKey);
  const { write, created } = await beginWrite(ctx.prisma, {
    propertyId: property.id,
    idempotencyKey,
    operation: OPERATION[request.operation],
    requestHash: writeRequestHash(request.operation, targetOf(request), request),
    request: request as unknown as Prisma.InputJsonValue,
    reference: writeReference(property.id, idempotencyKey),
    requestedBy: input.requestedBy,
    workflowId,
  });
  const stored = storedResult(write);
  if (stored) return { write, result: stored, replayed: true };
  if (write.status === 'unresolved') await reopenWrite(ctx.prisma, write.id);

  const handle = await ctx.client.workflow.start(pmsWriteWorkflow, {
    workflowId,
    taskQueue: taskQueueOf(ctx.taskQueues, PMS_QUEUE),
    args: [{ writeId: write.id }],
    // A retry while it runs joins it; after an unresolved run, a new run picks the write up (looking before writing).
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: `write-${write.operation}`, entityId: property.id, channel: property.vendor, status: 'running' }),
  });
  // The run goes on after the wait: its outcome is recorded on the write for the caller's next ask.
  const outcome = await outcomeWithin(ctx.client, () => handle.result(), input.waitMs);
  if (!outcome.ok && !outcome.timedOut) throw new Error(`PMS write ${write.id} ended unexpectedly: ${outcome.message}`);
  return { write, result: outcome.ok ? outcome.value : undefined, replayed: !created };
}
