import { createHash } from 'node:crypto';
import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { type NotificationRequest, type NotificationStatus, STATUS_RANK } from '../../domain/notifications';

/**
 * The notification log: the queryable record of every message, kept current by the
 * workflow's activities and the receipt handler. Status only moves up in rank.
 */

/** SQL rank of a status column, from the same table the workflow uses. */
const rankSql = (column: Prisma.Sql) =>
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
  vendorMessageId?: string;
}

/** Moves a notification to `status` unless it is already at or past it; returns whether it moved. */
export async function advanceStatus(prisma: PrismaClient, change: StatusChange): Promise<boolean> {
  const now = new Date();
  const final = ['delivered', 'read', 'failed', 'undelivered', 'cancelled'].includes(change.status);
  const count = await prisma.$executeRaw`
    UPDATE notification SET
      status = ${change.status},
      last_error = COALESCE(${change.reason ?? null}, last_error),
      error_code = COALESCE(${change.code ?? null}, error_code),
      vendor_message_id = COALESCE(vendor_message_id, ${change.vendorMessageId ?? null}),
      sent_at = CASE WHEN ${change.status} IN ('sent', 'delivered', 'read') THEN COALESCE(sent_at, ${now}) ELSE sent_at END,
      delivered_at = CASE WHEN ${change.status} IN ('delivered', 'read') THEN COALESCE(delivered_at, ${now}) ELSE delivered_at END,
      closed_at = CASE WHEN ${final} THEN COALESCE(closed_at, ${now}) ELSE closed_at END,
      updated_at = ${now}
    WHERE id = ${change.id} AND ${rankSql(Prisma.sql`status`)} < ${STATUS_RANK[change.status]}`;
  return count > 0;
}
