import { type Request, type Response, Router } from 'express';
import type { z } from 'zod';
import { writeAudit } from '../../../db/audit';
import { listEvents } from '../../../db/pms/events';
import { type PropertyChanges, createProperty, listProperties, requireProperty, softDeleteProperty, updateProperty } from '../../../db/pms/properties';
import { ConflictError, UnprocessableError } from '../../../errors';
import type { PmsProperty } from '../../../generated/prisma/client';
import { disabledVendorMessage, vendorState } from '../../../modules/pms/config';
import { refreshProperty } from '../../../temporal/starters/pms-refresh';
import { deleteArrivalsSchedule, describeArrivalsSchedule, ensureArrivalsSchedule, setArrivalsPaused, triggerArrivals } from '../../../temporal/starters/pms-schedules';
import { principalOf, requireRole } from '../../auth';
import { ForbiddenError, ValidationError } from '../../http-errors';
import { requestProblem } from '../../request-problem';
import { validated } from '../../validate';
import type { PmsRouteDeps } from './deps';
import { PmsUnavailableError, problemError } from './problems';
import { CreatePropertyBody, ListEventsQuery, ListPropertiesQuery, PropertyParams, ScheduleActionBody, UpdatePropertyBody } from './schemas';
import { scopeOf } from './scope';
import { eventView, propertyView } from './views';

/**
 * Properties (hotels) and their arrivals schedules. Operators create, change and delete them;
 * services read them. A key limited to some properties sees only those (others: 404).
 */
