/**
 * Notifications in Relay's terms, shared by the API, activities and workflows.
 * Workflow-safe: imports only Temporal's common types and other domain modules.
 */
import type { SearchAttributePair } from '@temporalio/common';
import { BusinessStatus, relaySearchAttributes } from './search-attributes';

export const CHANNELS = ['sms', 'whatsapp', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export const NOTIFICATION_STATUSES = [
  'accepted',
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
  'cancelled',
] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * Delivery receipts arrive out of order and repeat; a status only ever moves to a higher
 * rank, so a late `sent` never overwrites `delivered`.
 */
export const STATUS_RANK: Record<NotificationStatus, number> = {
  accepted: 0,
  scheduled: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  read: 4,
  cancelled: 5,
};

/** Statuses after which nothing more happens to a message. */
export const FINAL_STATUSES: readonly NotificationStatus[] = ['delivered', 'read', 'failed', 'undelivered', 'cancelled'];

export const isFinalStatus = (status: string): boolean => (FINAL_STATUSES as readonly string[]).includes(status);

/** Twilio's message statuses mapped onto Relay's (queued/accepted/sending are all "on its way"). */
export function fromTwilioStatus(status: string): NotificationStatus | undefined {
  switch (status) {
    case 'accepted':
    case 'queued':
    case 'sending':
    case 'scheduled':
      return 'sending';
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
    case 'undelivered':
      return status;
    case 'canceled':
      return 'cancelled';
    default:
      return undefined;
  }
}

/** Retry schedule of one message: exponential backoff until the give-up horizon. */
export interface DeliveryPolicy {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** Stop retrying this long after the first attempt; the message then ends `failed`. */
  giveUpAfterMs: number;
  /** How long to wait for a delivery receipt after the vendor accepted the message. */
  receiptTimeoutMs: number;
  /**
   * Webhooks follow their own schedule instead of the backoff above: the delays (ms) before
   * each retry, the first attempt being immediate; jittered. Default {@link WEBHOOK_SCHEDULE_MS}.
   */
  webhookSchedule?: number[];
  /** An endpoint failing without a success for longer than this is disabled (default 5 days). */
  webhookDisableAfterMs?: number;
  /** Longest a receiver may take to answer one delivery (default 15 s). */
  webhookTimeoutMs?: number;
}

/** Standard Webhooks' guidance: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts over about 27.5 h). */
export const WEBHOOK_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const WEBHOOK_DISABLE_AFTER_MS = 5 * 24 * 3_600_000;

/** What a failed webhook attempt tells the workflow's schedule (in the failure's details). */
export interface WebhookAttemptDetails {
  httpStatus?: number;
  /** The receiver asked for this pause (`Retry-After` on 429/503). */
  retryAfterMs?: number;
}
export const WEBHOOK_TIMEOUT_MS = 15_000;

/**
 * Event subscriptions: an exact type (`dossier.status_changed`), a prefix (`dossier.*`) or
 * everything (`*`). The patterns that match `event`, for an array-overlap query.
 */
export function webhookPatternsFor(event: string): string[] {
  const parts = event.split('.');
  const prefixes = parts.slice(0, -1).map((_, i) => `${parts.slice(0, i + 1).join('.')}.*`);
  return [event, '*', ...prefixes];
}

export const webhookSubscribes = (events: readonly string[], event: string): boolean => webhookPatternsFor(event).some((p) => events.includes(p));

/** The notification id of one event for one endpoint: deterministic, so a retried dispatch sends nothing twice. */
export const webhookNotificationId = (eventKey: string, endpointId: string) => `${eventKey}:${endpointId}`;

/** What a notification workflow is asked to deliver (bodies and numbers stay encrypted in history). */
export interface NotificationRequest {
  /** The client's idempotency key; also the notification's id. */
  id: string;
  channel: Channel;
  /** E.164 number for sms/whatsapp; the webhook endpoint id for webhooks. */
  recipient: string;
  /** Twilio sender; the channel's default sender when omitted. */
  sender?: string;
  body?: string;
  /** A template name (WhatsApp: an approved Content SID `HX…`). */
  template?: string;
  variables?: Record<string, string>;
  /** Webhook event type and payload. */
  event?: string;
  payload?: unknown;
  /** ISO 8601; absent or past means now. */
  sendAt?: string;
  requestedBy: string;
  appointmentId?: string;
  dossierId?: string;
}

export interface NotificationWorkflowInput {
  request: NotificationRequest;
  policy: DeliveryPolicy;
}

export interface NotificationOutcome {
  id: string;
  status: NotificationStatus;
  vendorMessageId?: string;
  reason?: string;
}

/** A delivery receipt as the workflow receives it (from Twilio's status callback). */
export interface DeliveryReceipt {
  status: NotificationStatus;
  errorCode?: string;
  errorMessage?: string;
}

/** Where Twilio posts a notification's status callbacks; the id rides in the signed query string. */
export const statusCallbackUrl = (publicBaseUrl: string, notificationId: string) =>
  `${publicBaseUrl}/v1/webhooks/twilio/status?notification=${encodeURIComponent(notificationId)}`;

/**
 * The search attributes a notification workflow starts with, however it is started (API,
 * replay, a parent workflow): operators filter them the same way. Ids only, never numbers.
 */
export function notificationSearchAttributes(request: Pick<NotificationRequest, 'id' | 'channel' | 'sendAt'>, now: number): SearchAttributePair[] {
  const sendAt = request.sendAt ? new Date(request.sendAt) : undefined;
  const scheduled = sendAt !== undefined && sendAt.getTime() > now;
  return relaySearchAttributes({
    integration: 'notifications',
    entity: 'notification',
    entityId: request.id,
    channel: request.channel,
    status: scheduled ? BusinessStatus.scheduled : BusinessStatus.running,
    nextActionAt: scheduled ? sendAt : undefined,
  });
}
