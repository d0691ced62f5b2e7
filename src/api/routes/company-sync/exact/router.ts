import { ScheduleNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import type { ExactConnection } from '../../../../generated/prisma/client';
import { ConflictError, NotFoundError } from '../../../../errors';
import { divisionScheduleIds, requestDivisionWork, setDivisionSchedulesPaused } from '../../../../temporal/starters/exact-division';
import type { DivisionJobKind } from '../../../../workflows/company-sync/definitions';
import { principalOf, requireRole } from '../../../auth';
import type { z } from '../../../openapi';
import { validated } from '../../../validate';
import { encodeCursor, page } from '../common';
import type { CompanySyncRouteDeps } from '../deps';
import type { ExactAccess } from './access';
import { chooseDivisions, divisionView, importProgress, listAvailable, selectedDivision } from './divisions';
import { ConnectionParams, type ConnectionView, DivisionParams, ListQuery, PauseBody, SelectDivisionsBody } from './schemas';

export interface ExactRouteDeps extends CompanySyncRouteDeps {
  exact: ExactAccess;
}

/** Exact connections and the divisions they sync (operator): list, choose, steer. */
export function exactRouter(deps: ExactRouteDeps): Router {
  const router = Router();

  router.get(
    '/v1/exact/connections',
    requireRole('operator'),
    validated({ query: ListQuery }, async ({ query }, _req, res) => {
      const { limit, cursor } = query;
      const rows = await deps.prisma.exactConnection.findMany({
        where: cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {},
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
        include: { divisions: { where: { enabled: true }, select: { division: true }, orderBy: { division: 'asc' } } },
      });
      res.json(page(rows, limit, connectionView));
    }),
  );

  router.get(
    '/v1/exact/connections/:id',
    requireRole('operator'),
    validated({ params: ConnectionParams }, async ({ params }, _req, res) => {
      const row = await deps.prisma.exactConnection.findUnique({ where: { id: params.id }, include: { divisions: { where: { enabled: true }, select: { division: true }, orderBy: { division: 'asc' } } } });
      if (!row) throw new NotFoundError(`No Exact connection ${params.id}`);
      res.json(connectionView(row));
    }),
  );

  router.get(
    '/v1/exact/connections/:id/divisions',
    requireRole('operator'),
    validated({ params: ConnectionParams }, async ({ params }, _req, res) => {
      const connection = await deps.prisma.exactConnection.findUnique({ where: { id: params.id }, select: { id: true } });
      if (!connection) throw new NotFoundError(`No Exact connection ${params.id}`);
      res.json({ items: await availableDivisions(deps, params.id) });
    }),
  );

  router.put(
    '/v1/exact/connections/:id/divisions',
    requireRole('operator'),
    validated({ params: ConnectionParams, body: SelectDivisionsBody }, async ({ params, body }, _req, res) => {
      const result = await chooseDivisions(deps, params.id, body.divisions, principalOf(res).name);
      res.json({ ...result, items: await availableDivisions(deps, params.id) });
    }),
  );

  router.get(
    '/v1/exact/divisions',
    requireRole('operator'),
    validated({ query: ListQuery }, async ({ query }, _req, res) => {
      const { limit, cursor } = query;
      // Division numbers are the rows' ids: the cursor's id is one.
      const after = cursor && /^\d+$/.test(cursor.id) ? { createdAt: cursor.createdAt, division: Number(cursor.id) } : undefined;
      const rows = await deps.prisma.exactDivision.findMany({
        where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, division: { lt: after.division } }] } : {},
        orderBy: [{ createdAt: 'desc' }, { division: 'desc' }],
        take: limit + 1,
      });
      const items = await Promise.all(rows.slice(0, limit).map((row) => divisionView(deps, row)));
      const last = rows[limit - 1];
      res.json({ items, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: String(last.division) }) : null });
    }),
  );

  router.get(
    '/v1/exact/divisions/:division',
    requireRole('operator'),
    validated({ params: DivisionParams }, async ({ params }, _req, res) => {
      res.json(await divisionView(deps, await selectedDivision(deps.prisma, params.division)));
    }),
  );

  const work = (kind: DivisionJobKind) =>
    validated({ params: DivisionParams }, async ({ params }, _req, res) => {
      await selectedDivision(deps.prisma, params.division);
      const workflowId = await requestDivisionWork(deps.starter, params.division, kind, principalOf(res).name);
      res.status(202).json({ division: params.division, kind, workflowId, webUiUrl: deps.webUiUrl(workflowId) });
    });
  router.post('/v1/exact/divisions/:division/sync', requireRole('operator'), work('incremental'));
  router.post('/v1/exact/divisions/:division/reconcile', requireRole('operator'), work('reconcile'));
  router.post('/v1/exact/divisions/:division/import', requireRole('operator'), work('import'));

  router.get(
    '/v1/exact/divisions/:division/import',
    requireRole('operator'),
    validated({ params: DivisionParams }, async ({ params }, _req, res) => {
      await selectedDivision(deps.prisma, params.division);
      res.json(await importProgress(deps, params.division));
    }),
  );

  for (const paused of [true, false]) {
    router.post(
      `/v1/exact/divisions/:division/${paused ? 'pause' : 'resume'}`,
      requireRole('operator'),
      validated({ params: DivisionParams, body: PauseBody }, async ({ params, body }, _req, res) => {
        const row = await selectedDivision(deps.prisma, params.division);
        const by = principalOf(res).name;
        try {
          await setDivisionSchedulesPaused(deps.starter, params.division, paused, body.note ? `${by}: ${body.note}` : `${paused ? 'paused' : 'resumed'} by ${by}`);
        } catch (err) {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
          throw new ConflictError(`Division ${params.division} has no schedules in Temporal (yet); select it again with PUT /v1/exact/connections/${row.connectionId}/divisions to create them`, { division: params.division });
        }
        res.json({ division: params.division, paused, schedules: Object.values(divisionScheduleIds(params.division)) });
      }),
    );
  }

  return router;
}

async function availableDivisions(deps: ExactRouteDeps, connectionId: string) {
  const [available, selected] = await Promise.all([
    listAvailable(deps.exact, connectionId),
    deps.prisma.exactDivision.findMany({ where: { enabled: true }, select: { division: true, connectionId: true } }),
  ]);
  const owner = new Map(selected.map((s) => [s.division, s.connectionId]));
  return available.map((d) => ({
    division: d.division,
    name: d.name,
    main: d.main,
    country: d.country,
    selected: owner.get(d.division) === connectionId,
    selectedElsewhere: owner.has(d.division) && owner.get(d.division) !== connectionId,
  }));
}

export function connectionView(row: ExactConnection & { divisions: Array<{ division: number }> }): z.infer<typeof ConnectionView> {
  return {
    id: row.id,
    baseUrl: row.baseUrl,
    status: row.status === 'needs_reauth' ? 'needs_reauth' : 'active',
    reason: row.statusReason,
    exactUserId: row.exactUserId,
    accessExpiresAt: row.accessExpiresAt?.toISOString() ?? null,
    divisions: row.divisions.map((d) => d.division),
    reauthorizeUrl: `/v1/exact/connect?connectionId=${row.id}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
