import { WorkflowNotFoundError, type WorkflowExecutionStatusName } from '@temporalio/client';
import { Router, type Response } from 'express';
import { subscriberId } from '../../../../db/notifications/dossiers';
import type { DeliveryPolicy } from '../../../../domain/notifications';
import { DEFAULT_PHONE_REGION, type PhoneRegion } from '../../../../domain/phone-numbers';
import { WorkflowIds } from '../../../../domain/workflow-ids';
import { ConflictError, NotFoundError, UnprocessableError } from '../../../../errors';
import type { DossierStatusChange, PrismaClient } from '../../../../generated/prisma/client';
import type { StarterContext } from '../../../../temporal/starters/context';
import { acceptDossierStatusChange } from '../../../../temporal/starters/dossier-status';
import { principalOf, requireRole } from '../../../auth';
import { validated } from '../../../validate';
import { ChangeParams, ChangeStatusBody, DossierParams, PutDossierBody, putSubscribersBody } from './schemas';
import { changeView, dossierView, isChangeNotification } from './view';

export interface DossierRouteDeps {
  starter: StarterContext;
  prisma: PrismaClient;
  policy: DeliveryPolicy;
  webUiUrl: (workflowId: string) => string;
  /** Test hook (see server.ts): called at named points of a status change; production passes nothing. */
  crashPoint?: (name: 'dossier-status-received' | 'dossier-status-started') => void;
  /** Region of recipients written as national numbers (PHONE_DEFAULT_REGION); default NL. */
  phoneRegion?: PhoneRegion;
}

const RECENT_CHANGES = 20;

/** A change not recorded yet is on its way while its workflow runs; otherwise it failed. */
const stateOf = (status: WorkflowExecutionStatusName | undefined) => (status === undefined || status === 'RUNNING' ? 'accepted' : 'failed');

