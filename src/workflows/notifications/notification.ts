import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { createNotificationActivities } from '../../activities/notifications';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../domain/failure-types';
import {
  type DeliveryReceipt,
  type NotificationOutcome,
  type NotificationStatus,
  type NotificationWorkflowInput,
  STATUS_RANK,
  isFinalStatus,
} from '../../domain/notifications';
import { setBusinessStatus } from '../shared/business-status';
import { cancelNotificationUpdate, deliveryReceiptSignal, notificationStateQuery } from './definitions';
import { deliverWebhookOnSchedule } from './webhook-delivery';

type Activities = ReturnType<typeof createNotificationActivities>;

/** Bookkeeping on the notification log: quick, idempotent, retried until it works. */
const { markNotification, closeNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Asking Twilio for a message's status: a few tries, then the row closes with what Relay knows. */
const { recordTwilioStatus } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5, nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
});

/**
 * Runs recorded before these patches ended `sent` at the receipt timeout without closing the
 * log row, and left it open when cancelled from outside; `patched` keeps them replaying.
 */
const RECEIPT_TIMEOUT_PATCH = 'notification-receipt-timeout-asks-twilio';
const EXTERNAL_CANCEL_PATCH = 'notification-external-cancel-closes-row';

/**
 * One durable workflow per message: its history replaces the outbox row and the poller.
 * Wait for `sendAt` (cancellable), deliver with exponential backoff until the give-up
 * horizon, then follow delivery receipts to a final status.
 */
export async function notificationWorkflow({ request, policy }: NotificationWorkflowInput): Promise<NotificationOutcome> {
  let status: NotificationStatus = 'accepted';
  let cancelRequestedBy: string | undefined;
  let receipt: DeliveryReceipt | undefined;
  let vendorMessageId: string | undefined;

  const advance = (next: NotificationStatus) => {
    if (STATUS_RANK[next] > STATUS_RANK[status]) status = next;
  };
  setHandler(notificationStateQuery, () => ({ status, vendorMessageId }));
  setHandler(deliveryReceiptSignal, (r) => {
    if (STATUS_RANK[r.status] > STATUS_RANK[status]) {
      status = r.status;
      receipt = r;
    }
  });
  setHandler(
    cancelNotificationUpdate,
    async ({ by }) => {
      cancelRequestedBy = by;
      await condition(() => status === 'cancelled');
      return { id: request.id, status };
    },
    {
      validator: (_by) => {
        if (status !== 'accepted' && status !== 'scheduled') throw new Error(`notification ${request.id} is already ${status}; it can no longer be cancelled`);
      },
    },
  );

  try {
    const sendAt = request.sendAt ? Date.parse(request.sendAt) : NaN;
    if (sendAt > Date.now()) {
      status = 'scheduled';
      setBusinessStatus('scheduled', new Date(sendAt));
      await condition(() => cancelRequestedBy !== undefined, sendAt - Date.now());
    }
    if (cancelRequestedBy !== undefined) {
      await markNotification({ id: request.id, status: 'cancelled', reason: `cancelled by ${cancelRequestedBy}` });
      status = 'cancelled';
      setBusinessStatus('cancelled', null);
      return { id: request.id, status };
    }

    status = 'sending';
    setBusinessStatus('sending', null);
    const sent = await deliver({ request, policy }, Date.now());
    vendorMessageId = sent.vendorMessageId;
    advance(sent.status);
    setBusinessStatus(status);

    // Receipts only come for Twilio messages; a missing one must not hold the workflow forever.
    if (!isFinalStatus(status)) await condition(() => isFinalStatus(status), policy.receiptTimeoutMs);
    if (!isFinalStatus(status) && patched(RECEIPT_TIMEOUT_PATCH)) {
      // No receipt in time (Twilio retries a callback at most once): ask Twilio once, and
      // close the row with its answer, `sent` while it has none yet.
      const truth = await settleRow(request.id, vendorMessageId, 'closed without a receipt');
      if (truth && STATUS_RANK[truth.status] > STATUS_RANK[status]) {
        status = truth.status;
        receipt = truth;
      }
    }
    // (Signal handlers move `status`; read it afresh.)
    const settled = status as NotificationStatus;
    setBusinessStatus(settled);
    if (settled === 'failed' || settled === 'undelivered') {
      // e.g. 63016 (outside the WhatsApp session window): re-sending the same message cannot help.
      const reason = `${request.channel} message ${settled}${receipt?.errorCode ? ` (Twilio error ${receipt.errorCode})` : ''}${receipt?.errorMessage ? `: ${receipt.errorMessage}` : ''}`;
      throw ApplicationFailure.nonRetryable(reason, FailureType.DeliveryFailed, { code: receipt?.errorCode });
    }
    return { id: request.id, status: settled, vendorMessageId };
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelled from outside (Web UI, CLI): the row closes too, `cancelled` unless the
      // message went out, then with what Twilio reports. Activities still run in this scope.
      if (patched(EXTERNAL_CANCEL_PATCH)) {
        await CancellationScope.nonCancellable(() => settleRow(request.id, vendorMessageId, 'cancelled: its workflow was cancelled'));
      }
      setBusinessStatus('cancelled', null);
      throw err;
    }
    if (err instanceof ApplicationFailure && err.type === FailureType.DeliveryFailed) {
      setBusinessStatus('failed', null);
      throw err;
    }
    // Activities fail as ActivityFailure(cause); a local activity's failure arrives unwrapped.
    const cause = err instanceof ActivityFailure ? (err.cause instanceof ApplicationFailure ? err.cause : undefined) : err instanceof ApplicationFailure ? err : undefined;
    const reason = cause?.message ?? (err instanceof Error ? err.message : String(err));
    log.warn('notification failed', { id: request.id, type: cause?.type });
    await markNotification({ id: request.id, status: 'failed', reason, code: cause?.type ?? undefined });
    setBusinessStatus('failed', null);
    throw ApplicationFailure.nonRetryable(reason, cause?.type ?? FailureType.DeliveryFailed);
  }
}

