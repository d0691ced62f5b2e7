import { type Client, ScheduleAlreadyRunning, type ScheduleOptions } from '@temporalio/client';

/**
 * Relay's recurring work, declared by each integration module (`schedules`) and reconciled at
 * start. A schedule is Temporal's, not a cron of ours: it survives restarts, catches up
 * after downtime, and operators pause, trigger or backfill it in the Web UI.
 */
export type RelaySchedule = Pick<ScheduleOptions, 'scheduleId' | 'spec' | 'action' | 'policies'> & {
  /** Shown in the Web UI next to the schedule. */
  description: string;
};

export interface EnsureResult {
  created: string[];
  updated: string[];
}

/**
 * Creates missing schedules and brings the spec, action and policies of existing ones up to
 * date, without undoing what an operator did: a paused schedule stays paused and its note
 * (e.g. "paused during the Exact migration") survives.
 */
export async function ensureSchedules(client: Client, schedules: readonly RelaySchedule[]): Promise<EnsureResult> {
  const result: EnsureResult = { created: [], updated: [] };
  for (const schedule of schedules) {
    const { description, ...options } = schedule;
    try {
      await client.schedule.create({ ...options, state: { note: description } });
      result.created.push(schedule.scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(schedule.scheduleId).update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: { ...previous.policies, ...options.policies },
        state: previous.state,
      }));
      result.updated.push(schedule.scheduleId);
    }
  }
  return result;
}

/**
 * "Run now" with the schedule's own overlap policy: the client's default for a manual
 * trigger is ALLOW_ALL, which would start a second run beside one still going.
 */
export async function triggerScheduleNow(client: Client, scheduleId: string): Promise<void> {
  const handle = client.schedule.getHandle(scheduleId);
  const { policies } = await handle.describe();
  await handle.trigger(policies.overlap);
}
