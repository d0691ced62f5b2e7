import { ScheduleOverlapPolicy } from '@temporalio/client';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import type { RelaySchedule } from '../../temporal/schedules';
import { PMS_QUEUE } from '../../temporal/starters/pms-schedules';
import { type TaskQueues, taskQueueOf } from '../../temporal/task-queues';
import { pmsScheduleReconcileWorkflow } from '../../workflows/pms/reconcile';

/** Every 10 minutes: each live property has its arrivals schedule, no deleted one keeps one. */
export function pmsScheduleReconcileSchedule(queues: TaskQueues): RelaySchedule {
  return {
    scheduleId: 'pms-schedules-reconcile',
    description: 'Makes sure every PMS property has its arrivals schedule (and no deleted property keeps one)',
    spec: { intervals: [{ every: '10 minutes' }] },
    action: {
      type: 'startWorkflow',
      workflowType: pmsScheduleReconcileWorkflow,
      workflowId: 'pms-schedules-reconcile',
      taskQueue: taskQueueOf(queues, PMS_QUEUE),
      args: [],
      typedSearchAttributes: relaySearchAttributes({ integration: 'pms', entity: 'schedules', status: BusinessStatus.running }),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
  };
}
