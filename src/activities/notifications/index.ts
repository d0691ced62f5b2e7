import type { NotificationDeps } from './deps';
import { type RecordDossierChangeInput, recordDossierStatusChange } from './dossier-status';
import { type StatusChange, advanceStatus } from '../../db/notifications/notification-log';
import { purgeNotifications } from '../../db/notifications/purge';
import { type TwilioSendInput, sendTwilioMessage } from './twilio-send';
import { type WebhookDeliveryInput, deliverWebhook } from './webhook-delivery';

export type { NotificationDeps } from './deps';

/** Activities of the `relay-notifications` task queue. */
export function createNotificationActivities(deps: NotificationDeps) {
  return {
    sendTwilioMessage: (input: TwilioSendInput) => sendTwilioMessage(deps, input),
    async markNotification(change: StatusChange): Promise<void> {
      await advanceStatus(deps.prisma, change);
    },
    purgeNotificationLog: (retentionDays: number) => purgeNotifications(deps.prisma, retentionDays),
    recordDossierStatusChange: (input: RecordDossierChangeInput) => recordDossierStatusChange(deps.prisma, input),
    /** One signed webhook delivery attempt; the workflow owns the retry schedule. */
    deliverWebhook: (input: WebhookDeliveryInput) => deliverWebhook(deps, input),
  };
}
