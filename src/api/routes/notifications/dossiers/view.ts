import { SUBSCRIBER_ID_LENGTH, dossierNotificationId } from '../../../../domain/dossiers';
import type { Dossier, DossierStatusChange, DossierSubscriber, Notification } from '../../../../generated/prisma/client';
import type { z } from '../../../openapi';
import { maskRecipient } from '../view';
import type { ChangeSummary, ChangeView, DossierView, SubscriberView } from './schemas';

export const changeUrl = (dossierId: string, changeId: string) =>
  `/v1/dossiers/${encodeURIComponent(dossierId)}/status-changes/${encodeURIComponent(changeId)}`;

/** Whether a notification id is one this change sent (the id ends in a subscriber id). */
export function isChangeNotification(id: string, dossierId: string, changeId: string): boolean {
  const prefix = dossierNotificationId(dossierId, changeId, '');
  return id.startsWith(prefix) && /^[0-9a-f]+$/.test(id.slice(prefix.length)) && id.length === prefix.length + SUBSCRIBER_ID_LENGTH;
}

export function subscriberView(row: DossierSubscriber): z.infer<typeof SubscriberView> {
  const channel = row.channel as z.infer<typeof SubscriberView>['channel'];
  return channel === 'webhook'
    ? { id: row.id, channel, endpointId: row.endpointId ?? undefined }
    : { id: row.id, channel, recipient: maskRecipient(row.recipient ?? '') };
}

export const changeSummary = (row: DossierStatusChange): z.infer<typeof ChangeSummary> => ({
  changeId: row.id,
  status: row.status,
  previousStatus: row.previousStatus,
  requestedBy: row.requestedBy,
  changedAt: row.createdAt.toISOString(),
});

export function dossierView(row: Dossier, subscribers: DossierSubscriber[], changes: DossierStatusChange[]): z.infer<typeof DossierView> {
  return {
    id: row.id,
    status: row.status,
    updatedAt: row.updatedAt.toISOString(),
    subscribers: subscribers.map(subscriberView),
    recentChanges: changes.map(changeSummary),
  };
}

type View = z.infer<typeof ChangeView>;

export function changeView(
  change: { dossierId: string; changeId: string; status: string; state: View['state']; workflowId: string; recorded: DossierStatusChange | null },
  notifications: Notification[],
  webUiUrl: (workflowId: string) => string,
): View {
  return {
    dossierId: change.dossierId,
    changeId: change.changeId,
    status: change.recorded?.status ?? change.status,
    state: change.recorded ? 'recorded' : change.state,
    previousStatus: change.recorded?.previousStatus ?? null,
    changedAt: change.recorded?.createdAt.toISOString() ?? null,
    requestedBy: change.recorded?.requestedBy ?? null,
    workflowId: change.workflowId,
    statusUrl: changeUrl(change.dossierId, change.changeId),
    webUiUrl: webUiUrl(change.workflowId),
    notifications: notifications.map((n) => ({
      id: n.id,
      channel: n.channel as View['notifications'][number]['channel'],
      recipient: maskRecipient(n.recipient),
      status: n.status as View['notifications'][number]['status'],
      lastError: n.lastError,
    })),
  };
}