/**
 * Closes the log row of a message that ends without a final status. With a Twilio SID,
 * Twilio's status is recorded (undefined when Twilio could not be asked: the row then closes
 * as `sent`); without one the row closes `cancelled` with `reason`, unless it shows the
 * message went out.
 */
async function settleRow(id: string, vendorMessageId: string | undefined, reason: string) {
  if (vendorMessageId !== undefined) {
    try {
      return await recordTwilioStatus({ id, vendorMessageId });
    } catch (err) {
      if (isCancellation(err)) throw err;
      log.warn('could not ask Twilio for the message status', { id });
    }
  }
  await closeNotification({ id, reason });
  return undefined;
}

/** Twilio sends run as local activities (no task round trip); webhooks follow their own schedule. */
async function deliver(input: NotificationWorkflowInput, firstAttemptAt: number) {
  const { request, policy } = input;
  const retry = {
    initialInterval: policy.initialIntervalMs,
    backoffCoefficient: policy.backoffCoefficient,
    maximumInterval: policy.maximumIntervalMs,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
  };
  if (request.channel === 'webhook') return deliverWebhookOnSchedule(request, policy);
  const { sendTwilioMessage } = proxyLocalActivities<Activities>({
    startToCloseTimeout: '1 minute',
    // The activity gives up at the horizon itself, naming the last vendor error; this timeout
    // only backs it up. Equal to the horizon, it raced the activity and won with a bare
    // "timed out" on a busy worker.
    scheduleToCloseTimeout: policy.giveUpAfterMs + SEND_GIVE_UP_BACKSTOP_MS,
    retry,
  });
  const giveUpAfterMs = policy.giveUpAfterMs;
  let result = await sendTwilioMessage({ request, firstAttemptAt, giveUpAfterMs });
  // The sender's budget is spent for a while (a burst): wait on a durable timer, keep the slot.
  while (result.deferredUntil !== undefined) {
    const reservedSlotAt = result.deferredUntil;
    await sleep(Math.max(0, reservedSlotAt - Date.now() - RATE_WAIT_LEAD_MS));
    result = await sendTwilioMessage({ request, firstAttemptAt, reservedSlotAt, giveUpAfterMs });
  }
  return result;
}

/** How long after the give-up horizon the send's own timeout fires, should the activity not have given up. */
const SEND_GIVE_UP_BACKSTOP_MS = 60_000;

/**
 * Wake a little before a reserved slot; the activity waits out the rest precisely. Generous:
 * a timer that fires late on a busy worker misses its slot, which then goes unused.
 */
const RATE_WAIT_LEAD_MS = 2_500;
