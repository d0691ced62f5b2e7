/**
 * Dossier status changes in Relay's terms, shared by the API, activities and workflows.
 * Workflow-safe: imports nothing.
 */

/** The webhook event a dossier status change produces. */
export const DOSSIER_STATUS_CHANGED_EVENT = 'dossier.status_changed';

export type DossierSubscriberTarget =
  | { id: string; channel: 'sms' | 'whatsapp'; recipient: string }
  | { id: string; channel: 'webhook'; endpointId: string };

/** What the API asks for: `changeId` is the client's idempotency key. */
export interface DossierStatusRequest {
  dossierId: string;
  changeId: string;
  status: string;
  /** Free text passed on to the subscribers with the change. */
  note?: string;
  requestedBy: string;
}

/** A change as PostgreSQL recorded it, with the subscribers at that moment. */
export interface RecordedDossierChange {
  changeId: string;
  status: string;
  previousStatus: string | null;
  /** ISO 8601, the time the change was recorded (stable across retries). */
  changedAt: string;
  /** True when this change was recorded by an earlier attempt or run. */
  alreadyRecorded: boolean;
  subscribers: DossierSubscriberTarget[];
}

export interface DossierStatusOutcome {
  dossierId: string;
  changeId: string;
  status: string;
  previousStatus: string | null;
  changedAt: string;
  /** Ids of the notifications started for this change (none when the status did not change). */
  notificationIds: string[];
}

/**
 * Id of the notification a change sends to one subscriber: deterministic, so a retried
 * or replayed start finds the notification instead of sending a second one.
 */
export const dossierNotificationId = (dossierId: string, changeId: string, subscriberId: string) =>
  `dossier-${dossierId}-${changeId}-${subscriberId}`;

/** Subscriber ids are this many hex digits (see the subscribers route). */
export const SUBSCRIBER_ID_LENGTH = 16;
