/**
 * Appointment reminders in Relay's terms, shared by the API, the starter and the workflow.
 * Workflow-safe: imports only types. Times are UTC instants computed when the appointment is
 * scheduled (src/scheduling/reminder-times.ts); the workflow never reads time-zone data.
 */
import type { DeliveryPolicy } from './notifications';

export const APPOINTMENT_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const REMINDER_STATUSES = ['pending', 'sent', 'skipped', 'cancelled'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

/**
 * Why a reminder was not sent: its time had already passed when this version of the
 * appointment was scheduled (never sent late), or its timer fired only after the appointment
 * had begun (e.g. no worker was running).
 */
export type ReminderSkipReason = 'passed' | 'appointment-started';

export interface PlannedReminder {
  /** Stable name of the rule (`before-24h`, `day-1-at-18:00`), part of the message's id. */
  key: string;
  rule: string;
  /** UTC instant, ISO 8601. */
  sendAt: string;
  /** The same instant in the appointment's zone, ISO 8601 with offset. */
  localSendAt: string;
}

/** Who gets the reminders and what they say: the same in a caller's request and in the plan. */
export interface AppointmentMessage {
  channel: 'sms' | 'whatsapp';
  recipient: string;
  sender?: string;
  body?: string;
  template?: string;
  variables?: Record<string, string>;
}

/** One version of an appointment as the API hands it to the workflow (a PUT). */
export interface AppointmentPlan extends AppointmentMessage {
  appointmentId: string;
  /** UTC instant of the appointment. */
  startsAt: string;
  /** The appointment in its zone after daylight-saving rules, and as the caller wrote it. */
  localStartsAt: string;
  requestedStartsAt: string;
  timeZone: string;
  /** Sorted by `sendAt`. */
  reminders: PlannedReminder[];
  /** Same content (whoever sent it) → same fingerprint: a repeated PUT changes nothing. */
  fingerprint: string;
  requestedBy: string;
  /** Delivery policy of the reminder messages. */
  policy: DeliveryPolicy;
}

export interface ReminderState extends PlannedReminder {
  status: ReminderStatus;
  /** The notification that carries it (GET /v1/notifications/{id}) once sent. */
  notificationId?: string;
  skipReason?: ReminderSkipReason;
}

export interface SentReminder {
  key: string;
  version: number;
  notificationId: string;
  sendAt: string;
  sentAt: string;
}

/** What the workflow reports (query, update results, its result). Holds the recipient: encrypted in history. */
export interface AppointmentState {
  appointmentId: string;
  status: AppointmentStatus;
  /** Counts accepted changes; a repeated identical PUT does not count. */
  version: number;
  startsAt?: string;
  localStartsAt?: string;
  requestedStartsAt?: string;
  timeZone?: string;
  channel?: 'sms' | 'whatsapp';
  recipient?: string;
  /** The reminders of the current version. */
  reminders: ReminderState[];
  /** Every reminder sent so far, across versions (the most recent `MAX_SENT_HISTORY`). */
  sent: SentReminder[];
  nextReminderAt?: string;
  cancelledBy?: string;
  updatedAt?: string;
}

export interface AppointmentWorkflowInput {
  appointmentId: string;
  /** Continue as new after this many accepted changes, keeping the history small. */
  maxChangesPerRun?: number;
  /** Carried over by continue-as-new. */
  carried?: { state: AppointmentState; plan?: AppointmentPlan; series: string };
}

export const DEFAULT_MAX_CHANGES_PER_RUN = 100;
export const MAX_SENT_HISTORY = 100;

/**
 * Id (and idempotency key) of the message carrying one reminder of one version. `series`
 * tells apart successive workflows of the same appointment (cancelled, then booked again),
 * so a new booking never reuses an id whose message was already sent.
 */
export const reminderNotificationId = (appointmentId: string, key: string, series: string, version: number): string =>
  `appt-${appointmentId}-${key}-${series}.${version}`;
