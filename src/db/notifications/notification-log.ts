import { createHash } from 'node:crypto';
import { type Notification, Prisma, type PrismaClient } from '../../generated/prisma/client';
import { type NotificationRequest, type NotificationStatus, STATUS_RANK } from '../../domain/notifications';
import { type LaneAnswer, type LaneRequest, type LaneRow, type PendingAttempt, laneAttemptSentSql, resolveLaneAttemptSql, takeSendLaneSql, toLaneAnswer } from './send-lane';
import { finishSendSql } from './sender-rate';

/**
 * The notification log: the queryable record of every message, kept current by the
 * workflow's activities and the receipt handler. Status only moves up in rank, except where
 * the vendor's word corrects Relay's own verdict (`advanceStatusSql`).
 */

/** SQL rank of a status column, from the same table the workflow uses. */
export const rankSql = (column: Prisma.Sql) =>
  Prisma.sql`CASE ${column} ${Prisma.join(
    Object.entries(STATUS_RANK).map(([s, r]) => Prisma.sql`WHEN ${s} THEN ${r}`),
    ' ',
  )} END`;

export function requestHash(request: NotificationRequest): string {
  const { requestedBy: _by, ...content } = request;
  return createHash('sha256').update(stableJson(content)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The row as the API creates it; activities create it too when a workflow started it (reminders, dossiers). */
export function newNotificationRow(request: NotificationRequest, workflowId: string, status: NotificationStatus, sender?: string) {
  return {
    id: request.id,
    workflowId,
    requestHash: requestHash(request),
    channel: request.channel,
    recipient: request.recipient,
    sender: sender ?? request.sender ?? null,
    template: request.template ?? null,
    body: request.body ?? null,
    variables: request.variables ?? Prisma.DbNull,
    event: request.event ?? null,
    payload: request.payload === undefined ? Prisma.DbNull : (request.payload as Prisma.InputJsonValue),
    sendAt: request.sendAt ? new Date(request.sendAt) : null,
    status,
    requestedBy: request.requestedBy,
    appointmentId: request.appointmentId ?? null,
    dossierId: request.dossierId ?? null,
    endpointId: request.channel === 'webhook' ? request.recipient : null,
  };
}

export interface StatusChange {
  id: string;
  status: NotificationStatus;
  reason?: string;
  code?: string;
  /**
   * The vendor's id of the message the change is about. A change that carries it reports what
   * the vendor says (a receipt, Twilio's answer to a create, a message found at Twilio).
   */
  vendorMessageId?: string;
}

/**
 * The UPDATE that moves a notification to `status` unless it is already at or past it, with one
 * exception: the vendor's word beats Relay's own verdict. A row that Relay ended `failed` or
 * `cancelled` without any vendor message (it gave up, or its workflow was cancelled mid-send)
 * moves to what a change carrying the vendor's message id reports: `sent`, `delivered`, `read`,
 * or the vendor's own `failed`/`undelivered` (from then on the usual ranks hold); and Relay's own
 * verdict (`failed` or `cancelled` without a vendor message id) never replaces the status of a
 * message the vendor has on record. The message's
 * workflow may have ended `failed` all the same: the log is the record of what happened to the
 * message, the workflow's result what Relay knew when it ended. `guard` is a further condition.
 */
export function advanceStatusSql(change: StatusChange, guard: Prisma.Sql = Prisma.sql`true`): Prisma.Sql {
  const now = new Date();
  const final = ['delivered', 'read', 'failed', 'undelivered', 'cancelled'].includes(change.status);
  const vendorReport = change.vendorMessageId !== undefined && change.status !== 'cancelled' && STATUS_RANK[change.status] >= STATUS_RANK.sent;
  const relayVerdict = change.vendorMessageId === undefined && (change.status === 'failed' || change.status === 'cancelled');
  return Prisma.sql`
    UPDATE notification SET
      status = ${change.status},
      last_error = COALESCE(${change.reason ?? null}, last_error),
      error_code = COALESCE(${change.code ?? null}, error_code),
      vendor_message_id = COALESCE(vendor_message_id, ${change.vendorMessageId ?? null}),
      sent_at = CASE WHEN ${change.status} IN ('sent', 'delivered', 'read') THEN COALESCE(sent_at, ${now}) ELSE sent_at END,
      delivered_at = CASE WHEN ${change.status} IN ('delivered', 'read') THEN COALESCE(delivered_at, ${now}) ELSE delivered_at END,
      closed_at = CASE WHEN ${final} THEN COALESCE(closed_at, ${now}) ELSE closed_at END,
      updated_at = ${now}
    WHERE id = ${change.id} AND ${guard}
      AND ((${rankSql(Prisma.sql`status`)} < ${STATUS_RANK[change.status]} AND NOT (${relayVerdict} AND vendor_message_id IS NOT NULL))
           OR (${vendorReport} AND status IN ('failed', 'cancelled') AND vendor_message_id IS NULL))`;
}

/** Moves a notification to `status` unless it is already at or past it; returns whether it moved. */
export async function advanceStatus(prisma: PrismaClient, change: StatusChange): Promise<boolean> {
  return (await prisma.$executeRaw(advanceStatusSql(change))) > 0;
}

export interface SendAttempt {
  /** Set when an earlier attempt's message was recorded: nothing must be sent again. */
  vendorMessageId: string | null;
  /** Attempts so far, this one included, across worker crashes. */
  attempts: number;
  optedOut: boolean;
  /** The send lane and the sender's slot, when they were asked for. */
  lane?: LaneAnswer;
}

/**
 * Counts a send attempt and moves the row to `sending`, creating it when a workflow (a
 * reminder, a dossier change) rather than the API started the message; reads the
 * recipient's consent and, when asked, takes the send lane and the sender's slot in the same
 * round trip. One statement: this runs for every message.
 */
export async function beginSendAttempt(
  prisma: PrismaClient,
  request: NotificationRequest,
  workflowId: string,
  sender: string,
  consentKey: string,
  lane?: LaneRequest,
): Promise<SendAttempt> {
  const row = { ...newNotificationRow(request, workflowId, 'sending', sender), attempts: 1 };
  type Result = { vendor_message_id: string | null; attempts: number; opted_out: boolean | null } & LaneRow;
  const [result] = await prisma.$queryRaw<Result[]>`
    WITH attempt AS (
      INSERT INTO notification AS n ${insertColumnsAndValues(row)}
      ON CONFLICT (id) DO UPDATE SET
        attempts = n.attempts + 1,
        sender = EXCLUDED.sender,
        status = CASE WHEN ${rankSql(Prisma.sql`n.status`)} < ${STATUS_RANK.sending} THEN 'sending' ELSE n.status END,
        updated_at = now()
      RETURNING n.vendor_message_id, n.attempts,
                (SELECT c.opted_out FROM recipient_consent c WHERE c.recipient = ${consentKey}) AS opted_out
    )
    ${lane ? Prisma.sql`SELECT a.*, s.* FROM attempt a LEFT JOIN ${takeSendLaneSql(lane)} s ON true` : Prisma.sql`SELECT * FROM attempt`}`;
  if (!result) throw new Error(`notification ${request.id}: the send attempt was not recorded`);
  return {
    vendorMessageId: result.vendor_message_id,
    attempts: Number(result.attempts),
    optedOut: result.opted_out ?? false,
    ...(lane ? { lane: toLaneAnswer(result) } : {}),
  };
}

/** Records a message Twilio accepted and ends its send in the sender's window and its attempt on the lane, in one statement. */
export async function recordSent(prisma: PrismaClient, change: StatusChange & { vendorMessageId: string }, sendId: bigint, attemptId: bigint): Promise<boolean> {
  return (
    (await prisma.$executeRaw`WITH finished AS (${finishSendSql(sendId)}), lane AS (${laneAttemptSentSql(attemptId, change.vendorMessageId)}) ${advanceStatusSql(change)}`) > 0
  );
}

/**
 * Records what a look-up found for a pending lane attempt, in one statement: the attempt's
 * outcome, and for `adopted` the message on its notification's row (`sent`, as a change the
 * vendor reports). Nothing changes when someone recorded the attempt's outcome first; returns
 * whether this call did.
 */
export async function recordLaneResolution(
  prisma: PrismaClient,
  pending: Pick<PendingAttempt, 'id' | 'notificationId'>,
  found: { outcome: 'absent' | 'unattributable' } | { outcome: 'adopted'; vendorMessageId: string },
): Promise<boolean> {
  const sid = found.outcome === 'adopted' ? found.vendorMessageId : null;
  const change: StatusChange = { id: pending.notificationId, status: 'sent', ...(sid ? { vendorMessageId: sid } : {}) };
  const [row] = await prisma.$queryRaw<Array<{ resolved: boolean }>>`
    WITH resolved AS (${resolveLaneAttemptSql(pending.id, found.outcome, sid)}),
    moved AS (${advanceStatusSql(change, Prisma.sql`${sid !== null} AND EXISTS (SELECT 1 FROM resolved)`)} RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM resolved) AS resolved`;
  return row?.resolved ?? false;
}

type NewRow = ReturnType<typeof newNotificationRow> & { attempts?: number };

/** `(columns) VALUES (...)` of a new log row, for the hot paths' hand-written INSERTs. */
function insertColumnsAndValues(row: NewRow, acceptedAt: Prisma.Sql = Prisma.sql`NULL`): Prisma.Sql {
  const json = (value: unknown) => (value === Prisma.DbNull ? null : JSON.stringify(value));
  return Prisma.sql`(id, workflow_id, request_hash, channel, recipient, sender, template, body, variables, event, payload,
                     send_at, status, attempts, requested_by, appointment_id, dossier_id, endpoint_id, accepted_at)
    VALUES (${row.id}, ${row.workflowId}, ${row.requestHash}, ${row.channel}, ${row.recipient}, ${row.sender}, ${row.template}, ${row.body},
            ${json(row.variables)}::jsonb, ${row.event}, ${json(row.payload)}::jsonb, ${row.sendAt}, ${row.status}, ${row.attempts ?? 0},
            ${row.requestedBy}, ${row.appointmentId}, ${row.dossierId}, ${row.endpointId}, ${acceptedAt})`;
}

/**
 * Records the API's acceptance of a message: inserts its row, or marks the row the workflow's
 * first activity already wrote (it can beat the API's insert, which follows the start). Returns
 * the row when this call accepted it, null when another request with the key did (or the key
 * was used for a different message). A hand-written statement: it runs once per message.
 */
export async function acceptNotificationRow(prisma: PrismaClient, row: ReturnType<typeof newNotificationRow>): Promise<Notification | null> {
  const [accepted] = await prisma.$queryRaw<Array<{ created_at: Date; updated_at: Date; accepted_at: Date; fresh: boolean }>>`
    INSERT INTO notification AS n ${insertColumnsAndValues(row, Prisma.sql`now()`)}
    ON CONFLICT (id) DO UPDATE SET accepted_at = EXCLUDED.accepted_at
      WHERE n.accepted_at IS NULL AND n.request_hash = EXCLUDED.request_hash
    RETURNING n.created_at, n.updated_at, n.accepted_at, (n.xmax = 0) AS fresh`;
  if (!accepted) return null;
  // The workflow wrote the row first: read it as it is now.
  if (!accepted.fresh) return prisma.notification.findUnique({ where: { id: row.id } });
  const jsonOrNull = (value: unknown) => (value === Prisma.DbNull ? null : (value as Prisma.JsonValue));
  return {
    ...row,
    variables: jsonOrNull(row.variables),
    payload: jsonOrNull(row.payload),
    attempts: 0,
    lastError: null,
    errorCode: null,
    vendorMessageId: null,
    createdAt: accepted.created_at,
    updatedAt: accepted.updated_at,
    sentAt: null,
    deliveredAt: null,
    closedAt: null,
    acceptedAt: accepted.accepted_at,
  };
}

export interface FinalReceipt {
  /** The message's workflow, or null when no such notification is logged. */
  workflowId: string | null;
  /** The status before this receipt. */
  previous: NotificationStatus | null;
  /** Whether the receipt moved the status. */
  moved: boolean;
  /** The same receipt (by key) was recorded before. */
  repeat: boolean;
}

/**
 * Applies a final delivery receipt in one statement: records its key (to recognise repeats),
 * reads the status it replaces and moves the row. Every CTE sees the same snapshot, so
 * `previous` is the status before this update.
 */
export async function applyFinalReceipt(prisma: PrismaClient, receiptKey: string, change: StatusChange): Promise<FinalReceipt> {
  const [row] = await prisma.$queryRaw<Array<{ workflow_id: string | null; previous: string | null; moved: boolean; repeat: boolean }>>`
    WITH receipt AS (
      INSERT INTO twilio_callback_receipt (key) VALUES (${receiptKey}) ON CONFLICT (key) DO NOTHING RETURNING 1
    ), before AS (
      SELECT workflow_id, status FROM notification WHERE id = ${change.id}
    ), moved AS (
      ${advanceStatusSql(change)} RETURNING 1
    )
    SELECT (SELECT workflow_id FROM before) AS workflow_id, (SELECT status FROM before) AS previous,
           EXISTS (SELECT 1 FROM moved) AS moved, NOT EXISTS (SELECT 1 FROM receipt) AS repeat`;
  return {
    workflowId: row?.workflow_id ?? null,
    previous: (row?.previous as NotificationStatus | null) ?? null,
    moved: row?.moved ?? false,
    repeat: row?.repeat ?? false,
  };
}

/**
 * Twilio message SIDs that other notifications to `recipient` (created since `since`) have
 * recorded: a look-up before a resend must not adopt one of those. This notification's own
 * SID is not among them — a receipt can record it while the look-up runs, and it is exactly
 * the message to adopt.
 */
export async function sidsClaimedByOthers(prisma: PrismaClient, notificationId: string, recipient: string, since: Date): Promise<string[]> {
  const rows = await prisma.notification.findMany({
    where: { id: { not: notificationId }, recipient, vendorMessageId: { not: null }, createdAt: { gte: since } },
    select: { vendorMessageId: true },
  });
  return rows.map((r) => r.vendorMessageId!);
}
