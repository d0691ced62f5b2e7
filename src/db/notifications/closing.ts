import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { STATUS_RANK } from '../../domain/notifications';
import { type StatusChange, advanceStatusSql, rankSql } from './notification-log';

/**
 * Closing log rows: every way a notification ends sets `closed_at`, the clock retention runs
 * on (the purge deletes only closed rows). A final status closes a row by itself (see
 * `advanceStatusSql`); these close the rows that end otherwise: no receipt in time, a
 * workflow cancelled from outside, a workflow that no longer runs.
 */

export interface CloseRow {
  id: string;
  /** Recorded as `last_error` when the row ends `cancelled`. */
  reason: string;
  /** When it closed; default now. */
  closedAt?: Date;
}

/**
 * Closes an open row with what is known: a message Twilio took (a recorded SID, or a status
 * from `sent` up) keeps its status (`sending` with a SID becomes `sent`), anything else
 * ends `cancelled` with `reason`. A closed row is left as it is. A later receipt still moves
 * a `sent` row up (the status only ever rises); `closed_at` stays.
 */
export function closeRowSql({ id, reason, closedAt }: CloseRow): Prisma.Sql {
  const at = closedAt ?? new Date();
  const sentRank = STATUS_RANK.sent;
  const rank = rankSql(Prisma.sql`status`);
  return Prisma.sql`
    UPDATE notification SET
      status = CASE WHEN ${rank} >= ${sentRank} THEN status WHEN vendor_message_id IS NOT NULL THEN 'sent' ELSE 'cancelled' END,
      last_error = CASE WHEN ${rank} < ${sentRank} AND vendor_message_id IS NULL THEN ${reason} ELSE last_error END,
      sent_at = CASE WHEN ${rank} < ${sentRank} AND vendor_message_id IS NOT NULL THEN COALESCE(sent_at, ${at}) ELSE sent_at END,
      closed_at = ${at},
      updated_at = now()
    WHERE id = ${id} AND closed_at IS NULL`;
}

/** See `closeRowSql`; returns whether the row was open (and is now closed). */
export async function closeNotification(prisma: PrismaClient, row: CloseRow): Promise<boolean> {
  return (await prisma.$executeRaw(closeRowSql(row))) > 0;
}

/**
 * Records the status the vendor reports (monotonic, as a receipt would) and closes the row,
 * in one transaction: a final status closes it as such, a status still on its way leaves it
 * `sent` and closed.
 */
export async function recordStatusAndClose(prisma: PrismaClient, change: StatusChange, reason: string): Promise<void> {
  await prisma.$transaction([prisma.$executeRaw(advanceStatusSql(change)), prisma.$executeRaw(closeRowSql({ id: change.id, reason }))]);
}

export interface OpenRow {
  id: string;
  workflowId: string;
  updatedAt: Date;
}

/** Open rows untouched since `before`, by id after `afterId` (for paging through them). */
export async function openRowsIdleSince(prisma: PrismaClient, before: Date, afterId: string, limit: number): Promise<OpenRow[]> {
  return prisma.notification.findMany({
    where: { closedAt: null, updatedAt: { lt: before }, id: { gt: afterId } },
    select: { id: true, workflowId: true, updatedAt: true },
    orderBy: { id: 'asc' },
    take: limit,
  });
}
