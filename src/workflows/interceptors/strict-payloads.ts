import {
  ApplicationFailure,
  log,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { FailureType } from '../../domain/failure-types';
import { describeUnencryptedArgs, isUnencryptedPayloadMarker } from '../../domain/unencrypted-payload';

/**
 * Strict payload mode, inside the sandbox: the worker's codec has turned every payload not
 * encrypted with one of Relay's keys into a marker (src/domain/unencrypted-payload.ts); here
 * whatever carries one is refused without failing the workflow task, so nothing retries
 * for ever and a live workflow carries on:
 * - a start fails the workflow for good (non-retryable `UnencryptedPayload`);
 * - a signal is dropped with a warning (a signal cannot be refused, and failing would kill
 *   a live workflow on an outsider's say-so);
 * - an update is rejected (by the validator step when its handler has one; otherwise it is
 *   accepted and fails before the handler runs);
 * - a query fails.
 * The interceptors react to markers only, so without strict mode they change nothing.
 */

const ADVICE = "Start, signal and update Relay's workflows through Relay or a client with Relay's payload codec.";

const refusal = (what: string, refused: string) =>
  ApplicationFailure.nonRetryable(`${what} refused: its payload is not encrypted with a known key (${refused}). ${ADVICE}`, FailureType.UnencryptedPayload);

class StrictPayloadsInbound implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const refused = describeUnencryptedArgs(input.args);
    if (refused) throw refusal('Workflow start', refused);
    return next(input);
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    const refused = describeUnencryptedArgs(input.args);
    if (refused) {
      log.warn('Dropped a signal whose payload is not encrypted with a known key', { signalName: input.signalName, refused });
      return;
    }
    return next(input);
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const refused = describeUnencryptedArgs(input.args);
    if (refused) throw refusal(`Update ${input.name}`, refused);
    next(input);
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    // Validators run only for handlers that declare one; this covers the others.
    const refused = describeUnencryptedArgs(input.args);
    if (refused) throw refusal(`Update ${input.name}`, refused);
    return next(input);
  }

  async handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    const refused = describeUnencryptedArgs(input.args);
    if (refused) throw refusal(`Query ${input.queryName}`, refused);
    return next(input);
  }
}

/**
 * An activity result Relay's own worker did not encrypt (a completion forged by someone
 * polling Relay's task queue) must not reach workflow code as if it were the result.
 */
class StrictPayloadsOutbound implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return checkedResult(`Activity ${input.activityType}`, await next(input));
  }

  async scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ): Promise<unknown> {
    return checkedResult(`Local activity ${input.activityType}`, await next(input));
  }
}

function checkedResult(what: string, result: unknown): unknown {
  if (isUnencryptedPayloadMarker(result)) {
    throw ApplicationFailure.nonRetryable(`${what} returned a result that is not encrypted with a known key (${result.reason})`, FailureType.UnencryptedPayload);
  }
  return result;
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new StrictPayloadsInbound()],
  outbound: [new StrictPayloadsOutbound()],
});
