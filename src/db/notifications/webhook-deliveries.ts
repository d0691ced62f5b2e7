import type { NotificationRequest } from '../../domain/notifications';
import { replayNumber } from '../../domain/workflow-ids';
import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { advanceStatus, newNotificationRow } from './notification-log';

/** The notification-log side of webhook deliveries. */

/**
 * Makes sure the delivery's log row exists and belongs to this run, and returns when the event
 * was accepted (the body's `timestamp`, the same on every attempt and replay).
 */
export async function openWebhookDelivery(prisma: PrismaClient, request: NotificationRequest, workflowId: string): Promise<{ acceptedAt: Date }> {
  const payload = request.payload === undefined ? Prisma.DbNull : (request.payload as Prisma.InputJsonValue);
  const row = await prisma.notification.upsert({
    where: { id: request.id },
    create: { ...newNotificationRow(request, workflowId, 'sending'), payload },
    update: { payload },
    select: { workflowId: true, createdAt: true },
  });
  if (row.workflowId !== workflowId && replayNumber(workflowId) > replayNumber(row.workflowId)) {
    // A replay run whose API request did not get to update the row (it crashed after starting it).
    await prisma.notification.updateMany({
      where: { id: request.id, workflowId: row.workflowId },
      data: { workflowId, status: 'sending', closedAt: null },
    });
  }
  return { acceptedAt: row.createdAt };
}

/** Counts an attempt that is about to reach the receiver. */
export async function beginWebhookAttempt(prisma: PrismaClient, notificationId: string): Promise<void> {
  await prisma.notification.update({ where: { id: notificationId }, data: { attempts: { increment: 1 } } });
  await advanceStatus(prisma, { id: notificationId, status: 'sending' });
}

/** Keeps the reason of a failed attempt on the row (the workflow decides what comes next). */
export async function recordWebhookError(prisma: PrismaClient, notificationId: string, message: string, code: string | null): Promise<void> {
  await prisma.notification.update({ where: { id: notificationId }, data: { lastError: message, errorCode: code } });
}
