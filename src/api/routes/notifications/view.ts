import type { Notification } from '../../../generated/prisma/client';
import type { z } from '../../openapi';
import type { NotificationView } from './schemas';

/** Personal data stays out of API answers beyond what identifies the message. */
export const maskRecipient = (recipient: string) =>
  recipient.startsWith('+') ? `${recipient.slice(0, 3)}${'•'.repeat(Math.max(0, recipient.length - 5))}${recipient.slice(-2)}` : recipient;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function notificationView(row: Notification, webUiUrl: (workflowId: string) => string): z.infer<typeof NotificationView> {
  return {
    id: row.id,
    workflowId: row.workflowId,
    channel: row.channel as z.infer<typeof NotificationView>['channel'],
    recipient: maskRecipient(row.recipient),
    status: row.status as z.infer<typeof NotificationView>['status'],
    attempts: row.attempts,
    lastError: row.lastError,
    errorCode: row.errorCode,
    vendorMessageId: row.vendorMessageId,
    sendAt: iso(row.sendAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    closedAt: iso(row.closedAt),
    appointmentId: row.appointmentId,
    dossierId: row.dossierId,
    webUiUrl: webUiUrl(row.workflowId),
  };
}
