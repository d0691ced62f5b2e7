import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryReceipt, NotificationOutcome, NotificationStatus } from '../../domain/notifications';

/**
 * How the outside world talks to a notification workflow. Shared by the workflow and the
 * API (importing @temporalio/workflow's definers is safe outside the sandbox).
 */

/** A delivery receipt from Twilio's status callback (out of order, repeated: applied monotonically). */
export const deliveryReceiptSignal = defineSignal<[DeliveryReceipt]>('deliveryReceipt');

/** Cancels a message that has not been sent yet (a future `sendAt`); rejected once sending started. */
export const cancelNotificationUpdate = defineUpdate<NotificationOutcome, [{ by: string }]>('cancel');

export interface NotificationState {
  status: NotificationStatus;
  vendorMessageId?: string;
}

export const notificationStateQuery = defineQuery<NotificationState>('state');
