import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import type { PmsProperty } from '../../generated/prisma/client';
import { pmsArrivalsWorkflow } from '../../workflows/pms/arrivals';
import { ensureSchedules, triggerScheduleNow } from '../schedules';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

/** The PMS module's task queue key (Temporal queue `relay-pms`). */
export const PMS_QUEUE = 'pms';

/**
 * One arrivals schedule per property (`pms-arrivals-<propertyId>`), created, changed and deleted
 * with it: every `pollIntervalSeconds`, each property at its own offset within the interval plus
 * a random jitter so that properties do not all fire at once, overlap skip (a slow poll is not
 * queued behind), missed polls not caught up (the next one reconciles). Paused while the
 * property's polling is off; operators pause, resume and trigger it here or in the Web UI, where
 * its runs carry the property id and vendor as search attributes.
 */

export const arrivalsScheduleId = (propertyId: string) => WorkflowIds.pmsArrivals(propertyId);

type ScheduledProperty = Pick<PmsProperty, 'id' | 'name' | 'vendor' | 'vendorPropertyId' | 'pollIntervalSeconds' | 'pollEnabled'>;

/** A stable offset within the interval, from the property id: 500 properties spread over it. */
function offsetMs(propertyId: string, everyMs: number): number {
  const n = createHash('sha256').update(propertyId).digest().readUInt32BE(0);
  return (n % Math.max(1, Math.floor(everyMs / 1000))) * 1000;
}

export async function ensureArrivalsSchedule(ctx: StarterContext, property: ScheduledProperty, jitterMs: number): Promise<void> {
  const everyMs = property.pollIntervalSeconds * 1000;
  const scheduleId = arrivalsScheduleId(property.id);
  await ensureSchedules(ctx.client, [
    {
      scheduleId,
      description: `${property.name} (${property.vendor} ${property.vendorPropertyId}): arrivals poll`,
      spec: { intervals: [{ every: everyMs, offset: offsetMs(property.id, everyMs) }], jitter: Math.min(jitterMs, everyMs / 2) },
      action: {
        type: 'startWorkflow',
        workflowType: pmsArrivalsWorkflow,
        args: [{ propertyId: property.id }],
        taskQueue: taskQueueOf(ctx.taskQueues, PMS_QUEUE),
        workflowId: scheduleId,
        typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: 'property', entityId: property.id, channel: property.vendor, status: BusinessStatus.running }),
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
    },
  ]);
  const { state } = await ctx.client.schedule.getHandle(scheduleId).describe();
  if (state.paused === property.pollEnabled) await setArrivalsPaused(ctx, property.id, !property.pollEnabled, property.pollEnabled ? 'polling enabled' : 'polling disabled on the property');
}

export async function setArrivalsPaused(ctx: StarterContext, propertyId: string, paused: boolean, note: string): Promise<void> {
  const handle = ctx.client.schedule.getHandle(arrivalsScheduleId(propertyId));
  if (paused) await handle.pause(note);
  else await handle.unpause(note);
}

/** A poll now, unless one is running (the schedule's overlap policy). */
export const triggerArrivals = (ctx: StarterContext, propertyId: string) => triggerScheduleNow(ctx.client, arrivalsScheduleId(propertyId));

export async function deleteArrivalsSchedule(ctx: StarterContext, propertyId: string): Promise<void> {
  try {
    await ctx.client.schedule.getHandle(arrivalsScheduleId(propertyId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

export interface ArrivalsScheduleState {
  scheduleId: string;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  recentRuns: Array<{ scheduledAt: string; workflowId: string }>;
}

/** The schedule as Temporal holds it; null when it does not exist. */
export async function describeArrivalsSchedule(ctx: StarterContext, propertyId: string): Promise<ArrivalsScheduleState | null> {
  const scheduleId = arrivalsScheduleId(propertyId);
  try {
    const d = await ctx.client.schedule.getHandle(scheduleId).describe();
    return {
      scheduleId,
      paused: d.state.paused,
      note: d.state.note ?? null,
      nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
      recentRuns: d.info.recentActions.slice(-5).map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}
