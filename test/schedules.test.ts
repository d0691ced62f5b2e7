import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { type RelaySchedule, ensureSchedules, triggerScheduleNow } from '../src/temporal/schedules';
import { useRelay, uniqueId } from './helpers/relay';

describe('ensureSchedules', () => {
  // No worker: started workflows stay Running, which makes overlap observable.
  const relay = useRelay({ withWorker: false });

  const declare = (scheduleId: string, every: Duration): RelaySchedule => ({
    scheduleId,
    description: 'test schedule',
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'echoWorkflow',
      taskQueue: uniqueId('no-worker'),
      workflowId: `${scheduleId}-run`,
      args: [{ message: 'tick', requestedBy: 'schedule', correlationId: scheduleId }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  });

  async function cleanUp(scheduleId: string) {
    const client = relay().env.client;
    await client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${scheduleId}"` })) {
      await client.workflow.getHandle(wf.workflowId, wf.runId).terminate('test done').catch(() => undefined);
    }
  }

  it('creates missing schedules, then updates their spec without undoing an operator pause or note', async () => {
    const client = relay().env.client;
    const id = uniqueId('relay-test-schedule');
    try {
      expect(await ensureSchedules(client, [declare(id, '1 hour')])).toEqual({ created: [id], updated: [] });
      const handle = client.schedule.getHandle(id);
      await handle.pause('paused by an operator during maintenance');

      expect(await ensureSchedules(client, [declare(id, '2 hours')])).toEqual({ created: [], updated: [id] });
      const described = await handle.describe();
      expect(described.state.paused).toBe(true);
      expect(described.state.note).toBe('paused by an operator during maintenance');
      expect(described.spec.intervals?.[0]?.every).toBe(2 * 60 * 60 * 1000);
      expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    } finally {
      await cleanUp(id);
    }
  });

  it('triggers now with the schedule’s own overlap policy, not the client’s allow-all default', async () => {
    const client = relay().env.client;
    const id = uniqueId('relay-test-trigger');
    try {
      await ensureSchedules(client, [declare(id, '1 hour')]);
      await triggerScheduleNow(client, id);
      await waitFor(async () => (await client.schedule.getHandle(id).describe()).info.recentActions.length === 1);
      // The first run is still going (no worker): SKIP must refuse a second one.
      await triggerScheduleNow(client, id);
      await waitFor(async () => (await client.schedule.getHandle(id).describe()).info.numActionsSkippedOverlap === 1);
      const described = await client.schedule.getHandle(id).describe();
      expect(described.info.recentActions).toHaveLength(1);
      expect(described.info.runningActions).toHaveLength(1);
    } finally {
      await cleanUp(id);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not reached in time');
}
