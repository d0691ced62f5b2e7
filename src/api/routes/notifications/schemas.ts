import { CHANNELS, NOTIFICATION_STATUSES } from '../../../domain/notifications';
import { WORKFLOW_ID_PART } from '../../../domain/workflow-ids';
import { z } from '../../openapi';

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +33612345678');
export const IdempotencyKey = z
  .string()
  .max(100)
  .regex(WORKFLOW_ID_PART, 'letters, digits, dot, colon, dash or underscore (max 100)')
  .openapi({ description: 'Chosen by the client; a repeat returns the same notification instead of sending twice.', example: 'order-1234-shipped' });

export const SendNotificationBody = z
  .object({
    idempotencyKey: IdempotencyKey,
    channel: z.enum(CHANNELS),
    recipient: z.string().min(1).max(200).openapi({ description: 'E.164 number for sms/whatsapp; the webhook endpoint id for webhook', example: '+33612345678' }),
    sender: z.string().min(1).max(100).optional().openapi({ description: "Twilio sender; the channel's default when omitted" }),
    body: z.string().min(1).max(1_600).optional().openapi({ description: 'Text; `{{name}}` placeholders are filled from `variables`' }),
    template: z.string().min(1).max(100).optional().openapi({ description: 'WhatsApp: an approved Content SID (HX…), required outside the 24-hour session window' }),
    variables: z.record(z.string().max(100), z.string().max(1_000)).optional(),
    event: z.string().regex(/^[a-z0-9_.-]{1,100}$/).optional().openapi({ description: 'Webhook event type', example: 'dossier.status_changed' }),
    payload: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Webhook payload (JSON object)' }),
    sendAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Send later (ISO 8601 with offset); cancellable until then' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.channel === 'webhook') {
      if (!b.event) ctx.addIssue({ code: 'custom', path: ['event'], message: 'is required for webhook notifications' });
    } else {
      if (!E164.safeParse(b.recipient).success) ctx.addIssue({ code: 'custom', path: ['recipient'], message: 'must be an E.164 phone number such as +33612345678' });
      if (!b.body && !b.template) ctx.addIssue({ code: 'custom', path: ['body'], message: 'body or template is required' });
      if (b.template && b.channel === 'sms') ctx.addIssue({ code: 'custom', path: ['template'], message: 'SMS takes a body; templates are for WhatsApp' });
    }
  })
  .openapi('SendNotification');

/** Ids of notifications Relay's own workflows send (reminders, dossier changes) may be longer than a client's key. */
export const NotificationParams = z.object({ id: z.string().max(200).regex(WORKFLOW_ID_PART, 'not a notification id') });

export const ListNotificationsQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  appointmentId: z.string().max(100).optional(),
  dossierId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Keyset paging: the `nextCursor` of the previous page. */
  cursor: z.string().max(300).optional(),
});

export const NotificationView = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    channel: z.enum(CHANNELS),
    recipient: z.string().openapi({ description: 'Masked: only the last digits are shown' }),
    status: z.enum(NOTIFICATION_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    errorCode: z.string().nullable(),
    vendorMessageId: z.string().nullable(),
    sendAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    appointmentId: z.string().nullable(),
    dossierId: z.string().nullable(),
    webUiUrl: z.string(),
  })
  .openapi('Notification');

export const NotificationList = z.object({ items: z.array(NotificationView), nextCursor: z.string().nullable() }).openapi('NotificationList');

export const ConsentBody = z
  .object({ recipient: E164, optedOut: z.boolean() })
  .strict()
  .openapi('Consent', { description: 'Records an opt-out or an opt-in given outside Twilio (e.g. by phone).' });