/** Dossiers, their subscribers, and status changes that notify them. */
export function dossiersRouter(deps: DossierRouteDeps): Router {
  const router = Router();
  const { prisma } = deps;
  const PutSubscribersBody = putSubscribersBody(deps.phoneRegion ?? DEFAULT_PHONE_REGION);

  const loadDossier = async (id: string) => {
    const dossier = await prisma.dossier.findUnique({
      where: { id },
      include: { subscribers: { orderBy: { id: 'asc' } }, changes: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: RECENT_CHANGES } },
    });
    if (!dossier) throw new NotFoundError(`No dossier ${id}`);
    return dossierView(dossier, dossier.subscribers, dossier.changes);
  };

  const notificationsOf = async (dossierId: string, changeId: string) => {
    const rows = await prisma.notification.findMany({ where: { dossierId, id: { startsWith: `dossier-${dossierId}-${changeId}-` } }, orderBy: { id: 'asc' } });
    return rows.filter((n) => isChangeNotification(n.id, dossierId, changeId));
  };

  const respondWithChange = async (
    res: Response,
    httpStatus: number,
    change: { dossierId: string; changeId: string; status: string; workflowId: string; recorded: DossierStatusChange | null; workflowStatus?: WorkflowExecutionStatusName },
  ) => {
    const notifications = change.recorded ? await notificationsOf(change.dossierId, change.changeId) : [];
    const view = changeView({ ...change, state: stateOf(change.workflowStatus) }, notifications, deps.webUiUrl);
    res.status(httpStatus).location(view.statusUrl).json(view);
  };

  router.put(
    '/v1/dossiers/:id',
    requireRole('service'),
    validated({ params: DossierParams, body: PutDossierBody }, async ({ params, body }, _req, res) => {
      const [created] = await prisma.dossier.createManyAndReturn({ data: [{ id: params.id, status: body.status }], skipDuplicates: true });
      if (!created) {
        const existing = await prisma.dossier.findUniqueOrThrow({ where: { id: params.id } });
        // Changing the status here would bypass the change log and the subscribers.
        if (existing.status !== body.status) {
          throw new ConflictError(`Dossier ${params.id} exists with status ${existing.status}; change it with POST /v1/dossiers/${params.id}/status`, {
            status: existing.status,
          });
        }
      }
      res.status(created ? 201 : 200).location(`/v1/dossiers/${params.id}`).json(await loadDossier(params.id));
    }),
  );

  router.get(
    '/v1/dossiers/:id',
    requireRole('service'),
    validated({ params: DossierParams }, async ({ params }, _req, res) => {
      res.json(await loadDossier(params.id));
    }),
  );

  router.put(
    '/v1/dossiers/:id/subscribers',
    requireRole('service'),
    validated({ params: DossierParams, body: PutSubscribersBody }, async ({ params, body }, _req, res) => {
      const wanted = new Map(body.subscribers.map((s) => [subscriberId(params.id, s), s]));
      const endpointIds = [...new Set(body.subscribers.flatMap((s) => (s.channel === 'webhook' ? [s.endpointId] : [])))];
      const known = await prisma.webhookEndpoint.findMany({ where: { id: { in: endpointIds } }, select: { id: true } });
      const unknown = endpointIds.filter((id) => !known.some((k) => k.id === id));
      if (unknown.length) throw new UnprocessableError(`Unknown webhook endpoint ${unknown.join(', ')}`, { reason: 'unknown_webhook_endpoint', endpointIds: unknown });

      await prisma.$transaction(async (tx) => {
        // Same lock as a status change takes: a change sees the subscribers before or after this PUT, never half of it.
        const [dossier] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM dossier WHERE id = ${params.id} FOR UPDATE`;
        if (!dossier) throw new NotFoundError(`No dossier ${params.id}`);
        await tx.dossierSubscriber.deleteMany({ where: { dossierId: params.id, id: { notIn: [...wanted.keys()] } } });
        await tx.dossierSubscriber.createMany({
          data: [...wanted].map(([id, s]) => ({
            id,
            dossierId: params.id,
            channel: s.channel,
            recipient: s.channel === 'webhook' ? null : s.recipient,
            endpointId: s.channel === 'webhook' ? s.endpointId : null,
          })),
          skipDuplicates: true,
        });
      });
      res.json(await loadDossier(params.id));
    }),
  );

  router.post(
    '/v1/dossiers/:id/status',
    requireRole('service'),
    validated({ params: DossierParams, body: ChangeStatusBody }, async ({ params, body }, _req, res) => {
      const change = { dossierId: params.id, changeId: body.changeId, status: body.status, note: body.note, requestedBy: principalOf(res).name };
      deps.crashPoint?.('dossier-status-received');
      const accepted = await acceptDossierStatusChange({ ...deps.starter, prisma, policy: deps.policy }, change);
      deps.crashPoint?.('dossier-status-started');
      // 202: recorded and notified in the background; 200: this change id was seen before, nothing new happens.
      await respondWithChange(res, accepted.created ? 202 : 200, { ...change, ...accepted });
    }),
  );

  router.get(
    '/v1/dossiers/:id/status-changes/:changeId',
    requireRole('service'),
    validated({ params: ChangeParams }, async ({ params }, _req, res) => {
      const workflowId = WorkflowIds.dossierStatus(params.id, params.changeId);
      const find = () => prisma.dossierStatusChange.findFirst({ where: { id: params.changeId, dossierId: params.id } });
      let recorded = await find();
      let workflowStatus: WorkflowExecutionStatusName | undefined;
      let status = recorded?.status;
      if (!recorded) {
        try {
          const description = await deps.starter.client.workflow.getHandle(workflowId).describe();
          workflowStatus = description.status.name;
          status = typeof description.memo?.status === 'string' ? description.memo.status : undefined;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No status change ${params.changeId} of dossier ${params.id}`);
          throw err;
        }
        // It may have been recorded while we looked.
        if (workflowStatus !== 'RUNNING') recorded = await find();
      }
      await respondWithChange(res, 200, { dossierId: params.id, changeId: params.changeId, status: recorded?.status ?? status ?? '', workflowId, recorded, workflowStatus });
    }),
  );

  return router;
}