export function propertiesRouter(deps: PmsRouteDeps): Router {
  const router = Router();
  const scope = (res: Response) => scopeOf(deps.keys, res);
  const property = (id: string, res: Response) => requireProperty(deps.prisma, id, scope(res));
  const audit = (req: Request, res: Response, action: string, p: PmsProperty, before?: object) =>
    writeAudit(deps.prisma, {
      actor: principalOf(res).name,
      action,
      entity: 'pms_property',
      entityId: p.id,
      before: before ? JSON.parse(JSON.stringify(before)) : null,
      after: JSON.parse(JSON.stringify(propertyView(p))),
      correlationId: String(req.id),
    });

  /** The vendor's credentials schema, with problems named under `credentials.…` (values never echoed). */
  function checkedCredentials(vendorKey: string, credentials: Record<string, unknown>): Record<string, unknown> {
    const state = vendorState(deps.settings, vendorKey);
    if (!state) throw requestProblem('body', 'vendor', `is not a PMS vendor of this Relay; known: ${deps.settings.vendors.map((v) => v.definition.key).join(', ') || 'none'}`);
    if (!state.enabled) throw new UnprocessableError(disabledVendorMessage(vendorKey, state.missing), { reason: 'vendor_disabled', vendor: vendorKey, missing: state.missing });
    const parsed = state.definition.credentials.safeParse(credentials);
    if (!parsed.success) throw new ValidationError('body', parsed.error.issues.map((i) => ({ ...i, path: ['credentials', ...i.path] })));
    return parsed.data as Record<string, unknown>;
  }

  async function schedule(p: PmsProperty, rollback?: () => Promise<unknown>): Promise<void> {
    try {
      await ensureArrivalsSchedule(deps.starter, p, deps.settings.pollJitterMs);
    } catch (err) {
      await rollback?.();
      deps.logger.warn({ err, propertyId: p.id }, 'arrivals schedule not saved');
      throw new PmsUnavailableError('schedule_unavailable', `The property's arrivals schedule could not be saved (Temporal did not answer)${rollback ? '; nothing was saved' : '; send the change again'}`);
    }
  }

  router.get(
    '/v1/properties',
    requireRole('service'),
    validated({ query: ListPropertiesQuery }, async ({ query }, _req, res) => {
      res.json({ items: (await listProperties(deps.prisma, scope(res), query)).map(propertyView) });
    }),
  );

  router.post(
    '/v1/properties',
    requireRole('operator'),
    validated({ body: CreatePropertyBody }, async ({ body }, req, res) => {
      if (scope(res)) throw new ForbiddenError('A key limited to some properties cannot create properties; use an operator key without a property scope');
      const credentials = checkedCredentials(body.vendor, body.credentials);
      const { property: created, restored } = await createProperty(deps.prisma, deps.sealer, {
        vendor: body.vendor,
        credentials,
        name: body.name,
        vendorPropertyId: body.vendorPropertyId,
        timezone: body.timezone,
        country: body.country,
        pollIntervalSeconds: body.pollIntervalSeconds ?? Math.max(30, Math.round(deps.settings.pollIntervalMs / 1000)),
        pollEnabled: body.pollEnabled ?? true,
        welcomeTemplate: body.welcomeTemplate ?? null,
        welcomeChannel: body.welcomeChannel ?? 'sms',
      });
      await schedule(created, () => softDeleteProperty(deps.prisma, created.id));
      await audit(req, res, restored ? 'pms_property.restored' : 'pms_property.created', created);
      res.status(201).location(`/v1/properties/${created.id}`).json(propertyView(created));
    }),
  );

  router.get(
    '/v1/properties/:id',
    requireRole('service'),
    validated({ params: PropertyParams }, async ({ params }, _req, res) => {
      res.json(propertyView(await property(params.id, res)));
    }),
  );

  router.patch(
    '/v1/properties/:id',
    requireRole('operator'),
    validated({ params: PropertyParams, body: UpdatePropertyBody }, async ({ params, body }, req, res) => {
      const before = await property(params.id, res);
      const changes: PropertyChanges = { ...body, ...(body.credentials !== undefined && { credentials: checkedCredentials(before.vendor, body.credentials) }) };
      const after = await updateProperty(deps.prisma, deps.sealer, before.id, changes);
      await schedule(after);
      await audit(req, res, 'pms_property.updated', after, propertyView(before));
      res.json(propertyView(after));
    }),
  );

  router.delete(
    '/v1/properties/:id',
    requireRole('operator'),
    validated({ params: PropertyParams }, async ({ params }, req, res) => {
      const p = await property(params.id, res);
      await deleteArrivalsSchedule(deps.starter, p.id);
      const deleted = await softDeleteProperty(deps.prisma, p.id);
      await audit(req, res, 'pms_property.deleted', deleted);
      res.status(204).end();
    }),
  );

  router.post(
    '/v1/properties/:id/refresh',
    requireRole('service'),
    validated({ params: PropertyParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      const { workflowId, outcome } = await refreshProperty(deps.starter, p, deps.settings.writeWaitMs);
      if (!outcome.ok) {
        if (outcome.timedOut) return void res.status(202).json({ workflowId, status: 'running', webUiUrl: deps.webUiUrl(workflowId) });
        throw problemError(outcome.problem, `${p.name} was not refreshed: ${outcome.message}`, { workflowId });
      }
      const v = outcome.value;
      res.json({ workflowId, reservations: v.reservations + (v.poll?.listed ?? 0), guests: v.guests, rooms: v.rooms, events: v.events, welcomed: v.welcomed });
    }),
  );

  router.get(
    '/v1/properties/:id/events',
    requireRole('service'),
    validated({ params: PropertyParams, query: ListEventsQuery }, async ({ params, query }, _req, res) => {
      const p = await property(params.id, res);
      const rows = await listEvents(deps.prisma, p.id, { limit: query.limit, type: query.type, before: query.cursor === undefined ? undefined : BigInt(query.cursor) });
      const items = rows.slice(0, query.limit);
      res.json({ items: items.map(eventView), nextCursor: rows.length > query.limit ? items[items.length - 1]!.id.toString() : null });
    }),
  );

  router.get(
    '/v1/properties/:id/schedule',
    requireRole('service'),
    validated({ params: PropertyParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      const state = await describeArrivalsSchedule(deps.starter, p.id);
      if (!state) throw new ConflictError(`Property ${p.id} has no arrivals schedule; PATCH the property to create it again`, { propertyId: p.id });
      res.json(state);
    }),
  );

  const pauseOrResume = (paused: boolean) =>
    validated({ params: PropertyParams, body: ScheduleActionBody }, async ({ params, body }: { params: z.infer<typeof PropertyParams>; body: z.infer<typeof ScheduleActionBody> }, req, res) => {
      const p = await property(params.id, res);
      const by = principalOf(res).name;
      await setArrivalsPaused(deps.starter, p.id, paused, body.note ?? `${paused ? 'paused' : 'resumed'} by ${by}`);
      const after = await updateProperty(deps.prisma, deps.sealer, p.id, { pollEnabled: !paused });
      await audit(req, res, paused ? 'pms_property.schedule_paused' : 'pms_property.schedule_resumed', after, propertyView(p));
      res.json(await describeArrivalsSchedule(deps.starter, p.id));
    });
  router.post('/v1/properties/:id/schedule/pause', requireRole('operator'), pauseOrResume(true));
  router.post('/v1/properties/:id/schedule/resume', requireRole('operator'), pauseOrResume(false));

  router.post(
    '/v1/properties/:id/schedule/trigger',
    requireRole('operator'),
    validated({ params: PropertyParams }, async ({ params }, _req, res) => {
      const p = await property(params.id, res);
      await triggerArrivals(deps.starter, p.id);
      res.status(202).json(await describeArrivalsSchedule(deps.starter, p.id));
    }),
  );

  return router;
}
