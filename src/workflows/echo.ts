import { ApplicationFailure, isCancellation, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createCoreActivities } from '../activities';
import { BusinessStatus } from '../domain/search-attributes';
import { setBusinessStatus } from './shared/business-status';

/** Smoke workflow: proves API → Temporal → worker → PostgreSQL wiring end to end. */

export interface EchoInput {
  message: string;
  /** Name of the API key that asked; recorded as the audit actor. */
  requestedBy: string;
  correlationId: string;
}

export interface EchoResult {
  message: string;
  auditLogId: string;
  recordedAt: string;
}

/** Patch ids of changes made after echo shipped; old histories replay without them. */
export const ECHO_PATCHES = { statusOnEveryPath: 'echo-status-on-every-path' } as const;

const { recordAudit } = proxyActivities<ReturnType<typeof createCoreActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function echoWorkflow(input: EchoInput): Promise<EchoResult> {
  try {
    const result = await echo(input);
    setBusinessStatus(BusinessStatus.completed);
    return result;
  } catch (err) {
    // Runs that shipped before this patch failed without recording a status.
    if (patched(ECHO_PATCHES.statusOnEveryPath)) {
      setBusinessStatus(isCancellation(err) ? BusinessStatus.cancelled : BusinessStatus.failed);
    }
    throw err;
  }
}

async function echo(input: EchoInput): Promise<EchoResult> {
  if (typeof input?.message !== 'string' || input.message.length === 0) {
    // Retrying cannot fix bad input: fail for good with a reason the operator can read.
    throw ApplicationFailure.nonRetryable('echo needs a non-empty message', 'InvalidInput');
  }
  const { workflowId } = workflowInfo();
  const row = await recordAudit({
    actor: input.requestedBy,
    action: 'echo.recorded',
    entity: 'echo',
    entityId: workflowId,
    after: { message: input.message },
    correlationId: input.correlationId,
    idempotencyKey: `${workflowId}:echo.recorded`,
  });
  return { message: input.message, auditLogId: row.id, recordedAt: row.createdAt };
}
