import { CHANNELS, NOTIFICATION_STATUSES } from '../../../domain/notifications';
import { WORKFLOW_ID_PART } from '../../../domain/workflow-ids';
import { z } from '../../openapi';

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

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +33612345678');

export const DossierParams = z.object({ id: DossierId });
export const ChangeParams = z.object({ id: DossierId, changeId: ChangeId });

export const PutDossierBody = z
  .object({ status: DossierStatus.openapi({ description: 'Initial status; later changes go through POST /v1/dossiers/{id}/status' }) })
  .strict()
  .openapi('PutDossier');

export const SubscriberInput = z
  .discriminatedUnion('channel', [
    z.object({ channel: z.enum(['sms', 'whatsapp']), recipient: E164 }).strict(),
    z.object({ channel: z.literal('webhook'), endpointId: z.string().min(1).max(100).openapi({ description: 'A webhook endpoint id (POST /v1/webhook-endpoints)' }) }).strict(),
  ])
  .openapi('DossierSubscriberInput');

export const PutSubscribersBody = z
  .object({ subscribers: z.array(SubscriberInput).max(50).openapi({ description: "Replaces the dossier's subscribers; the same entry keeps its id" }) })
  .strict()
  .openapi('PutDossierSubscribers');

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
