import { patched, proxyActivities } from '@temporalio/workflow';
import type { createNotificationActivities } from '../../activities/notifications';
import { withBusinessStatus } from '../shared/business-status';

const { purgeNotificationLog, closeAbandonedNotifications } = proxyActivities<ReturnType<typeof createNotificationActivities>>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' },
});

/** Runs recorded before this patch only deleted rows that had closed; it keeps them replaying. */
const CLOSE_ABANDONED_PATCH = 'notifications-purge-closes-abandoned-rows';

const DAY_MS = 86_400_000;

/**
 * Run by the `notifications-purge` schedule: retention for the notification log. First the
 * rows whose workflow ended without closing them (terminated, timed out, gone from Temporal)
 * are closed, as of when their workflow ended; then every row closed longer than
 * `retentionDays` ago is deleted. Rows are checked once idle for a day (or the retention
 * period, if shorter).
 */
export async function purgeNotificationsWorkflow(input: { retentionDays: number }) {
  return withBusinessStatus(async () => {
    const abandoned = patched(CLOSE_ABANDONED_PATCH) ? await closeAbandonedNotifications({ idleForMs: Math.min(input.retentionDays, 1) * DAY_MS }) : undefined;
    const purged = await purgeNotificationLog(input.retentionDays);
    return abandoned ? { ...purged, abandoned } : purged;
  });
}
