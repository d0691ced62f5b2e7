import { CHANNELS, NOTIFICATION_STATUSES } from '../../../domain/notifications';
import { DEFAULT_PHONE_REGION, type PhoneRegion, toE164 } from '../../../domain/phone-numbers';
import { WORKFLOW_ID_PART } from '../../../domain/workflow-ids';
import { freeJson } from '../../free-json';
import { z } from '../../openapi';
import { cursorParam, Limit } from '../pagination';
import { phoneNumber, phoneNumberProblem } from '../../phone-number';

export const IdempotencyKey = z
  .string()
  .max(100)
  .regex(WORKFLOW_ID_PART, 'letters, digits, dot, colon, dash or underscore (max 100)')
  .openapi({ description: 'Chosen by the client; a repeat returns the same notification instead of sending twice.', example: 'order-1234-shipped' });

/** Template variables: short strings, within the free-JSON size limit together. */
export const Variables = freeJson(z.record(z.string().max(100), z.string().max(1_000))).openapi({
  description: 'Values of the `{{name}}` placeholders (at most 64 KiB as JSON)',
});

/** `region`: of recipients written as national numbers (PHONE_DEFAULT_REGION). */
export const sendNotificationBody = (region: PhoneRegion) =>
  z
    .object({
      idempotencyKey: IdempotencyKey,
      channel: z.enum(CHANNELS),
      recipient: z
        .string()
        .min(1)
        .max(200)
        .openapi({ description: 'Phone number for sms/whatsapp (E.164, or national in PHONE_DEFAULT_REGION; stored as E.164); the webhook endpoint id for webhook', example: '+33612345678' }),
      sender: z.string().min(1).max(100).optional().openapi({ description: "Twilio sender; the channel's default when omitted" }),
      body: z.string().min(1).max(1_600).optional().openapi({ description: 'Text; `{{name}}` placeholders are filled from `variables`' }),
      template: z.string().min(1).max(100).optional().openapi({ description: 'WhatsApp: an approved Content SID (HX…), required outside the 24-hour session window' }),
      variables: Variables.optional(),
      event: z.string().regex(/^[a-z0-9_.-]{1,100}$/).optional().openapi({ description: 'Webhook event type', example: 'dossier.status_changed' }),
      payload: freeJson(z.record(z.string(), z.unknown())).optional().openapi({ description: 'Webhook payload (JSON object; at most 32 levels deep and 64 KiB as JSON)' }),
      sendAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Send later (ISO 8601 with offset); cancellable until then' }),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.channel === 'webhook') {
        if (!b.event) ctx.addIssue({ code: 'custom', path: ['event'], message: 'is required for webhook notifications' });
      } else {
        const problem = phoneNumberProblem(b.recipient, region);
        if (problem) ctx.addIssue({ code: 'custom', path: ['recipient'], message: problem });
        if (!b.body && !b.template) ctx.addIssue({ code: 'custom', path: ['body'], message: 'body or template is required' });
        if (b.template && b.channel === 'sms') ctx.addIssue({ code: 'custom', path: ['template'], message: 'SMS takes a body; templates are for WhatsApp' });
      }
    })
    // Valid by now: phone numbers are stored (and sent) as E.164.
    .transform((b) => (b.channel === 'webhook' ? b : { ...b, recipient: toE164(b.recipient, region) }))
    .openapi('SendNotification');

export const SendNotificationBody = sendNotificationBody(DEFAULT_PHONE_REGION);

/** Ids of notifications Relay's own workflows send (reminders, dossier changes) may be longer than a client's key. */
export const NotificationParams = z.object({ id: z.string().max(200).regex(WORKFLOW_ID_PART, 'not a notification id') });

export const ListNotificationsQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  appointmentId: z.string().max(100).optional(),
  dossierId: z.string().max(100).optional(),
  limit: Limit,
  /** Keyset paging: the `nextCursor` of the previous page (ids are notification ids). */
  cursor: cursorParam(WORKFLOW_ID_PART),
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

export const consentBody = (region: PhoneRegion) =>
  z
    .object({ recipient: phoneNumber(region), optedOut: z.boolean() })
    .strict()
    .openapi('Consent', { description: 'Records an opt-out or an opt-in given outside Twilio (e.g. by phone).' });

export const ConsentBody = consentBody(DEFAULT_PHONE_REGION);
