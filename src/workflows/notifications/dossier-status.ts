import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, WorkflowIdReusePolicy, log, proxyActivities, startChild } from '@temporalio/workflow';
import type { createNotificationActivities } from '../../activities/notifications';
import {
  DOSSIER_STATUS_CHANGED_EVENT,
  type DossierStatusOutcome,
  type DossierStatusRequest,
  type DossierSubscriberTarget,
  type RecordedDossierChange,
  dossierNotificationId,
} from '../../domain/dossiers';
import { NON_RETRYABLE_FAILURE_TYPES } from '../../domain/failure-types';
import { type DeliveryPolicy, type NotificationRequest, notificationSearchAttributes } from '../../domain/notifications';
import { WorkflowIds } from '../../domain/workflow-ids';
import { setBusinessStatus, withBusinessStatus } from '../shared/business-status';
import { notificationWorkflow } from './notification';

type Activities = ReturnType<typeof createNotificationActivities>;

const { recordDossierStatusChange } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES] },
});

export interface DossierStatusWorkflowInput {
  change: DossierStatusRequest;
  /** Delivery policy of the notifications this change sends. */
  policy: DeliveryPolicy;
}

/**
 * One workflow per dossier status change, started by the API before anything is written:
 * the status write is this workflow's first activity, so there is no second write that a
 * crash could separate from the first. Then one notification per subscriber, started as a
 * child with a deterministic id and left to run on its own (ABANDON): this workflow ends
 * once every notification has started.
 */
export async function dossierStatusWorkflow({ change, policy }: DossierStatusWorkflowInput): Promise<DossierStatusOutcome> {
  return withBusinessStatus(async () => {
    const recorded = await recordDossierStatusChange({
      dossierId: change.dossierId,
      changeId: change.changeId,
      status: change.status,
      requestedBy: change.requestedBy,
    });
    const outcome = {
      dossierId: change.dossierId,
      changeId: change.changeId,
      status: recorded.status,
      previousStatus: recorded.previousStatus,
      changedAt: recorded.changedAt,
    };
    // Setting a dossier to the status it already has changes nothing worth telling anyone.
    if (recorded.previousStatus === recorded.status) return { ...outcome, notificationIds: [] };

    setBusinessStatus('notifying');
    const notificationIds = await Promise.all(recorded.subscribers.map((s) => notify(change, recorded, s, policy)));
    return { ...outcome, notificationIds };
  });
}

async function notify(change: DossierStatusRequest, recorded: RecordedDossierChange, subscriber: DossierSubscriberTarget, policy: DeliveryPolicy): Promise<string> {
  const request = notificationRequest(change, recorded, subscriber);
  try {
    await startChild(notificationWorkflow, {
      workflowId: WorkflowIds.notification(request.id),
      args: [{ request, policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // Never a second message for the same change and subscriber, even after the first closed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: notificationSearchAttributes(request, Date.now()),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info('dossier notification already started', { notificationId: request.id });
  }
  return request.id;
}

function notificationRequest(change: DossierStatusRequest, recorded: RecordedDossierChange, subscriber: DossierSubscriberTarget): NotificationRequest {
  const common = {
    id: dossierNotificationId(change.dossierId, change.changeId, subscriber.id),
    requestedBy: change.requestedBy,
    dossierId: change.dossierId,
  };
  if (subscriber.channel === 'webhook') {
    return {
      ...common,
      channel: 'webhook',
      recipient: subscriber.endpointId,
      event: DOSSIER_STATUS_CHANGED_EVENT,
      payload: {
        dossierId: change.dossierId,
        changeId: change.changeId,
        status: recorded.status,
        previousStatus: recorded.previousStatus,
        changedAt: recorded.changedAt,
        ...(change.note !== undefined ? { note: change.note } : {}),
      },
    };
  }
  return {
    ...common,
    channel: subscriber.channel,
    recipient: subscriber.recipient,
    body: `Dossier {{dossierId}}: status changed to {{status}}.${change.note !== undefined ? ' {{note}}' : ''}`,
    variables: {
      dossierId: change.dossierId,
      status: recorded.status,
      previousStatus: recorded.previousStatus ?? '',
      ...(change.note !== undefined ? { note: change.note } : {}),
    },
  };
}
