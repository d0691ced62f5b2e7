import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { consentKey } from '../../db/notifications/consent';
import { acceptNotificationRow, newNotificationRow, requestHash } from '../../db/notifications/notification-log';
import { type DeliveryPolicy, type NotificationRequest, notificationSearchAttributes } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { ConflictError, UnprocessableError } from '../../errors';
import type { Notification, PrismaClient } from '../../generated/prisma/client';
import { notificationWorkflow } from '../../workflows/notifications/notification';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

export interface NotificationStarterContext extends StarterContext {
  prisma: PrismaClient;
  policy: DeliveryPolicy;
}

export interface Accepted {
  notification: Notification;
  /** False when the idempotency key was seen before: nothing new was sent. */
  created: boolean;
}

/**
 * Accepts one message exactly once per idempotency key. The key lives in PostgreSQL (the
 * log row), so a repeat is recognised even after Temporal's retention deleted the history.
 * Order matters: the workflow starts before the row is written, so a crash in between
 * loses nothing (the workflow's first activity writes the row) and a retry finds the
 * running workflow (same id, USE_EXISTING) instead of sending twice.
 */
export async function acceptNotification(ctx: NotificationStarterContext, request: NotificationRequest): Promise<Accepted> {
  // One round trip for the common case: is the key new, and may this recipient be messaged?
  const [seen] = await ctx.prisma.$queryRaw<Array<{ known: boolean; opted_out: boolean | null }>>`
    SELECT EXISTS (SELECT 1 FROM notification WHERE id = ${request.id}) AS known,
           (SELECT opted_out FROM recipient_consent WHERE recipient = ${consentKey(request.recipient)}) AS opted_out`;
  const existing = seen?.known ? await ctx.prisma.notification.findUnique({ where: { id: request.id } }) : null;
  if (existing) return { notification: sameRequestOrConflict(existing, request), created: false };

  if (request.channel === 'webhook') {
    // A disabled endpoint is accepted: the delivery fails at once with the reason, and can be replayed once enabled.
    const endpoint = await ctx.prisma.webhookEndpoint.findUnique({ where: { id: request.recipient }, select: { id: true } });
    if (!endpoint) throw new UnprocessableError(`No webhook endpoint ${request.recipient}`, { reason: 'unknown_endpoint' });
  } else if (seen?.opted_out) {
    throw new UnprocessableError('The recipient opted out of messages; they must opt in again (reply START) before Relay sends to them', { reason: 'recipient_opted_out' });
  }

  const workflowId = WorkflowIds.notification(request.id);
  const scheduled = request.sendAt !== undefined && Date.parse(request.sendAt) > Date.now();
  await startNotificationRun(ctx, request, workflowId);

  const row = newNotificationRow(request, workflowId, scheduled ? 'scheduled' : 'accepted');
  const accepted = await acceptNotificationRow(ctx.prisma, row);
  if (accepted) return { notification: accepted, created: true };
  // A concurrent request with the same key came first, or the key names another message.
  const raced = await ctx.prisma.notification.findUniqueOrThrow({ where: { id: request.id } });
  return { notification: sameRequestOrConflict(raced, request), created: false };
}

/**
 * Starts one run of the notification workflow (the first, or a replay's under its own id):
 * a repeat of the same id finds the running workflow, a closed one is never run again.
 */
export async function startNotificationRun(ctx: Omit<NotificationStarterContext, 'prisma'>, request: NotificationRequest, workflowId: string): Promise<void> {
  await ctx.client.workflow.start(notificationWorkflow, {
    taskQueue: taskQueueOf(ctx.taskQueues, 'notifications'),
    workflowId,
    args: [{ request, policy: ctx.policy }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: notificationSearchAttributes(request, Date.now()),
  });
}

function sameRequestOrConflict(row: Notification, request: NotificationRequest): Notification {
  if (row.requestHash !== requestHash(request)) {
    throw new ConflictError(`Idempotency key ${request.id} was already used for a different notification`, { id: request.id });
  }
  return row;
}
