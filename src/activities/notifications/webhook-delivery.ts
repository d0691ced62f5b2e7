import { createHmac, randomBytes } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../../domain/failure-types';
import {
  type NotificationRequest,
  WEBHOOK_DISABLE_AFTER_MS,
  WEBHOOK_TIMEOUT_MS,
  webhookPatternsFor,
} from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { type Classifier, VendorHttpClient, type VendorFailureDetails } from '../../integrations/http';
import { type SecretSealer, webhookSecretContext } from '../../db/sealed-secrets';
import type { Logger } from '../../logger';
import { advanceStatus, newNotificationRow } from './notification-log';

/**
 * Webhook deliveries, signed per Standard Webhooks v1: `webhook-id` is the notification id
 * (the same on every attempt and replay, so receivers de-duplicate), `webhook-timestamp`
 * the second of this attempt, `webhook-signature` an HMAC-SHA256 of `id.timestamp.body`.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 32 random bytes (the scheme asks for 24 to 64). */
export const newWebhookSecret = () => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** `v1,<base64 HMAC-SHA256>` of exactly the bytes sent. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export interface WebhookDeliveryDeps {
  prisma: PrismaClient;
  logger: Logger;
  secrets: SecretSealer;
}

export interface WebhookDeliveryInput {
  request: NotificationRequest;
  firstAttemptAt: number;
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

/** What a failed attempt tells the workflow's schedule (in the failure's details). */
export interface WebhookAttemptDetails {
  httpStatus?: number;
  /** The receiver asked for this pause (`Retry-After` on 429/503). */
  retryAfterMs?: number;
}

/**
 * A receiver is not a vendor with quirks, so the HTTP conventions hold with the scheme's
 * retry guidance: 2xx delivered; 410 Gone disables the endpoint; every other status (3xx
 * is not followed, 4xx may be a receiver mid-deployment or a key being rotated) is retried
 * on the schedule, which is bounded and ends in the endpoint being disabled.
 */
const classifyReceiver: Classifier = (answer) => {
  if (answer.status >= 200 && answer.status < 300) return { outcome: 'ok' };
  if (answer.status === 410) return { outcome: 'non-retryable', type: FailureType.NotFound, message: 'the receiver answered 410 Gone' };
  if (answer.status === 429) return { outcome: 'retryable', type: FailureType.VendorRateLimited, message: 'the receiver answered HTTP 429' };
  return { outcome: 'retryable', type: FailureType.VendorUnavailable, message: `the receiver answered HTTP ${answer.status}` };
};

/** The number of a replay run (`notification-<id>~replay-<n>`); 0 for the original run. */
export const replayNumber = (workflowId: string) => Number(/~replay-(\d+)$/.exec(workflowId)?.[1] ?? 0);

/**
 * One delivery attempt. The workflow owns the schedule (one attempt per activity call);
 * this records the attempt on the notification log and the endpoint's failing streak.
 */
export async function deliverWebhook(deps: WebhookDeliveryDeps, input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const { request } = input;
  const { prisma } = deps;
  const { info, cancellationSignal } = Context.current();
  const workflowId = info.workflowExecution?.workflowId ?? WorkflowIds.notification(request.id);
  const endpointId = request.recipient;
  const log = deps.logger.child({ notificationId: request.id, endpointId, workflowId, attempt: input.attempt });

  const payload = request.payload === undefined ? Prisma.DbNull : (request.payload as Prisma.InputJsonValue);
  const row = await prisma.notification.upsert({
    where: { id: request.id },
    create: { ...newNotificationRow(request, workflowId, 'sending'), payload },
    update: { payload },
    select: { workflowId: true, createdAt: true },
  });
  if (row.workflowId !== workflowId && replayNumber(workflowId) > replayNumber(row.workflowId)) {
    // A replay run whose API request did not get to update the row (it crashed after starting it).
    await prisma.notification.updateMany({
      where: { id: request.id, workflowId: row.workflowId },
      data: { workflowId, status: 'sending', closedAt: null },
    });
  }

  const fail = async (failure: ApplicationFailure): Promise<never> => {
    await prisma.notification.update({ where: { id: request.id }, data: { lastError: failure.message, errorCode: failure.type ?? null } });
    throw failure;
  };

  const endpoint = await prisma.webhookEndpoint.findUnique({ where: { id: endpointId } });
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

  await prisma.notification.update({ where: { id: request.id }, data: { attempts: { increment: 1 } } });
  await advanceStatus(prisma, { id: request.id, status: 'sending' });

  // The body's `timestamp` is when the event was accepted and its keys are sorted (a replay
  // reads the payload back from jsonb, which reorders them): every attempt sends the same bytes.
  const body = JSON.stringify({ type: request.event, timestamp: row.createdAt.toISOString(), data: sortedKeys(request.payload ?? {}) });
  const timestamp = Math.floor(Date.now() / 1000);
  const timeoutMs = input.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const client = new VendorHttpClient({ vendor: 'webhook', baseUrl: endpoint.url, logger: log, timeoutMs, classify: classifyReceiver });
  try {
    const answer = await client.request({
      method: 'POST',
      path: endpoint.url,
      body,
      parse: 'text',
      signal: cancellationSignal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Relay-Webhooks/1',
        'webhook-id': request.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, request.id, timestamp, body),
      },
    });
    await prisma.webhookEndpoint.updateMany({ where: { id: endpointId, failingSince: { not: null } }, data: { failingSince: null } });
    await advanceStatus(prisma, { id: request.id, status: 'delivered' });
    return { status: 'delivered', httpStatus: answer.status };
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    const details = (err.details?.[0] ?? {}) as Partial<VendorFailureDetails>;
    // The wrapper's message names the URL's path, which may carry a receiver's token: keep only what happened.
    const what = err.message.replace(/^webhook POST \S*: /, '');
    const attemptDetails: WebhookAttemptDetails = { httpStatus: details.status, retryAfterMs: durationMs(err.nextRetryDelay) };
    const now = new Date();

