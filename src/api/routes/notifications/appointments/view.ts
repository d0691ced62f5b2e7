import type { AppointmentState } from '../../../../domain/appointments';
import { WorkflowIds } from '../../../../domain/workflow-ids';
import type { z } from '../../../openapi';
import { maskRecipient } from '../view';
import type { AppointmentView } from './schemas';

export function appointmentView(state: AppointmentState, webUiUrl: (workflowId: string) => string): z.infer<typeof AppointmentView> {
  const workflowId = WorkflowIds.appointment(state.appointmentId);
  return {
    id: state.appointmentId,
    workflowId,
    status: state.status,
    version: state.version,
    startsAt: state.startsAt ?? null,
    localStartsAt: state.localStartsAt ?? null,
    requestedStartsAt: state.requestedStartsAt ?? null,
    timeZone: state.timeZone ?? null,
    channel: state.channel ?? null,
    recipient: state.recipient ? maskRecipient(state.recipient) : null,
    reminders: state.reminders.map((r) => ({
      key: r.key,
      rule: r.rule,
      sendAt: r.sendAt,
      localSendAt: r.localSendAt,
      status: r.status,
      notificationId: r.notificationId ?? null,
      skipReason: r.skipReason ?? null,
    })),
    sent: state.sent,
    nextReminderAt: state.nextReminderAt ?? null,
    cancelledBy: state.cancelledBy ?? null,
    updatedAt: state.updatedAt ?? null,
    webUiUrl: webUiUrl(workflowId),
  };
}
