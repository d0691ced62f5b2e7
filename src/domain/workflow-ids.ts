/**
 * Workflow ids are business keys: one business object, one workflow id, so a repeated
 * request finds the running workflow instead of starting a second one, and operators can
 * type the id they know into the Web UI. Workflow-safe: imports nothing.
 */

const SAFE_PART = /^[A-Za-z0-9._:-]{1,200}$/;

function part(value: string): string {
  if (!SAFE_PART.test(value)) throw new TypeError(`not a valid workflow id part: ${JSON.stringify(value).slice(0, 40)}`);
  return value;
}

export const WorkflowIds = {
  echo: (id: string) => `echo-${part(id)}`,
  /**
   * The n-th replay of a failed webhook notification: a new run for the same message (same
   * `webhook-id`). `~` never occurs in an id, so no notification id can collide with it.
   */
  notificationReplay: (id: string, n: number) => `notification-${part(id)}~replay-${n}`,
  /** One workflow per message: the id is the client's idempotency key. */
  notification: (id: string) => `notification-${part(id)}`,
  /** One long-lived workflow per appointment: its reminders, re-armed by every reschedule. */
  appointment: (id: string) => `appointment-${part(id)}`,
  /** One workflow per dossier status change: records it, then notifies the subscribers. */
  dossierStatus: (dossierId: string, changeId: string) => `dossier-status-${part(dossierId)}-${part(changeId)}`,
  /** The one owner of an Exact division's cursor: serialises its import, incremental runs and reconciliations. */
  exactDivision: (division: number) => `exact-division-${division}`,
  exactImport: (division: number) => `exact-import-${division}`,
  exactIncremental: (division: number, at: string) => `exact-incremental-${division}-${part(at)}`,
  exactReconcile: (division: number, at: string) => `exact-reconcile-${division}-${part(at)}`,
  /** One outbound sync per company at a time; edits made meanwhile coalesce into it. */
  companySync: (companyId: string) => `company-sync-${part(companyId)}`,
  /** An operator decision about one Exact account (inbound) ... */
  syncConflict: (exactGuid: string) => `sync-conflict-${part(exactGuid)}`,
  /** ... or about one of our companies whose KVK several Exact accounts carry (outbound). */
  syncConflictOfCompany: (companyId: string) => `sync-conflict-company-${part(companyId)}`,
  /** A PMS property's arrivals schedule (its runs are `pms-arrivals-<propertyId>-<time>`). */
  pmsArrivals: (propertyId: string) => `pms-arrivals-${part(propertyId)}`,
  /** One write per caller's idempotency key and property. */
  pmsWrite: (propertyId: string, idempotencyKey: string) => `pms-write-${part(propertyId)}-${part(idempotencyKey)}`,
  /** A read-through fetch; identical reads at the same moment share it. */
  pmsRead: (propertyId: string, what: string) => `pms-read-${part(propertyId)}-${part(what)}`,
  /** A vendor push's refresh, one per hinted set of records (a repeated push finds it). */
  pmsPush: (propertyId: string, hint: string) => `pms-push-${part(propertyId)}-${part(hint)}`,
  /** An operator's refresh of a property's cache; one at a time. */
  pmsRefresh: (propertyId: string) => `pms-refresh-${part(propertyId)}`,
} as const;

export const WORKFLOW_ID_PART = SAFE_PART;

/** The number of a replay run (`notification-<id>~replay-<n>`); 0 for the original run. */
export const replayNumber = (workflowId: string) => Number(/~replay-(\d+)$/.exec(workflowId)?.[1] ?? 0);