    if (details.status === 410) {
      const reason = `the receiver answered 410 Gone at ${now.toISOString()}`;
      await disableEndpoint(deps, endpointId, reason, { actor: `workflow:${workflowId}`, correlationId: workflowId });
      return fail(ApplicationFailure.create({ message: `${what}; webhook endpoint ${endpointId} is disabled`, type: FailureType.NotFound, nonRetryable: true, details: [attemptDetails] }));
    }

    const streak = await prisma.$queryRaw<{ failing_since: Date }[]>`
      UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, ${now}), updated_at = ${now}
      WHERE id = ${endpointId} RETURNING failing_since`;
    const failingSince = streak[0]?.failing_since ?? now;
    const windowMs = input.disableAfterMs ?? WEBHOOK_DISABLE_AFTER_MS;
    if (now.getTime() - failingSince.getTime() > windowMs) {
      const reason = `failing since ${failingSince.toISOString()}, longer than ${formatHours(windowMs)} (last: ${what})`;
      await disableEndpoint(deps, endpointId, reason, { actor: `workflow:${workflowId}`, correlationId: workflowId });
      return fail(ApplicationFailure.create({ message: `${what}; webhook endpoint ${endpointId} is disabled: ${reason}`, type: FailureType.Conflict, nonRetryable: true, details: [attemptDetails] }));
    }
    return fail(ApplicationFailure.create({ message: what, type: err.type ?? FailureType.VendorUnavailable, nonRetryable: err.nonRetryable ?? false, details: [attemptDetails] }));
  }
}

/**
 * Disables an active endpoint and reports it once (warning and audit row, in one
 * transaction with the change); a no-op when it is disabled already.
 */
export async function disableEndpoint(
  deps: WebhookDeliveryDeps,
  endpointId: string,
  reason: string,
  by: { actor: string; correlationId: string },
): Promise<boolean> {
  const now = new Date();
  const disabled = await deps.prisma.$transaction(async (tx) => {
    const changed = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, status: 'active' },
      data: { status: 'disabled', disabledReason: reason, updatedAt: now },
    });
    if (changed.count === 0) return false;
    await tx.auditLog.create({
      data: {
        actor: by.actor,
        action: 'webhook_endpoint.disabled',
        entity: 'webhook_endpoint',
        entityId: endpointId,
        before: { status: 'active' },
        after: { status: 'disabled', reason },
        correlationId: by.correlationId,
        idempotencyKey: `webhook_endpoint.disabled:${endpointId}:${now.toISOString()}`,
      },
    });
    return true;
  });
  if (disabled) deps.logger.warn({ endpointId, reason, by: by.actor }, 'webhook endpoint disabled');
  return disabled;
}

/** Ids of the active endpoints subscribed to `event` (exactly, by prefix `a.*`, or `*`). */
export async function listWebhookEndpointsFor(prisma: PrismaClient, event: string): Promise<string[]> {
  const rows = await prisma.webhookEndpoint.findMany({
    where: { status: 'active', events: { hasSome: webhookPatternsFor(event) } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => r.id);
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
