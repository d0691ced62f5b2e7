import { CHANNELS, NOTIFICATION_STATUSES } from '../../../../domain/notifications';
import { DEFAULT_PHONE_REGION, type PhoneRegion } from '../../../../domain/phone-numbers';
import { WORKFLOW_ID_PART } from '../../../../domain/workflow-ids';
import { z } from '../../../openapi';
import { phoneNumber } from '../../../phone-number';

const idPart = (max: number, description: string, example: string) =>
  z
    .string()
    .max(max)
    .regex(WORKFLOW_ID_PART, `letters, digits, dot, colon, dash or underscore (max ${max})`)
    .openapi({ description, example });

export const DossierId = idPart(64, "The dossier's id in the calling system", 'D-2026-0042');
export const ChangeId = idPart(100, 'Chosen by the client, unique across dossiers: a repeat returns the same change instead of notifying twice.', 'd2026-0042-approved');

export const DossierStatus = z
  .string()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._:/-]{0,63}$/u, 'letters, digits, space, dot, colon, slash, dash or underscore (max 64)')
  .openapi({ example: 'approved' });

export const DossierParams = z.object({ id: DossierId });
export const ChangeParams = z.object({ id: DossierId, changeId: ChangeId });

export const PutDossierBody = z
  .object({ status: DossierStatus.openapi({ description: 'Initial status; later changes go through POST /v1/dossiers/{id}/status' }) })
  .strict()
  .openapi('PutDossier');

/** `region`: of recipients written as national numbers (PHONE_DEFAULT_REGION). */
export const subscriberInput = (region: PhoneRegion) =>
  z
    .discriminatedUnion('channel', [
      z.object({ channel: z.enum(['sms', 'whatsapp']), recipient: phoneNumber(region) }).strict(),
      z.object({ channel: z.literal('webhook'), endpointId: z.string().min(1).max(100).openapi({ description: 'A webhook endpoint id (POST /v1/webhook-endpoints)' }) }).strict(),
    ])
    .openapi('DossierSubscriberInput');

export const putSubscribersBody = (region: PhoneRegion) =>
  z
    .object({ subscribers: z.array(subscriberInput(region)).max(50).openapi({ description: "Replaces the dossier's subscribers; the same entry keeps its id" }) })
    .strict()
    .openapi('PutDossierSubscribers');

export const PutSubscribersBody = putSubscribersBody(DEFAULT_PHONE_REGION);

export const ChangeStatusBody = z
  .object({
    status: DossierStatus,
    changeId: ChangeId,
    note: z.string().min(1).max(500).optional().openapi({ description: 'Passed on to the subscribers with the change (not stored with the dossier)' }),
  })
  .strict()
  .openapi('ChangeDossierStatus');

export const SubscriberView = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    recipient: z.string().optional().openapi({ description: 'Masked: only the last digits are shown' }),
    endpointId: z.string().optional(),
  })
  .openapi('DossierSubscriber');

export const ChangeSummary = z
  .object({ changeId: z.string(), status: z.string(), previousStatus: z.string().nullable(), requestedBy: z.string(), changedAt: z.string() })
  .openapi('DossierStatusChangeSummary');

export const DossierView = z
  .object({
    id: z.string(),
    status: z.string(),
    updatedAt: z.string(),
    subscribers: z.array(SubscriberView),
    recentChanges: z.array(ChangeSummary).openapi({ description: 'The last 20 status changes, newest first' }),
  })
  .openapi('Dossier');

export const CHANGE_STATES = ['accepted', 'recorded', 'failed'] as const;

export const ChangeView = z
  .object({
    dossierId: z.string(),
    changeId: z.string(),
    status: z.string(),
    state: z.enum(CHANGE_STATES).openapi({
      description: '`accepted`: will be recorded and notified shortly; `recorded`: in PostgreSQL, notifications started; `failed`: see the workflow in the Web UI',
    }),
    previousStatus: z.string().nullable(),
    changedAt: z.string().nullable(),
    requestedBy: z.string().nullable(),
    workflowId: z.string(),
    statusUrl: z.string(),
    webUiUrl: z.string(),
    notifications: z.array(
      z.object({
        id: z.string(),
        channel: z.enum(CHANNELS),
        recipient: z.string().openapi({ description: 'Masked phone number, or the webhook endpoint id' }),
        status: z.enum(NOTIFICATION_STATUSES),
        lastError: z.string().nullable(),
      }),
    ),
  })
  .openapi('DossierStatusChange');
