import { ApplicationFailure, Context } from '@temporalio/activity';
import { webhookSecretContext } from '../../db/sealed-secrets';
import { clearEndpointFailure, disableEndpoint, findWebhookEndpoint, recordEndpointFailure } from '../../db/notifications/webhook-endpoints';
import { beginWebhookAttempt, openWebhookDelivery, recordWebhookError } from '../../db/notifications/webhook-deliveries';
import { advanceStatus } from '../../db/notifications/notification-log';
import { FailureType } from '../../domain/failure-types';
import { type NotificationRequest, WEBHOOK_DISABLE_AFTER_MS, WEBHOOK_TIMEOUT_MS, type WebhookAttemptDetails } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import type { VendorFailureDetails } from '../../integrations/http';
import { postSignedWebhook } from '../../integrations/webhooks/receiver-client';
import type { NotificationDeps } from './deps';

export interface WebhookDeliveryInput {
  request: NotificationRequest;
  /** 1-based position on the retry schedule (for logs). */
  attempt?: number;
  /** The endpoint is disabled once it has failed without a success for longer than this. */
  disableAfterMs?: number;
  timeoutMs?: number;
}

export interface WebhookDeliveryResult {
  status: 'delivered';
  vendorMessageId?: string;
  httpStatus: number;
}

/**
 * One signed delivery attempt (the workflow owns the schedule: one activity call per attempt).
 * Records the attempt on the notification log and the endpoint's failing streak, and turns
 * what happened into a typed failure the schedule understands.
 */
export async function deliverWebhook(deps: Pick<NotificationDeps, 'prisma' | 'logger' | 'secrets' | 'webhookDispatcher'>, input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { request } = input;
  const { prisma } = deps;
  const { info, cancellationSignal } = Context.current();
  const workflowId = info.workflowExecution?.workflowId ?? WorkflowIds.notification(request.id);
  const endpointId = request.recipient;
  const logger = deps.logger.child({ notificationId: request.id, endpointId, workflowId, attempt: input.attempt });
  const by = { actor: `workflow:${workflowId}`, correlationId: workflowId };

  const { acceptedAt } = await openWebhookDelivery(prisma, request, workflowId);
  const fail = async (failure: ApplicationFailure): Promise<never> => {
    await recordWebhookError(prisma, request.id, failure.message, failure.type ?? null);
    throw failure;
  };

  const endpoint = await findWebhookEndpoint(prisma, endpointId);
  if (!endpoint) return fail(ApplicationFailure.nonRetryable(`webhook endpoint ${endpointId} does not exist`, FailureType.NotFound));
  if (endpoint.status !== 'active') {
    return fail(
      ApplicationFailure.nonRetryable(`webhook endpoint ${endpointId} is disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`, FailureType.Conflict),
    );
  }
  let secret: string;
  try {
    secret = deps.secrets.open(endpoint.secret, webhookSecretContext(endpointId));
  } catch (err) {
    // A key missing from this worker's configuration: retried, so fixing the configuration lets it through.
    return fail(ApplicationFailure.retryable(`cannot open webhook endpoint ${endpointId}'s signing secret: ${(err as Error).message}`, FailureType.Misconfigured));
  }

  await beginWebhookAttempt(prisma, request.id);
  // The body's `timestamp` is when the event was accepted and its keys are sorted (a replay
  // reads the payload back from jsonb, which reorders them): every attempt sends the same bytes.
  const body = JSON.stringify({ type: request.event, timestamp: acceptedAt.toISOString(), data: sortedKeys(request.payload ?? {}) });
  try {
    const answer = await postSignedWebhook({
      url: endpoint.url,
      id: request.id,
      body,
      secret,
      timeoutMs: input.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
      logger,
      signal: cancellationSignal,
      dispatcher: deps.webhookDispatcher,
    });
    await clearEndpointFailure(prisma, endpointId);
    await advanceStatus(prisma, { id: request.id, status: 'delivered' });
    return { status: 'delivered', httpStatus: answer.status };
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    const details = (err.details?.[0] ?? {}) as Partial<VendorFailureDetails>;
    // The wrapper's message names the URL (redacted): keep only what happened (a refused address names the host and why).
    const what = err.message.replace(/^webhook POST \S*: /, '');
    const attemptDetails: WebhookAttemptDetails = { httpStatus: details.status, retryAfterMs: durationMs(err.nextRetryDelay) };
    const now = new Date();

    if (details.status === 410) {
      await disableEndpoint(deps, endpointId, `the receiver answered 410 Gone at ${now.toISOString()}`, by);
      return fail(ApplicationFailure.create({ message: `${what}; webhook endpoint ${endpointId} is disabled`, type: FailureType.NotFound, nonRetryable: true, details: [attemptDetails] }));
    }
    const failingSince = await recordEndpointFailure(prisma, endpointId, now);
    const windowMs = input.disableAfterMs ?? WEBHOOK_DISABLE_AFTER_MS;
    if (now.getTime() - failingSince.getTime() > windowMs) {
      const reason = `failing since ${failingSince.toISOString()}, longer than ${formatHours(windowMs)} (last: ${what})`;
      await disableEndpoint(deps, endpointId, reason, by);
      return fail(ApplicationFailure.create({ message: `${what}; webhook endpoint ${endpointId} is disabled: ${reason}`, type: FailureType.Conflict, nonRetryable: true, details: [attemptDetails] }));
    }
    return fail(ApplicationFailure.create({ message: what, type: err.type ?? FailureType.VendorUnavailable, nonRetryable: err.nonRetryable ?? false, details: [attemptDetails] }));
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

function durationMs(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

const formatHours = (ms: number) => (ms >= 3_600_000 ? `${+(ms / 3_600_000).toFixed(2)} h` : `${Math.round(ms / 1000)} s`);
