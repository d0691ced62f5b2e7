import {
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  type AppointmentPlan,
  type AppointmentState,
  type AppointmentWorkflowInput,
  DEFAULT_MAX_CHANGES_PER_RUN,
  MAX_SENT_HISTORY,
  type ReminderState,
  reminderNotificationId,
} from '../../domain/appointments';
import { type NotificationRequest, notificationSearchAttributes } from '../../domain/notifications';
import { BusinessStatus, RelayChannel } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { setBusinessStatus } from '../shared/business-status';
import { appointmentStateQuery, cancelAppointmentUpdate, scheduleAppointmentUpdate } from './appointment-definitions';
import { notificationWorkflow } from './notification';

/**
 * Runs recorded before this patch kept the channel they started with in RelayChannel; it is
 * only called when the channel differs, so those histories replay unchanged.
 */
const CHANNEL_ATTRIBUTE_PATCH = 'appointment-channel-attribute';

/** Update-with-start delivers the first plan with the start; a run without one gives up after this. */
const FIRST_PLAN_TIMEOUT = '10 minutes';

/**
 * One workflow per appointment (`appointment-<id>`), open until the appointment begins or is
 * cancelled: it sleeps on durable timers until each reminder's instant and sends the reminder
 * as a child `notificationWorkflow`. A reschedule (update) wakes it and re-arms the timers;
 * a reminder whose instant has passed when a change arrives is never sent, nor sent late.
 *
 * These runs live for weeks: once shipped, change this code only behind `patched(...)` and
 * keep test/histories/appointment-*.json replaying (test/replay.test.ts).
 */
export async function appointmentWorkflow(input: AppointmentWorkflowInput): Promise<AppointmentState> {
  const series = input.carried?.series ?? workflowInfo().firstExecutionRunId.slice(0, 8);
  const state: AppointmentState = input.carried?.state ?? { appointmentId: input.appointmentId, status: 'scheduled', version: 0, reminders: [], sent: [] };
  let plan: AppointmentPlan | undefined = input.carried?.plan;
  const maxChangesPerRun = input.maxChangesPerRun ?? DEFAULT_MAX_CHANGES_PER_RUN;
  let changesThisRun = 0;

  const nextPending = () => state.reminders.find((r) => r.status === 'pending');
  const view = (): AppointmentState => ({
    ...state,
    reminders: state.reminders.map((r) => ({ ...r })),
    sent: state.sent.map((s) => ({ ...s })),
    nextReminderAt: nextPending()?.sendAt,
  });

  setHandler(appointmentStateQuery, view);

  setHandler(
    scheduleAppointmentUpdate,
    (next) => {
      // The same PUT again (a client retry) changes nothing and re-arms nothing.
      if (next.fingerprint !== plan?.fingerprint) {
        const now = Date.now();
        plan = next;
        state.version += 1;
        changesThisRun += 1;
        Object.assign(state, {
          startsAt: next.startsAt,
          localStartsAt: next.localStartsAt,
          requestedStartsAt: next.requestedStartsAt,
          timeZone: next.timeZone,
          channel: next.channel,
          recipient: next.recipient,
          updatedAt: new Date(now).toISOString(),
        });
        // An instant already past when the change arrives is skipped, never sent late.
        state.reminders = next.reminders.map(
          (r): ReminderState => (Date.parse(r.sendAt) > now ? { ...r, status: 'pending' } : { ...r, status: 'skipped', skipReason: 'passed' }),
        );
      }
      return view();
    },
    {
      validator: (next: AppointmentPlan) => {
        if (next.appointmentId !== state.appointmentId) throw new Error(`this workflow serves appointment ${state.appointmentId}`);
        if (state.status !== 'scheduled') throw new Error(`appointment ${state.appointmentId} is already ${state.status}`);
        if (next.reminders.some((r) => Number.isNaN(Date.parse(r.sendAt))) || Number.isNaN(Date.parse(next.startsAt))) throw new Error('reminder times must be ISO 8601 instants');
      },
    },
  );

  setHandler(
    cancelAppointmentUpdate,
    ({ by }) => {
      if (state.status === 'scheduled') {
        state.status = 'cancelled';
        state.cancelledBy = by;
        state.updatedAt = new Date().toISOString();
        cancelPending(state);
      }
      return view();
    },
    {
      validator: (_cancel) => {
        if (state.status === 'completed') throw new Error(`appointment ${state.appointmentId} is already completed`);
      },
    },
  );

  let shownNext: string | null | undefined;
  const showStatus = () => {
    // A reschedule may move the reminders to another channel: operators filter on it.
    if (plan && plan.channel !== workflowInfo().typedSearchAttributes.get(RelayChannel) && patched(CHANNEL_ATTRIBUTE_PATCH)) {
      upsertSearchAttributes([{ key: RelayChannel, value: plan.channel }]);
    }
    const next = nextPending()?.sendAt ?? null;
    if (next === shownNext) return;
    setBusinessStatus(BusinessStatus.scheduled, next ? new Date(next) : null);
    shownNext = next;
  };

  let continueNow = false;
  try {
    if (!plan) await condition(() => plan !== undefined || state.status !== 'scheduled', FIRST_PLAN_TIMEOUT);
    if (!plan && state.status === 'scheduled') state.status = 'completed';

    while (plan && state.status === 'scheduled') {
      const due = state.reminders.find((r) => r.status === 'pending' && Date.parse(r.sendAt) <= Date.now());
      const startsAt = Date.parse(plan.startsAt);
      if (due) {
        if (Date.now() >= startsAt) {
          due.status = 'skipped';
          due.skipReason = 'appointment-started';
        } else {
          await sendReminder(plan, due, state, series);
        }
        continue; // anything may have changed while the child started
      }
      const next = nextPending();
      if (!next && Date.now() >= startsAt) {
        state.status = 'completed';
        break;
      }
      if (changesThisRun >= maxChangesPerRun || workflowInfo().continueAsNewSuggested) {
        continueNow = true;
        break;
      }
      showStatus();
      const version = state.version;
      // Sleep until the next reminder (or the appointment, to close); a change or a cancel wakes it.
      const wakeAt = next ? Date.parse(next.sendAt) : startsAt;
      await condition(() => state.version !== version || state.status !== 'scheduled', Math.max(1, wakeAt - Date.now()));
    }
  } catch (err) {
    if (isCancellation(err)) {
      // Cancelled from outside (e.g. the Web UI): nothing more is sent; messages already started finish.
      state.status = 'cancelled';
      cancelPending(state);
      setBusinessStatus(BusinessStatus.cancelled, null);
    } else {
      setBusinessStatus(BusinessStatus.failed, null);
    }
    throw err;
  }

  // Updates answer synchronously, but an accepted one must finish before the run closes.
  await condition(allHandlersFinished);
  if (continueNow) {
    return continueAsNew<typeof appointmentWorkflow>({ appointmentId: state.appointmentId, maxChangesPerRun: input.maxChangesPerRun, carried: { state, plan, series } });
  }
  setBusinessStatus(state.status, null);
  return view();
}

