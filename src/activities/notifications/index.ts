import type { NotificationRequest } from '../../domain/notifications';
import type { NotificationDeps } from './deps';
import { type StatusChange, advanceStatus } from './notification-log';
import { purgeNotifications } from './purge';
import { type TwilioSendInput, sendTwilioMessage } from './twilio-send';

export type { NotificationDeps } from './deps';

/** Activities of the `relay-notifications` task queue. */
export function createNotificationActivities(deps: NotificationDeps) {
  return {
    sendTwilioMessage: (input: TwilioSendInput) => sendTwilioMessage(deps, input),
    async markNotification(change: StatusChange): Promise<void> {
      await advanceStatus(deps.prisma, change);
    },
    purgeNotificationLog: (retentionDays: number) => purgeNotifications(deps.prisma, retentionDays),
    async deliverWebhook(_input: { request: NotificationRequest; firstAttemptAt: number }): Promise<{ status: 'delivered'; vendorMessageId?: string }> {
      throw new Error('webhook delivery is not wired yet');
    },
  };
}
