import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { Config } from '../config';
import { BusinessStatus, relaySearchAttributes } from '../domain/search-attributes';
import { purgeNotificationsWorkflow } from '../workflows/notifications/purge';
import type { RelaySchedule } from './schedules';
import type { TaskQueues } from './task-queues';

/**
 * Every Temporal Schedule Relay owns; integrations add theirs here. Ids are stable: the
 * worker reconciles them at every start (`ensureSchedules`), keeping operators' pauses.
 */
export function relaySchedules(queues: TaskQueues, config: Pick<Config, 'notifications'>): RelaySchedule[] {
  return [
    {
      scheduleId: 'notifications-purge',
      description: `Deletes notification-log rows (and their personal data) ${config.notifications.retentionDays} days after they closed`,
      spec: { calendars: [{ hour: 3, minute: 17 }] },
      action: {
        type: 'startWorkflow',
        workflowType: purgeNotificationsWorkflow,
        workflowId: 'notifications-purge',
        taskQueue: queues.notifications,
        args: [{ retentionDays: config.notifications.retentionDays }],
        typedSearchAttributes: relaySearchAttributes({ integration: 'notifications', entity: 'notification-log', status: BusinessStatus.running }),
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    },
  ];
}
