import { WORKFLOW_ID_PART } from '../../../../domain/workflow-ids';
import { z } from '../../../openapi';
import { IdempotencyKey } from '../schemas';

/** `dossier.status_changed`, a prefix `dossier.*`, or `*` for every event. */
export const EventPattern = z
  .string()
  .max(100)
  .regex(/^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?)$/, 'an event type (dossier.status_changed), a prefix (dossier.*) or *')
  .openapi({ example: 'dossier.status_changed' });

export const CreateWebhookEndpointBody = z
  .object({
    url: z
      .string()
      .max(2_000)
      .openapi({ description: 'https URL that receives the deliveries (plain http only to loopback/private hosts outside production)', example: 'https://example.com/webhooks/relay' }),
    events: z.array(EventPattern).min(1).max(50).openapi({ description: 'Event types delivered to this endpoint', example: ['dossier.status_changed'] }),
  })
  .strict()
  .openapi('CreateWebhookEndpoint');

export const WebhookEndpointParams = z.object({ id: z.string().max(100).regex(WORKFLOW_ID_PART, 'not a webhook endpoint id') });

export const ListWebhookEndpointsQuery = z.object({ status: z.enum(['active', 'disabled']).optional() });

export const WebhookEndpointView = z
  .object({
    id: z.string().openapi({ example: 'ep-3f2a9c0d1b7e4a65' }),
    url: z.string(),
    events: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    disabledReason: z.string().nullable(),
    failingSince: z.string().nullable().openapi({ description: 'First failure of the current failing streak; cleared by a successful delivery' }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WebhookEndpoint');

export const WebhookEndpointCreated = WebhookEndpointView.extend({
  secret: z.string().openapi({
    description: 'Signing secret (`whsec_` + base64), shown only in this answer: store it to verify `webhook-signature`',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  }),
}).openapi('WebhookEndpointCreated');

export const WebhookEndpointList = z.object({ items: z.array(WebhookEndpointView) }).openapi('WebhookEndpointList');

export const ReplayBody = z
  .object({
    since: z.iso.datetime({ offset: true }).openapi({ description: 'Notifications accepted at or after this time (ISO 8601)' }),
    until: z.iso.datetime({ offset: true }).optional().openapi({ description: 'and before this time; default now' }),
    status: z.enum(['failed']).default('failed').openapi({ description: 'Only failed deliveries can be replayed' }),
  })
  .strict()
  .refine((b) => !b.until || Date.parse(b.since) < Date.parse(b.until), { path: ['until'], message: 'must be after since' })
  .openapi('WebhookReplay');

export const ReplayAccepted = z
  .object({
    count: z.number().int().openapi({ description: 'Deliveries started again' }),
    notificationIds: z.array(z.string()),
    truncated: z.boolean().openapi({ description: 'More matched than one request replays; repeat with the same range' }),
  })
  .openapi('WebhookReplayAccepted');

export const NotificationReplayParams = z.object({ id: IdempotencyKey });
