import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Router } from 'express';
import { recordConsent } from '../../../db/notifications/consent';
import type { DeliveryPolicy } from '../../../domain/notifications';
import { DEFAULT_PHONE_REGION, type PhoneRegion } from '../../../domain/phone-numbers';
import { ConflictError, NotFoundError } from '../../../errors';
import type { PrismaClient, Prisma } from '../../../generated/prisma/client';
import type { StarterContext } from '../../../temporal/starters/context';
import { acceptNotification } from '../../../temporal/starters/notification';
import { resendDroppedUpdate } from '../../../temporal/starters/resend-dropped-update';
import { cancelNotificationUpdate } from '../../../workflows/notifications/definitions';
import { principalOf, requireRole } from '../../auth';
import { requestProblem } from '../../request-problem';
import { validated } from '../../validate';
import { encodeCursor } from '../pagination';
import { consentBody, ListNotificationsQuery, NotificationParams, sendNotificationBody } from './schemas';
import { notificationView } from './view';

export interface NotificationRouteDeps {
  starter: StarterContext;
  prisma: PrismaClient;
  policy: DeliveryPolicy;
  webUiUrl: (workflowId: string) => string;
  /** Region of recipients written as national numbers (PHONE_DEFAULT_REGION); default NL. */
  phoneRegion?: PhoneRegion;
  /** Twilio's configured senders: a `sender` must be one of them. */
  senders: ReadonlyArray<{ channel: 'sms' | 'whatsapp'; address: string }>;
  /** Latest `sendAt` accepted, as a distance from now (NOTIFY_MAX_SCHEDULE_AHEAD_DAYS). */
  maxScheduleAheadMs: number;
}

/** Sending, reading and cancelling notifications; consent changes. */
export function notificationsRouter(deps: NotificationRouteDeps): Router {
  const router = Router();
  const view = (row: Parameters<typeof notificationView>[0]) => notificationView(row, deps.webUiUrl);
  const SendNotificationBody = sendNotificationBody(deps.phoneRegion ?? DEFAULT_PHONE_REGION);
  const ConsentBody = consentBody(deps.phoneRegion ?? DEFAULT_PHONE_REGION);

  router.post(
    '/v1/notifications',
    requireRole('service'),
    validated({ body: SendNotificationBody }, async ({ body }, _req, res) => {
      const { idempotencyKey, ...message } = body;
      checkSchedulable(message.sendAt, deps.maxScheduleAheadMs);
      if (message.channel !== 'webhook' && message.sender !== undefined) checkSender(deps.senders, message.channel, message.sender);
      const { notification, created } = await acceptNotification(
        { ...deps.starter, prisma: deps.prisma, policy: deps.policy },
        { id: idempotencyKey, ...message, requestedBy: principalOf(res).name },
      );
      // 202: accepted, sent in the background (the request never waits for the vendor); 200: seen before.
      res.status(created ? 202 : 200).location(`/v1/notifications/${notification.id}`).json(view(notification));
    }),
  );

  router.get(
    '/v1/notifications/:id',
    requireRole('service'),
    validated({ params: NotificationParams }, async ({ params }, _req, res) => {
      const row = await deps.prisma.notification.findUnique({ where: { id: params.id } });
      if (!row) throw new NotFoundError(`No notification ${params.id}`);
      res.json(view(row));
    }),
  );

  router.get(
    '/v1/notifications',
    requireRole('service'),
    validated({ query: ListNotificationsQuery }, async ({ query }, _req, res) => {
      const where: Prisma.NotificationWhereInput = {
        status: query.status,
        channel: query.channel,
        appointmentId: query.appointmentId,
        dossierId: query.dossierId,
      };
      const cursor = query.cursor;
      if (cursor) where.OR = [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }];
      const rows = await deps.prisma.notification.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      res.json({ items: page.map(view), nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null });
    }),
  );

  router.delete(
    '/v1/notifications/:id',
    requireRole('service'),
    validated({ params: NotificationParams }, async ({ params }, _req, res) => {
      const row = await deps.prisma.notification.findUnique({ where: { id: params.id } });
      if (!row) throw new NotFoundError(`No notification ${params.id}`);
      if (row.status !== 'scheduled' && row.status !== 'accepted') {
        throw new ConflictError(`Notification ${params.id} is already ${row.status}; only a message not yet sent can be cancelled`, { status: row.status });
      }
      try {
        const handle = deps.starter.client.workflow.getHandle(row.workflowId);
        await resendDroppedUpdate(() => handle.executeUpdate(cancelNotificationUpdate, { args: [{ by: principalOf(res).name }] }));
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError || err instanceof WorkflowNotFoundError) {
          const now = await deps.prisma.notification.findUniqueOrThrow({ where: { id: params.id } });
          throw new ConflictError(`Notification ${params.id} can no longer be cancelled (it is ${now.status})`, { status: now.status });
        }
        throw err;
      }
      res.json(view(await deps.prisma.notification.findUniqueOrThrow({ where: { id: params.id } })));
    }),
  );

  router.put(
    '/v1/consents',
    requireRole('service'),
    validated({ body: ConsentBody }, async ({ body }, req, res) => {
      // An opt-in over the recipient's own STOP (or Twilio's 21610) needs the operator role: 403 otherwise.
      const { name, role } = principalOf(res);
      await recordConsent(deps.prisma, body.recipient, body.optedOut, `api:${name}`, { actor: name, operator: role === 'operator', correlationId: String(req.id) });
      res.status(204).end();
    }),
  );

  return router;
}

/** A `sendAt` further out than the configured horizon is a mistake (year 9999), not a plan. */
export function checkSchedulable(at: string | undefined, maxAheadMs: number, field = 'sendAt'): void {
  if (at === undefined) return;
  if (Date.parse(at) > Date.now() + maxAheadMs) {
    const days = Math.round(maxAheadMs / 86_400_000);
    throw requestProblem('body', field, `is more than ${days} days ahead; Relay schedules at most ${days} days ahead (NOTIFY_MAX_SCHEDULE_AHEAD_DAYS)`);
  }
}

/** An unknown sender is refused here, naming the configured ones, rather than failing later in the workflow. */
export function checkSender(senders: NotificationRouteDeps['senders'], channel: 'sms' | 'whatsapp', sender: string): void {
  const bare = (address: string) => address.replace(/^whatsapp:/, '');
  const mine = senders.filter((s) => s.channel === channel);
  if (mine.some((s) => bare(s.address) === bare(sender))) return;
  const known = mine.map((s) => bare(s.address)).join(', ') || 'none';
  throw requestProblem('body', 'sender', `is not a configured ${channel} sender (configured: ${known})`);
}
