import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/**
 * Relay's custom search attributes: how operators find work in the Web UI, e.g.
 * `RelayIntegration = "notifications" AND RelayStatus = "failed"`.
 *
 * Workflow-safe (imported by sandboxed workflow code): imports only Temporal's common types.
 *
 * Budget: dev server and docker-compose use SQL visibility, which allows few custom
 * attributes per type per namespace (about 10 Keyword, 3 each of Int, Datetime, Double,
 * Bool, Text, KeywordList). Relay uses 5 Keyword, 1 Datetime and 1 Int, leaving room
 * for a deployment's own. Never put personal data (names, phone numbers, e-mail) here:
 * search attributes are stored and shown unencrypted.
 */

/** Which integration a workflow belongs to: `core`, `notifications`, `company-sync`, `pms`. */
export const RelayIntegration = defineSearchAttributeKey('RelayIntegration', SearchAttributeType.KEYWORD);
/** Kind of business object: `echo`, `notification`, `appointment`, `company`, `reservation`... */
export const RelayEntity = defineSearchAttributeKey('RelayEntity', SearchAttributeType.KEYWORD);
/** The business object's own id (appointment id, dossier id, Exact account id...), never a phone number. */
export const RelayEntityId = defineSearchAttributeKey('RelayEntityId', SearchAttributeType.KEYWORD);
/** Business status, set on every path the workflow runs; see `BusinessStatus`. */
export const RelayStatus = defineSearchAttributeKey('RelayStatus', SearchAttributeType.KEYWORD);
/** Delivery channel or vendor (`sms`, `whatsapp`, `webhook`, `mews`...). */
export const RelayChannel = defineSearchAttributeKey('RelayChannel', SearchAttributeType.KEYWORD);
/** When the workflow will next act on its own (a reminder's send time, a retry). */
export const RelayNextActionAt = defineSearchAttributeKey('RelayNextActionAt', SearchAttributeType.DATETIME);
/** Attempts made so far at the external call the workflow exists for. */
export const RelayAttempts = defineSearchAttributeKey('RelayAttempts', SearchAttributeType.INT);

export const RELAY_SEARCH_ATTRIBUTES = [
  RelayIntegration,
  RelayEntity,
  RelayEntityId,
  RelayStatus,
  RelayChannel,
  RelayNextActionAt,
  RelayAttempts,
] as const;

/**
 * Statuses shared by every integration (each may add its own, e.g. `awaiting-resolution`).
 * Terminated and timed-out runs cannot set one; Temporal's `ExecutionStatus` shows those.
 */
export const BusinessStatus = {
  running: 'running',
  scheduled: 'scheduled',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  awaitingResolution: 'awaiting-resolution',
} as const;
export type BusinessStatus = (typeof BusinessStatus)[keyof typeof BusinessStatus];

/** Values of `RelayIntegration`. */
export type RelayIntegrationName = 'core' | 'notifications' | 'company-sync' | 'pms';

export interface RelaySearchAttributes {
  integration: RelayIntegrationName;
  /** Kind of business object, e.g. `notification`, `appointment`. */
  entity: string;
  /** The object's own id; omitted for work about no single object (a purge). */
  entityId?: string;
  /** Set only where a delivery channel or vendor applies. */
  channel?: string;
  /** The status a workflow starts with; it sets later ones itself. */
  status: BusinessStatus | (string & {});
  nextActionAt?: Date;
}

/**
 * The search attributes a Relay workflow starts with, built the same way (and in the same
 * order) by every starter, schedule and parent workflow. Pure, so workflow code may call it.
 */
export function relaySearchAttributes(a: RelaySearchAttributes): SearchAttributePair[] {
  return [
    { key: RelayIntegration, value: a.integration },
    { key: RelayEntity, value: a.entity },
    ...(a.entityId !== undefined ? [{ key: RelayEntityId, value: a.entityId }] : []),
    ...(a.channel !== undefined ? [{ key: RelayChannel, value: a.channel }] : []),
    { key: RelayStatus, value: a.status },
    ...(a.nextActionAt !== undefined ? [{ key: RelayNextActionAt, value: a.nextActionAt }] : []),
  ];
}
