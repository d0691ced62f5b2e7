import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { subscribedEndpointIds } from '../../db/notifications/webhook-endpoints';
import type { NotificationRequest } from '../../domain/notifications';
import { webhookNotificationId } from '../../domain/notifications';
import { WorkflowIds, replayNumber } from '../../domain/workflow-ids';
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors';
import type { Notification } from '../../generated/prisma/client';
import { type Accepted, type NotificationStarterContext, acceptNotification, startNotificationRun } from './notification';

export interface WebhookEvent {
  /** Event type, e.g. `dossier.status_changed`. */
  event: string;
  payload?: Record<string, unknown>;
  /**
   * Identifies this occurrence of the event (e.g. `dossier-42-status-7`): each endpoint's
   * notification id is `<key>:<endpoint id>`, so a retried dispatch sends nothing twice.
   */
  key: string;
  requestedBy: string;
  dossierId?: string;
  appointmentId?: string;
}

/** One webhook notification per active endpoint subscribed to the event. */
export async function notifyWebhookSubscribers(ctx: NotificationStarterContext, e: WebhookEvent): Promise<Accepted[]> {
  const endpointIds = await subscribedEndpointIds(ctx.prisma, e.event);
  const accepted: Accepted[] = [];
  for (const endpointId of endpointIds) {
    accepted.push(
      await acceptNotification(ctx, {
        id: webhookNotificationId(e.key, endpointId),
        channel: 'webhook',
        recipient: endpointId,
        event: e.event,
        payload: e.payload,
        requestedBy: e.requestedBy,
        dossierId: e.dossierId,
        appointmentId: e.appointmentId,
      }),
    );
  }
  return accepted;
}

/**
 * Delivers a failed webhook notification again: a new run of the notification workflow
 * (`notification-<id>~replay-<n>`) for the same message, so the receiver sees the same
 * `webhook-id` and body. The log row follows the new run: it names its workflow, goes back
 * to `sending`, and keeps counting attempts. Safe to repeat: a concurrent replay of the
 * same failure finds the run already started.
 */
export async function replayWebhookNotification(ctx: NotificationStarterContext, row: Notification, by: string): Promise<Notification> {
  if (row.channel !== 'webhook') throw new UnprocessableError(`Notification ${row.id} is a ${row.channel} message; only webhook deliveries can be replayed`, { channel: row.channel });
  if (row.status !== 'failed') throw new ConflictError(`Notification ${row.id} is ${row.status}; only a failed delivery can be replayed`, { status: row.status });
  const endpoint = await ctx.prisma.webhookEndpoint.findUnique({ where: { id: row.recipient }, select: { status: true } });
  if (!endpoint) throw new NotFoundError(`No webhook endpoint ${row.recipient}`);
  if (endpoint.status !== 'active') throw new ConflictError(`Webhook endpoint ${row.recipient} is disabled; enable it before replaying`, { endpointId: row.recipient });

  const n = replayNumber(row.workflowId) + 1;
  const workflowId = WorkflowIds.notificationReplay(row.id, n);
  const request: NotificationRequest = {
    id: row.id,
    channel: 'webhook',
    recipient: row.recipient,
    event: row.event ?? undefined,
    payload: row.payload ?? undefined,
    requestedBy: row.requestedBy,
    dossierId: row.dossierId ?? undefined,
    appointmentId: row.appointmentId ?? undefined,
  };
  try {
    await startNotificationRun(ctx, request, workflowId);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConflictError(`Notification ${row.id} was replayed concurrently; try again`, { workflowId });
    }
    throw err;
  }

  const now = new Date();
  // Guarded by the run the row names: a no-op when the new run's first attempt already moved it.
  await ctx.prisma.$transaction([
    ctx.prisma.notification.updateMany({
      where: { id: row.id, workflowId: row.workflowId, status: 'failed' },
      data: { workflowId, status: 'sending', closedAt: null, updatedAt: now },
    }),
    ctx.prisma.auditLog.createMany({
      data: [
        {
          actor: by,
          action: 'notification.replayed',
          entity: 'notification',
          entityId: row.id,
          before: { workflowId: row.workflowId, status: row.status },
          after: { workflowId, status: 'sending' },
          correlationId: workflowId,
          idempotencyKey: `notification.replayed:${workflowId}`,
        },
      ],
      skipDuplicates: true,
    }),
  ]);
  return ctx.prisma.notification.findUniqueOrThrow({ where: { id: row.id } });
}
