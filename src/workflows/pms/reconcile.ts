import { proxyActivities } from '@temporalio/workflow';
import type { PmsActivities } from '../../activities/pms';
import type { ReconcileSummary } from '../../activities/pms/schedules';
import { withBusinessStatus } from '../shared/business-status';

const bookkeeping = proxyActivities<PmsActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Started by `pms-schedules-reconcile`: the arrivals schedules follow the properties. */
export async function pmsScheduleReconcileWorkflow(): Promise<ReconcileSummary> {
  return withBusinessStatus(() => bookkeeping.pmsReconcileSchedules());
}
