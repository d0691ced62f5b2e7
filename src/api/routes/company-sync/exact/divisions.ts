import { ScheduleNotFoundError } from '@temporalio/client';
import { budgetStatus } from '../../../../db/company-sync/rate-budget';
import { WorkflowIds } from '../../../../domain/workflow-ids';
import { NotFoundError, UnprocessableError } from '../../../../errors';
import type { ExactDivision, PrismaClient } from '../../../../generated/prisma/client';
import type { StarterContext } from '../../../../temporal/starters/context';
import { divisionScheduleIds, selectDivisions } from '../../../../temporal/starters/exact-division';
import { divisionStateQuery, inboundProgressQuery } from '../../../../workflows/company-sync/definitions';
import type { z } from '../../../openapi';
import type { CompanySyncRouteDeps } from '../deps';
import type { ExactAccess } from './access';
import { exactProblem } from './errors';
import type { DivisionView, ImportProgressView } from './schemas';

/**
 * Divisions as operators see and steer them, shared by the API and the admin page: their
 * cursors, Exact's budget, their schedules and what their owner workflow is doing.
 */

const QUERY_TIMEOUT_MS = 3_000;
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

/** A query answered within a few seconds, or undefined (no worker, or the workflow is gone). */
export async function quickQuery<T>(ctx: StarterContext, ask: () => Promise<T>): Promise<T | undefined> {
  try {
    return await ctx.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, ask);
  } catch {
    return undefined;
  }
}

async function scheduleView(ctx: StarterContext, id: string) {
  try {
    const d = await ctx.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => ctx.client.schedule.getHandle(id).describe());
    const last = d.info.recentActions[d.info.recentActions.length - 1];
    return { id, paused: d.state.paused, note: d.state.note ?? null, nextRunAt: iso(d.info.nextActionTimes[0]), lastRunAt: iso(last?.takenAt) };
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) return { id, paused: null, note: 'Temporal did not answer', nextRunAt: null, lastRunAt: null };
    return { id, paused: null, note: null, nextRunAt: null, lastRunAt: null };
  }
}

export async function divisionView(deps: Pick<CompanySyncRouteDeps, 'prisma' | 'starter' | 'settings' | 'webUiUrl'>, row: ExactDivision): Promise<z.infer<typeof DivisionView>> {
  const ids = divisionScheduleIds(row.division);
  const ownerWorkflowId = WorkflowIds.exactDivision(row.division);
  const [budget, incremental, reconcile, owner] = await Promise.all([
    budgetStatus(deps.prisma, row.division, { minuteLimit: deps.settings.minuteLimit, dayLimit: deps.settings.dayLimit }),
    scheduleView(deps.starter, ids.incremental),
    scheduleView(deps.starter, ids.reconcile),
    quickQuery(deps.starter, () => deps.starter.client.workflow.getHandle(ownerWorkflowId).query(divisionStateQuery)),
  ]);
  return {
    division: row.division,
    name: row.name,
    connectionId: row.connectionId,
    enabled: row.enabled,
    accountsCursor: row.accountsCursor.toString(),
    deletedCursor: row.deletedCursor.toString(),
    importCompletedAt: iso(row.importCompletedAt),
    budget: {
      minuteLimit: budget.minuteLimit,
      dayLimit: budget.dayLimit,
      minuteRemaining: budget.minuteRemaining,
      dayRemaining: budget.dayRemaining,
      blockedUntil: iso(budget.blockedUntil),
      dayResetsAt: iso(budget.dayResetsAt),
      reportedDailyRemaining: budget.reportedDailyRemaining,
    },
    schedules: { incremental, reconcile },
    owner: owner ?? null,
    ownerWorkflowId,
    webUiUrl: deps.webUiUrl(ownerWorkflowId),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function selectedDivision(prisma: PrismaClient, division: number): Promise<ExactDivision> {
  const row = await prisma.exactDivision.findUnique({ where: { division } });
  if (!row) throw new NotFoundError(`Division ${division} is not selected for sync; select it with PUT /v1/exact/connections/{id}/divisions`);
  return row;
}

/** The import's progress (exact-import-<division>), running or finished. */
export async function importProgress(deps: Pick<CompanySyncRouteDeps, 'starter' | 'webUiUrl'>, division: number): Promise<z.infer<typeof ImportProgressView>> {
  const workflowId = WorkflowIds.exactImport(division);
  const handle = deps.starter.client.workflow.getHandle(workflowId);
  const described = await quickQuery(deps.starter, () => handle.describe());
  if (!described) throw new NotFoundError(`No import has run for division ${division} (or Temporal did not answer); start one with POST /v1/exact/divisions/${division}/import`);
  const progress = await quickQuery(deps.starter, () => handle.query(inboundProgressQuery));
  return { workflowId, status: described.status.name, progress: progress ?? null, webUiUrl: deps.webUiUrl(workflowId) };
}

/**
 * Selects the divisions a connection syncs: each must be one Exact lists for the connection's
 * user (422 naming those it does not); new ones get their schedules and their import.
 */
export async function chooseDivisions(
  deps: Pick<CompanySyncRouteDeps, 'prisma' | 'starter' | 'settings'> & { exact: ExactAccess },
  connectionId: string,
  divisions: readonly number[],
  by: string,
): Promise<{ selected: number[]; imports: string[] }> {
  const connection = await deps.prisma.exactConnection.findUnique({ where: { id: connectionId }, select: { id: true, status: true } });
  if (!connection) throw new NotFoundError(`No Exact connection ${connectionId}`);
  const available = await listAvailable(deps.exact, connectionId);
  const unknown = divisions.filter((d) => !available.some((a) => a.division === d));
  if (unknown.length) {
    throw new UnprocessableError(`Division(s) ${unknown.join(', ')} are not accessible to this connection's Exact user (accessible: ${available.map((a) => a.division).join(', ') || 'none'})`, { field: 'divisions', unknown });
  }
  const chosen = available.filter((a) => divisions.includes(a.division));
  return selectDivisions({ ...deps.starter, prisma: deps.prisma }, connectionId, chosen, { syncIntervalMs: deps.settings.syncIntervalMs, reconcileCron: deps.settings.reconcileCron }, by);
}

/** Exact's divisions of the connection's user; Exact's failures in HTTP terms. */
export async function listAvailable(exact: ExactAccess, connectionId: string) {
  try {
    return await exact.listDivisions(connectionId);
  } catch (err) {
    throw exactProblem(err, connectionId);
  }
}