function cancelPending(state: AppointmentState): void {
  for (const r of state.reminders) if (r.status === 'pending') r.status = 'cancelled';
}

/**
 * Sends one reminder as a child workflow with an id fixed by (appointment, reminder, series,
 * version): a replayed or retried step finds the same child instead of sending twice. The
 * child is abandoned, not cancelled, when this workflow closes, so a message being sent
 * finishes even if the appointment is cancelled meanwhile.
 */
async function sendReminder(plan: AppointmentPlan, reminder: ReminderState, state: AppointmentState, series: string): Promise<void> {
  const version = state.version;
  const notificationId = reminderNotificationId(plan.appointmentId, reminder.key, series, version);
  const request: NotificationRequest = {
    id: notificationId,
    channel: plan.channel,
    recipient: plan.recipient,
    sender: plan.sender,
    body: plan.body,
    template: plan.template,
    variables: plan.variables,
    sendAt: reminder.sendAt,
    requestedBy: plan.requestedBy,
    appointmentId: plan.appointmentId,
  };
  await CancellationScope.nonCancellable(async () => {
    try {
      await startChild(notificationWorkflow, {
        workflowId: WorkflowIds.notification(notificationId),
        args: [{ request, policy: plan.policy }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        cancellationType: ChildWorkflowCancellationType.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: notificationSearchAttributes(request, Date.now()),
      });
    } catch (err) {
      // That message exists already: it is this reminder, never to be sent twice.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  });
  reminder.status = 'sent';
  reminder.notificationId = notificationId;
  state.sent.push({ key: reminder.key, version, notificationId, sendAt: reminder.sendAt, sentAt: new Date().toISOString() });
  if (state.sent.length > MAX_SENT_HISTORY) state.sent.splice(0, state.sent.length - MAX_SENT_HISTORY);
}
