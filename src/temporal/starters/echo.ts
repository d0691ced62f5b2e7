import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { ConflictError } from '../../errors';
import { type EchoInput, echoWorkflow } from '../../workflows/echo';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

/**
 * Starts the echo smoke workflow. Owns its id scheme and policies: an echo id is an
 * idempotency key, accepted once for good (a repeat is a conflict, even after the run closed).
 */
export async function startEcho(ctx: StarterContext, id: string, input: EchoInput): Promise<{ workflowId: string; runId: string }> {
  const workflowId = WorkflowIds.echo(id);
  try {
    const handle = await ctx.client.workflow.start(echoWorkflow, {
      taskQueue: taskQueueOf(ctx.taskQueues, 'core'),
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: relaySearchAttributes({ integration: 'core', entity: 'echo', entityId: id, status: BusinessStatus.running }),
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConflictError(`Echo ${workflowId} was already started`, { workflowId });
    }
    throw err;
  }
}
