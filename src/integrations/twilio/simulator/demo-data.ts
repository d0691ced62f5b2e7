/**
 * Demo-mode state: a plausible account with two senders, a couple of recipients who opted out, WhatsApp
 * customer-service windows, one unreachable handset and an appointment-reminder template. Numbers are fictional.
 * The credentials are public, simulator-only values so demo mode needs no secret.
 */
import type { TwilioSimulatorOptions } from './server';

export const DEMO_ACCOUNT_SID = `AC${'de30'.repeat(8)}`;
export const DEMO_AUTH_TOKEN = 'de30'.repeat(8);

export const DEMO_SENDERS = {
  sms: '+33757000001',
  whatsapp: 'whatsapp:+33757000002',
} as const;

/** Content template for appointment reminders: {{1}} the date, {{2}} the time. */
export const DEMO_REMINDER_TEMPLATE_SID = `HX${'a1'.repeat(16)}`;

export const DEMO_RECIPIENTS = {
  /** Replied STOP earlier: sends fail with 21610. */
  optedOut: ['+33612000013', 'whatsapp:+33612000014'],
  /** Wrote in on WhatsApp within the last day: free-form Body is allowed. */
  inSession: ['whatsapp:+33612000001', 'whatsapp:+31612000002'],
  /** Never reached: messages end undelivered with 30003. */
  unreachable: ['+33612000099'],
  /** Ordinary recipients: delivered. */
  reachable: ['+33612000001', '+31612000002', 'whatsapp:+33612000003'],
} as const;

export function demoOptions(): TwilioSimulatorOptions {
  return {
    accountSid: DEMO_ACCOUNT_SID,
    authToken: DEMO_AUTH_TOKEN,
    optedOut: [...DEMO_RECIPIENTS.optedOut],
    sessions: [...DEMO_RECIPIENTS.inSession],
    unreachable: [...DEMO_RECIPIENTS.unreachable],
    contentTemplates: {
      [DEMO_REMINDER_TEMPLATE_SID]: 'Reminder: your appointment is on {{1}} at {{2}}. Reply STOP to unsubscribe.',
    },
    // Slow enough to watch statuses move in the Web UI; a little of Twilio's real-world disorder.
    callbacks: { statusStepMs: 1500, repeatRate: 0.05, outOfOrderRate: 0.05 },
    faults: { senderRatePerSecond: 10, latencyMs: 40, latencyJitterMs: 60 },
  };
}
