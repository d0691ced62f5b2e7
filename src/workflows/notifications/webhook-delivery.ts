import { ActivityFailure, ApplicationFailure, TimeoutFailure, isCancellation, proxyActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { createNotificationActivities } from '../../activities/notifications';
import { FailureType, isNonRetryableFailureType } from '../../domain/failure-types';
import {
  type DeliveryPolicy,
  type NotificationRequest,
  WEBHOOK_DISABLE_AFTER_MS,
  WEBHOOK_SCHEDULE_MS,
  WEBHOOK_TIMEOUT_MS,
  type WebhookAttemptDetails,
} from '../../domain/notifications';
import { RelayAttempts } from '../../domain/search-attributes';
import { setBusinessStatus } from '../shared/business-status';

type Activities = ReturnType<typeof createNotificationActivities>;

/** Each delay is stretched or shrunk by up to this fraction, so retries of many messages spread out. */
export const WEBHOOK_JITTER = 0.2;

/** Workflow-safe: `Math.random` is seeded per run in the sandbox, so a replay draws the same numbers. */
export const jittered = (delayMs: number, random: () => number = Math.random) => Math.round(delayMs * (1 + WEBHOOK_JITTER * (2 * random() - 1)));

/** Longest a receiver's `Retry-After` may push one retry out. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/**
 * Delivers one webhook on Standard Webhooks' multi-hour schedule instead of an activity
 * retry policy: one activity call per attempt (each signed afresh, same `webhook-id`), a
 * durable, jittered timer in between, so a schedule of hours costs no worker and survives
 * restarts. A non-retryable failure (410 Gone, disabled endpoint) ends it at once; after
 * the last attempt it throws with the last reason and the notification ends `failed`.
 */
export async function deliverWebhookOnSchedule(request: NotificationRequest, policy: DeliveryPolicy): Promise<{ status: 'delivered'; vendorMessageId?: string }> {
  const schedule = policy.webhookSchedule ?? WEBHOOK_SCHEDULE_MS;
  const timeoutMs = policy.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const { deliverWebhook } = proxyActivities<Activities>({
    // The receiver's time plus the bookkeeping around it; a worker lost mid-call counts as a failed attempt.
    startToCloseTimeout: timeoutMs + 30_000,
    retry: { maximumAttempts: 1 },
  });

  for (let attempt = 1; ; attempt++) {
    upsertSearchAttributes([{ key: RelayAttempts, value: attempt }]);
    try {
      const result = await deliverWebhook({ request, attempt, timeoutMs, disableAfterMs: policy.webhookDisableAfterMs ?? WEBHOOK_DISABLE_AFTER_MS });
      return { status: result.status };
    } catch (err) {
      if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      if (cause && (cause.nonRetryable || isNonRetryableFailureType(cause.type))) throw err;

      const reason = cause?.message ?? err.cause?.message ?? err.message;
      const delay = schedule[attempt - 1];
      if (delay === undefined) {
        const type = cause?.type ?? (err.cause instanceof TimeoutFailure ? FailureType.VendorTimeout : FailureType.VendorUnavailable);
        throw ApplicationFailure.nonRetryable(`gave up after ${attempt} attempts: ${reason}`, type);
      }
      const retryAfterMs = (cause?.details?.[0] as WebhookAttemptDetails | undefined)?.retryAfterMs ?? 0;
      const wait = Math.max(jittered(delay), Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
      setBusinessStatus('retrying', new Date(Date.now() + wait));
      await sleep(wait);
      setBusinessStatus('sending', null);
    }
  }
}
