import { ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { exactDivisionWorkflow } from '../../workflows/company-sync/division';
import { type DivisionJobKind, requestDivisionWorkSignal } from '../../workflows/company-sync/definitions';
import { syncConflictWorkflow } from '../../workflows/company-sync/conflict';
import { exactScheduleTickWorkflow } from '../../workflows/company-sync/schedule-tick';
import type { PrismaClient } from '../../generated/prisma/client';
import { ensureSchedules } from '../schedules';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

export const EXACT_QUEUE = 'exact';

/** Hands work to the division's owner, starting it if it is not running (signal-with-start). */
export async function requestDivisionWork(ctx: StarterContext, division: number, kind: DivisionJobKind, requestedBy: string): Promise<string> {
  const workflowId = WorkflowIds.exactDivision(division);
  await ctx.client.workflow.signalWithStart(exactDivisionWorkflow, {
    workflowId,
    taskQueue: taskQueueOf(ctx.taskQueues, EXACT_QUEUE),
    args: [{ division }],
    signal: requestDivisionWorkSignal,
    signalArgs: [{ kind, requestedBy }],
    typedSearchAttributes: relaySearchAttributes({ integration: 'company-sync', entity: 'exact-division', entityId: String(division), status: BusinessStatus.running }),
  });
  return workflowId;
}

export interface ConflictTimings {
  remindAfterMs: number;
  escalateAfterMs: number;
}

/** Starts a conflict's waiting workflow once; a second call for the same open conflict finds it running. */
export async function startConflictWorkflow(ctx: StarterContext, conflict: { id: string; workflowId: string }, timings: ConflictTimings): Promise<void> {
  try {
    await ctx.client.workflow.start(syncConflictWorkflow, {
      workflowId: conflict.workflowId,
      taskQueue: taskQueueOf(ctx.taskQueues, EXACT_QUEUE),
      args: [{ conflictId: conflict.id, ...timings }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: relaySearchAttributes({ integration: 'company-sync', entity: 'sync-conflict', entityId: conflict.id, status: BusinessStatus.awaitingResolution }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** The division's schedules: its incremental sync and its nightly reconciliation. */
export const divisionScheduleIds = (division: number) => ({ incremental: `exact-sync-${division}`, reconcile: `exact-reconcile-${division}` });

export interface DivisionCadence {
  syncIntervalMs: number;
  reconcileCron: string;
}

/**
 * Creates (or brings up to date) a division's schedules. Each fires a tick that asks the
 * division's owner for the work, so ticks never race each other or the import; a paused
 * schedule stays paused.
 */
export async function ensureDivisionSchedules(ctx: StarterContext, division: number, cadence: DivisionCadence): Promise<string[]> {
  const ids = divisionScheduleIds(division);
  const taskQueue = taskQueueOf(ctx.taskQueues, EXACT_QUEUE);
  const attrs = relaySearchAttributes({ integration: 'company-sync', entity: 'exact-division', entityId: String(division), status: BusinessStatus.running });
  await ensureSchedules(ctx.client, [
    {
      scheduleId: ids.incremental,
      description: `Exact division ${division}: incremental company sync`,
      spec: { intervals: [{ every: cadence.syncIntervalMs }] },
      action: { type: 'startWorkflow', workflowType: exactScheduleTickWorkflow, args: [{ division, kind: 'incremental' }], taskQueue, workflowId: `exact-sync-tick-${division}`, typedSearchAttributes: attrs },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
    {
      scheduleId: ids.reconcile,
      description: `Exact division ${division}: nightly reconciliation (drift, missed deletions)`,
      spec: { cronExpressions: [cadence.reconcileCron] },
      action: { type: 'startWorkflow', workflowType: exactScheduleTickWorkflow, args: [{ division, kind: 'reconcile' }], taskQueue, workflowId: `exact-reconcile-tick-${division}`, typedSearchAttributes: attrs },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    },
  ]);
  return [ids.incremental, ids.reconcile];
}

/** Pauses or resumes both of a division's schedules (the owner finishes what it runs). */
export async function setDivisionSchedulesPaused(ctx: StarterContext, division: number, paused: boolean, note: string): Promise<void> {
  for (const id of Object.values(divisionScheduleIds(division))) {
    const handle = ctx.client.schedule.getHandle(id);
    if (paused) await handle.pause(note);
    else await handle.unpause(note);
  }
}

/**
 * Selects the divisions of a connection to sync: records them, creates their schedules and
 * asks each new one's owner for its import. Divisions left out are disabled (schedules paused).
 */
export async function selectDivisions(
  ctx: StarterContext & { prisma: PrismaClient },
  connectionId: string,
  divisions: ReadonlyArray<{ division: number; name: string | null; divisionMoveDate: Date | null }>,
  cadence: DivisionCadence,
  requestedBy: string,
): Promise<{ selected: number[]; imports: string[] }> {
  const imports: string[] = [];
  for (const d of divisions) {
    const existing = await ctx.prisma.exactDivision.findUnique({ where: { division: d.division } });
    await ctx.prisma.exactDivision.upsert({
      where: { division: d.division },
      create: { division: d.division, connectionId, name: d.name, divisionMoveDate: d.divisionMoveDate },
      update: { connectionId, name: d.name, enabled: true, updatedAt: new Date() },
    });
    await ensureDivisionSchedules(ctx, d.division, cadence);
    if (existing && !existing.enabled) await setDivisionSchedulesPaused(ctx, d.division, false, `selected again by ${requestedBy}`);
    if (!existing?.importCompletedAt) imports.push(await requestDivisionWork(ctx, d.division, 'import', requestedBy));
  }
  const keep = divisions.map((d) => d.division);
  const dropped = await ctx.prisma.exactDivision.findMany({ where: { connectionId, enabled: true, division: { notIn: keep } }, select: { division: true } });
  for (const { division } of dropped) {
    await ctx.prisma.exactDivision.update({ where: { division }, data: { enabled: false, updatedAt: new Date() } });
    await setDivisionSchedulesPaused(ctx, division, true, `deselected by ${requestedBy}`).catch(() => undefined);
  }
  return { selected: keep, imports };
}
