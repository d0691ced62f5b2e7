import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failure-types';
import { ConflictError, UnprocessableError } from '../../errors';
import { type ConflictOutcome, type ConflictState, type ResolveConflictRequest, conflictStateQuery, resolveConflictUpdate } from '../../workflows/company-sync/definitions';
import type { StarterContext } from './context';
import { resendDroppedUpdate } from './resend-dropped-update';

/**
 * An operator's decision on a sync conflict, delivered to the conflict's workflow
 * (`sync-conflict-…`, the row's workflow_id) as an update: its validator refuses what cannot
 * apply (a company that is no candidate, a conflict already decided), so the caller hears the
 * outcome or the reason at once. The API and the admin page both decide through here.
 */

export interface ConflictTarget {
  conflictId: string;
  workflowId: string;
}

/** Applies the decision; ConflictError when it is already decided or nothing waits for it, UnprocessableError when the validator refuses it. */
export async function resolveSyncConflict(ctx: StarterContext, target: ConflictTarget, request: ResolveConflictRequest): Promise<ConflictOutcome> {
  const handle = ctx.client.workflow.getHandle(target.workflowId);
  try {
    // Idempotent for the workflow: a decision dropped by the server is sent again, and so is one
    // that arrived while a new run was still loading its conflict (its handler not set yet).
    return await untilHandlerSet(() => resendDroppedUpdate(() => handle.executeUpdate(resolveConflictUpdate, { args: [request] })));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new ConflictError(`Conflict ${target.conflictId} has no workflow waiting for a decision (${target.workflowId} is not running); it may have been decided already`, {
        conflictId: target.conflictId,
      });
    }
    if (err instanceof WorkflowUpdateFailedError) throw rejection(target.conflictId, err);
    throw err;
  }
}

const HANDLER_WAIT_MS = [100, 200, 400, 800, 1_500, 2_000];

async function untilHandlerSet<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const early = err instanceof WorkflowUpdateFailedError && /no registered handler for update/i.test(err.cause?.message ?? '');
      if (!early || attempt >= HANDLER_WAIT_MS.length) throw err;
      await sleep(HANDLER_WAIT_MS[attempt]!);
    }
  }
}

/**
 * The validator's refusal, or the handler's (its activity's failure, one level down), in its own
 * words: a state conflict (already resolved) is 409, anything else the decision cannot do 422.
 */
function rejection(conflictId: string, err: WorkflowUpdateFailedError): ConflictError | UnprocessableError {
  const failure = innermostApplicationFailure(err);
  const message = failure?.message || err.cause?.message || err.message;
  const detail = failure?.details?.[0];
  const code = detail && typeof detail === 'object' ? (detail as { code?: unknown }).code : undefined;
  const details = { conflictId, reason: failure?.type ?? 'rejected' };
  const stateConflict = code === 'conflict' || failure?.type === FailureType.Conflict || /already (resolved|decided)/i.test(message);
  return stateConflict ? new ConflictError(message, details) : new UnprocessableError(message, details);
}

function innermostApplicationFailure(err: Error): ApplicationFailure | undefined {
  let found: ApplicationFailure | undefined;
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof ApplicationFailure) found = e;
  return found;
}

/** What the conflict's workflow reports (reminders sent, escalation, candidates its validator accepts); undefined when it cannot answer within `timeoutMs`. */
export async function syncConflictState(ctx: StarterContext, workflowId: string, timeoutMs = 3_000): Promise<ConflictState | undefined> {
  try {
    return await ctx.client.withDeadline(Date.now() + timeoutMs, () => ctx.client.workflow.getHandle(workflowId).query(conflictStateQuery));
  } catch {
    // No worker answering, or the run is gone: the row in PostgreSQL still tells the story.
    return undefined;
  }
}
