import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { disableEndpoint } from '../../../../db/notifications/webhook-endpoints';
import { newWebhookSecret } from '../../../../integrations/webhooks/signature';
import { type SecretSealer, webhookSecretContext } from '../../../../db/sealed-secrets';
import type { DeliveryPolicy } from '../../../../domain/notifications';
import { ConflictError, NotFoundError } from '../../../../errors';
import type { PrismaClient, WebhookEndpoint } from '../../../../generated/prisma/client';
import type { Logger } from '../../../../logger';
import type { StarterContext } from '../../../../temporal/starters/context';
import { replayWebhookNotification } from '../../../../temporal/starters/webhook';
import { principalOf, requireRole } from '../../../auth';
import { validated } from '../../../validate';
import { CreateWebhookEndpointBody, ListWebhookEndpointsQuery, NotificationReplayParams, ReplayBody, WebhookEndpointParams } from './schemas';
import { webhookUrlProblem } from './url';
import { webhookEndpointView } from './view';

export interface WebhookEndpointRouteDeps {
  starter: StarterContext;
  prisma: PrismaClient;
  policy: DeliveryPolicy;
  logger: Logger;
  /** Outside production: endpoints on loopback and private hosts, over plain http too (see url.ts). */
  allowInternalUrls: boolean;
  /** Seals each endpoint's signing secret before it is stored. */
  secrets: SecretSealer;
}

/** Most deliveries one bulk replay request starts; the answer says when more matched. */
export const MAX_BULK_REPLAY = 1_000;

/** Webhook subscriptions and replays of failed deliveries. */
export function webhookEndpointsRouter(deps: WebhookEndpointRouteDeps): Router {
  const router = Router();
  const starterCtx = { ...deps.starter, prisma: deps.prisma, policy: deps.policy };
  const find = async (id: string): Promise<WebhookEndpoint> => {
    const row = await deps.prisma.webhookEndpoint.findUnique({ where: { id } });
    if (!row) throw new NotFoundError(`No webhook endpoint ${id}`);
    return row;
  };
  const createBody = CreateWebhookEndpointBody.superRefine((b, ctx) => {
    const problem = webhookUrlProblem(b.url, { allowInternal: deps.allowInternalUrls });
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
  });

  router.post(
    '/v1/webhook-endpoints',
    requireRole('service'),
    validated({ body: createBody }, async ({ body }, _req, res) => {
      const id = `ep-${randomBytes(8).toString('hex')}`;
      const secret = newWebhookSecret();
      const row = await deps.prisma.webhookEndpoint.create({
        data: { id, url: body.url, events: [...new Set(body.events)], secret: deps.secrets.seal(secret, webhookSecretContext(id)), createdBy: principalOf(res).name },
      });
      // The only answer that carries the secret.
      res.status(201).location(`/v1/webhook-endpoints/${row.id}`).json({ ...webhookEndpointView(row), secret });
    }),
  );

  router.get(
    '/v1/webhook-endpoints',
    requireRole('service'),
    validated({ query: ListWebhookEndpointsQuery }, async ({ query }, _req, res) => {
      const rows = await deps.prisma.webhookEndpoint.findMany({ where: { status: query.status }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      res.json({ items: rows.map(webhookEndpointView) });
    }),
  );

  router.get(
    '/v1/webhook-endpoints/:id',
    requireRole('service'),
    validated({ params: WebhookEndpointParams }, async ({ params }, _req, res) => {
      res.json(webhookEndpointView(await find(params.id)));
    }),
  );

  // Disabling, not deleting: past notifications keep naming the endpoint and it can be enabled again.
  router.delete(
    '/v1/webhook-endpoints/:id',
    requireRole('service'),
    validated({ params: WebhookEndpointParams }, async ({ params }, req, res) => {
      await find(params.id);
      const actor = principalOf(res).name;
      await disableEndpoint(deps, params.id, `disabled by ${actor}`, { actor, correlationId: String(req.id) });
      res.json(webhookEndpointView(await find(params.id)));
    }),
  );

  router.post(
    '/v1/webhook-endpoints/:id/enable',
    requireRole('service'),
    validated({ params: WebhookEndpointParams }, async ({ params }, req, res) => {
      const before = await find(params.id);
      if (before.status !== 'active') {
        const actor = principalOf(res).name;
        await deps.prisma.$transaction([
          deps.prisma.webhookEndpoint.update({ where: { id: params.id }, data: { status: 'active', disabledReason: null, failingSince: null } }),
          deps.prisma.auditLog.create({
            data: {
              actor,
              action: 'webhook_endpoint.enabled',
              entity: 'webhook_endpoint',
              entityId: params.id,
              before: { status: before.status, reason: before.disabledReason },
              after: { status: 'active' },
              correlationId: String(req.id),
            },
          }),
        ]);
      }
      res.json(webhookEndpointView(await find(params.id)));
    }),
  );

  router.post(
    '/v1/webhook-endpoints/:id/replay',
    requireRole('service'),
    validated({ params: WebhookEndpointParams, body: ReplayBody }, async ({ params, body }, _req, res) => {
      const endpoint = await find(params.id);
      if (endpoint.status !== 'active') throw new ConflictError(`Webhook endpoint ${params.id} is disabled; enable it before replaying`, { endpointId: params.id });
      const rows = await deps.prisma.notification.findMany({
        where: {
          endpointId: params.id,
          channel: 'webhook',
          status: body.status,
          createdAt: { gte: new Date(body.since), lt: body.until ? new Date(body.until) : new Date() },
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: MAX_BULK_REPLAY + 1,
      });
      const by = principalOf(res).name;
      const replayed: string[] = [];
      for (const row of rows.slice(0, MAX_BULK_REPLAY)) {
        try {
          await replayWebhookNotification(starterCtx, row, by);
          replayed.push(row.id);
        } catch (err) {
          // Replayed concurrently by another request, or no longer failed: not this request's to start.
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      res.status(202).json({ count: replayed.length, notificationIds: replayed, truncated: rows.length > MAX_BULK_REPLAY });
    }),
  );

  router.post(
    '/v1/notifications/:id/replay',
    requireRole('service'),
    validated({ params: NotificationReplayParams }, async ({ params }, _req, res) => {
      const row = await deps.prisma.notification.findUnique({ where: { id: params.id } });
      if (!row) throw new NotFoundError(`No notification ${params.id}`);
      await replayWebhookNotification(starterCtx, row, principalOf(res).name);
      res.status(202).location(`/v1/notifications/${row.id}`).json({ count: 1, notificationIds: [row.id], truncated: false });
    }),
  );

  return router;
}
