import { proxyActivities } from '@temporalio/workflow';
import type { createNotificationActivities } from '../../activities/notifications';
import { withBusinessStatus } from '../shared/business-status';

const { purgeNotificationLog } = proxyActivities<ReturnType<typeof createNotificationActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** Run by the `notifications-purge` schedule: retention for the notification log. */
export async function purgeNotificationsWorkflow(input: { retentionDays: number }) {
  return withBusinessStatus(() => purgeNotificationLog(input.retentionDays));
}
