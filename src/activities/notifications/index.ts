import type { NotificationDeps } from './deps';
import { type AbandonedRowsInput, type CloseRowInput, type TwilioStatusInput, closeAbandonedNotifications, closeNotificationRow, recordTwilioStatus } from './closing';
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
    /** No receipt in time: Twilio's status, recorded, and the row closed. */
    recordTwilioStatus: (input: TwilioStatusInput) => recordTwilioStatus(deps, input),
    /** Closes the row of a message that ends without a final status (cancelled from outside, Twilio unreachable). */
    closeNotification: (row: CloseRowInput) => closeNotificationRow(deps, row),
    /** The purge's first step: closes rows whose workflow no longer runs (terminated, timed out, gone). */
    closeAbandonedNotifications: (input: AbandonedRowsInput) => closeAbandonedNotifications(deps, input),
    purgeNotificationLog: (retentionDays: number) => purgeNotifications(deps.prisma, retentionDays),
    recordDossierStatusChange: (input: RecordDossierChangeInput) => recordDossierStatusChange(deps.prisma, input),
    /** One signed webhook delivery attempt; the workflow owns the retry schedule. */
    deliverWebhook: (input: WebhookDeliveryInput) => deliverWebhook(deps, input),
  };
}
