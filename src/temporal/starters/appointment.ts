import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { isOptedOut } from '../../db/notifications/consent';
import type { AppointmentMessage, AppointmentPlan, AppointmentState } from '../../domain/appointments';
import type { DeliveryPolicy } from '../../domain/notifications';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors';
import type { PrismaClient } from '../../generated/prisma/client';
import { type ReminderOffset, computeReminderTimes } from '../../scheduling/reminder-times';
import { appointmentWorkflow } from '../../workflows/notifications/appointment';
import { appointmentStateQuery, cancelAppointmentUpdate, scheduleAppointmentUpdate } from '../../workflows/notifications/appointment-definitions';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';
import { resendDroppedUpdate } from './resend-dropped-update';

export interface AppointmentStarterContext extends StarterContext {
  prisma: PrismaClient;
  policy: DeliveryPolicy;
  /** Continue-as-new after this many changes (default in the workflow). */
  maxChangesPerRun?: number;
}

/** An appointment as a caller describes it: local time and zone, recipient, message, reminder rules. */
export interface AppointmentRequest extends AppointmentMessage {
  /** Local date-time without offset, e.g. `2026-03-29T09:30`. */
  startsAt: string;
  timeZone: string;
  reminders: ReminderOffset[];
}

/** The workflow gets UTC instants only: time zones are resolved here, once, deterministically. */
export function planAppointment(appointmentId: string, request: AppointmentRequest, requestedBy: string, policy: DeliveryPolicy): AppointmentPlan {
  const times = computeReminderTimes(request);
  const content = {
    startsAt: times.startsAt,
    requestedStartsAt: request.startsAt,
    timeZone: request.timeZone,
    channel: request.channel,
    recipient: request.recipient,
    sender: request.sender ?? null,
    body: request.body ?? null,
    template: request.template ?? null,
    variables: Object.entries(request.variables ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
    reminders: times.reminders.map((r) => [r.key, r.sendAt]),
  };
  return {
    appointmentId,
    startsAt: times.startsAt,
    localStartsAt: times.localStartsAt,
    requestedStartsAt: request.startsAt,
    timeZone: request.timeZone,
    channel: request.channel,
    recipient: request.recipient,
    ...(request.sender !== undefined && { sender: request.sender }),
    ...(request.body !== undefined && { body: request.body }),
    ...(request.template !== undefined && { template: request.template }),
    ...(request.variables !== undefined && { variables: request.variables }),
    reminders: times.reminders,
    fingerprint: createHash('sha256').update(JSON.stringify(content)).digest('hex'),
    requestedBy,
    policy,
  };
}

/**
 * Schedules or reschedules an appointment's reminders: update-with-start on
 * `appointment-<id>`, so the first PUT starts the workflow and later ones re-arm its timers
 * (USE_EXISTING). Once a run has closed (cancelled, or the appointment has passed), a PUT
 * starts a new one. Returns the workflow's state after the change.
 */
export async function scheduleAppointment(
  ctx: AppointmentStarterContext,
  appointmentId: string,
  request: AppointmentRequest,
  requestedBy: string,
): Promise<AppointmentState> {
  if (await isOptedOut(ctx.prisma, request.recipient)) {
    throw new UnprocessableError('The recipient opted out of messages; they must opt in again (reply START) before Relay sends to them', { reason: 'recipient_opted_out' });
  }
  const plan = planAppointment(appointmentId, request, requestedBy, ctx.policy);
  const workflowId = WorkflowIds.appointment(appointmentId);
  // A with-start operation is used once: each send gets its own.
  const startWorkflowOperation = () =>
    new WithStartWorkflowOperation(appointmentWorkflow, {
      workflowId,
      taskQueue: taskQueueOf(ctx.taskQueues, 'notifications'),
      args: [{ appointmentId, maxChangesPerRun: ctx.maxChangesPerRun }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      typedSearchAttributes: relaySearchAttributes({
        integration: 'notifications',
        entity: 'appointment',
        entityId: appointmentId,
        channel: request.channel,
        status: BusinessStatus.scheduled,
      }),
    });
  for (let attempt = 1; ; attempt++) {
    try {
      return await resendDroppedUpdate(() => ctx.client.workflow.executeUpdateWithStart(scheduleAppointmentUpdate, { args: [plan], startWorkflowOperation: startWorkflowOperation() }));
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      // The run is closing (cancelled or completed a moment ago): once closed, the next
      // update-with-start books the appointment afresh in a new run.
      const handle = ctx.client.workflow.getHandle(workflowId);
      const now = await handle.query(appointmentStateQuery).catch(() => undefined);
      if (attempt > 1 || !now || now.status === 'scheduled') throw new ConflictError(`Appointment ${appointmentId} cannot be changed: ${causeOf(err)}`, { appointmentId });
      await handle.result().catch(() => undefined);
    }
  }
}

/**
 * Cancels the pending reminders; the workflow ends `cancelled`. Cancelling a cancelled
 * appointment again answers its state; a completed one (the appointment has passed) is a conflict.
 */
export async function cancelAppointment(ctx: StarterContext, appointmentId: string, by: string): Promise<AppointmentState> {
  const handle = ctx.client.workflow.getHandle(WorkflowIds.appointment(appointmentId));
  try {
    return await resendDroppedUpdate(() => handle.executeUpdate(cancelAppointmentUpdate, { args: [{ by }] }));
  } catch (err) {
    if (!(err instanceof WorkflowUpdateFailedError) && !(err instanceof WorkflowNotFoundError)) throw err;
    // Closed already (or never existed): its last state tells which.
    const state = await appointmentState(ctx, appointmentId);
    if (state.status === 'cancelled') return state;
    throw new ConflictError(`Appointment ${appointmentId} is already ${state.status}; there is nothing left to cancel`, { appointmentId, status: state.status });
  }
}

/** The appointment's state as its workflow (running or closed, until retention) reports it. */
export async function appointmentState(ctx: StarterContext, appointmentId: string): Promise<AppointmentState> {
  try {
    return await ctx.client.workflow.getHandle(WorkflowIds.appointment(appointmentId)).query(appointmentStateQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No appointment ${appointmentId}`);
    throw err;
  }
}

const causeOf = (err: WorkflowUpdateFailedError) => err.cause?.message ?? err.message;
