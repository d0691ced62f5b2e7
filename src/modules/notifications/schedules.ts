import { ScheduleOverlapPolicy } from '@temporalio/client';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import type { RelaySchedule } from '../../temporal/schedules';
import { type TaskQueues, taskQueueOf } from '../../temporal/task-queues';
import { purgeNotificationsWorkflow } from '../../workflows/notifications/purge';

/** Nightly: deletes closed notification-log rows (and the personal data in them) past their retention. */
export function notificationsPurgeSchedule(queues: TaskQueues, retentionDays: number): RelaySchedule {
  return {
    scheduleId: 'notifications-purge',
    description: `Deletes notification-log rows (and their personal data) ${retentionDays} days after they closed`,
    spec: { calendars: [{ hour: 3, minute: 17 }] },
    action: {
      type: 'startWorkflow',
      workflowType: purgeNotificationsWorkflow,
      workflowId: 'notifications-purge',
      taskQueue: taskQueueOf(queues, 'notifications'),
      args: [{ retentionDays }],
      typedSearchAttributes: relaySearchAttributes({ integration: 'notifications', entity: 'notification-log', status: BusinessStatus.running }),
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}
