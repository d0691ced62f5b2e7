import { z } from 'zod';
import { type Config, ConfigError, csv } from '../../config';
import { type DeliveryPolicy, WEBHOOK_SCHEDULE_MS } from '../../domain/notifications';
import { TWILIO_CONFIG_VARIABLES, TWILIO_REQUIRED_LIVE, type TwilioConfig, loadTwilioConfig } from '../../integrations/twilio/config';
import type { SectionResult } from '../module';

/**
 * The notifications module's configuration section: the delivery policy (with defaults, so
 * nothing is required) and Twilio's credentials, which decide live, demo or disabled.
 */

const schema = z.object({
  /** Delivery policy of every notification: exponential backoff until the give-up horizon. */
  NOTIFY_RETRY_INITIAL_MS: z.coerce.number().int().min(10).default(1_000),
  NOTIFY_RETRY_BACKOFF: z.coerce.number().min(1).max(10).default(2),
  NOTIFY_RETRY_MAX_INTERVAL_MS: z.coerce.number().int().min(10).default(10 * 60_000),
  NOTIFY_GIVE_UP_AFTER_MS: z.coerce.number().int().min(1_000).default(24 * 60 * 60_000),
  NOTIFY_RECEIPT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60 * 60_000),
  /** How far ahead a message or appointment may be scheduled; a later `sendAt` or start is refused. */
  NOTIFY_MAX_SCHEDULE_AHEAD_DAYS: z.coerce.number().int().min(1).max(3_660).default(366),
  /** Notification-log rows (and the personal data in them) are purged this long after they closed. */
  NOTIFICATION_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Public base URL Twilio posts status callbacks to (the API's); default API_PUBLIC_URL. */
  NOTIFY_CALLBACK_BASE_URL: z.url().optional(),
  /** Webhook retries: delays (ms, comma-separated) before each retry; Standard Webhooks' schedule when unset. */
  WEBHOOK_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated milliseconds, e.g. 5000,300000,1800000')
    .transform((v) => csv(v).map(Number))
    .optional(),
  /** An endpoint failing without a success for longer than this is disabled and reported. */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().default(120),
  /** Longest a webhook receiver may take to answer one delivery. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
});

export interface NotificationSettings {
  policy: DeliveryPolicy;
  retentionDays: number;
  /** Where Twilio posts status callbacks (the API's public base URL), no trailing slash. */
  callbackBaseUrl: string;
  /** Latest `sendAt` (or appointment start) accepted, as a distance from now. */
  maxScheduleAheadMs: number;
  twilio: TwilioConfig;
}

export const NOTIFICATION_VARIABLES = [...Object.keys(schema.shape), ...TWILIO_CONFIG_VARIABLES] as const;

/** Parses the section; Twilio without credentials is `unconfigured` (demo or disabled, Relay decides). */
export function loadNotificationSettings(env: NodeJS.ProcessEnv, core: Pick<Config, 'api'>): SectionResult<NotificationSettings> {
  const cleaned = Object.fromEntries(Object.keys(schema.shape).flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  let twilio: TwilioConfig | undefined;
  try {
    twilio = loadTwilioConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!parsed.success || !twilio || problems.length) throw new ConfigError(problems);
  const raw = parsed.data;
  const settings: NotificationSettings = {
    policy: {
      initialIntervalMs: raw.NOTIFY_RETRY_INITIAL_MS,
      backoffCoefficient: raw.NOTIFY_RETRY_BACKOFF,
      maximumIntervalMs: raw.NOTIFY_RETRY_MAX_INTERVAL_MS,
      giveUpAfterMs: raw.NOTIFY_GIVE_UP_AFTER_MS,
      receiptTimeoutMs: raw.NOTIFY_RECEIPT_TIMEOUT_MS,
      webhookSchedule: raw.WEBHOOK_RETRY_SCHEDULE_MS ?? [...WEBHOOK_SCHEDULE_MS],
      webhookDisableAfterMs: Math.round(raw.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000),
      webhookTimeoutMs: raw.WEBHOOK_TIMEOUT_MS,
    },
    retentionDays: raw.NOTIFICATION_RETENTION_DAYS,
    callbackBaseUrl: (raw.NOTIFY_CALLBACK_BASE_URL ?? core.api.publicUrl).replace(/\/$/, ''),
    maxScheduleAheadMs: raw.NOTIFY_MAX_SCHEDULE_AHEAD_DAYS * 86_400_000,
    twilio,
  };
  return twilio.mode === 'live' ? { mode: 'live', settings } : { mode: 'unconfigured', missing: TWILIO_REQUIRED_LIVE, demo: settings };
}
