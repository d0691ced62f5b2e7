import { proxyActivities } from '@temporalio/workflow';
import type { InboundActivities } from '../../activities/company-sync/inbound';
import type { DivisionJobKind } from './definitions';

const { requestDivisionWork } = proxyActivities<InboundActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Started by a division's schedules (`exact-sync-<division>`, `exact-reconcile-<division>`):
 * hands the work to the division's owner (signal-with-start), which serialises it. A schedule
 * cannot signal by itself, and a tick that only asks keeps the schedule's overlap policy cheap.
 */
export async function exactScheduleTickWorkflow(input: { division: number; kind: DivisionJobKind }): Promise<void> {
  await requestDivisionWork({ division: input.division, kind: input.kind, requestedBy: 'schedule' });
}
