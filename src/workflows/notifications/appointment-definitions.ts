import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AppointmentPlan, AppointmentState } from '../../domain/appointments';

/**
 * How the API talks to an appointment workflow. Shared by the workflow and the API
 * (importing @temporalio/workflow's definers is safe outside the sandbox).
 */

/** Schedules or reschedules: replaces the reminders (update-with-start creates the workflow). */
export const scheduleAppointmentUpdate = defineUpdate<AppointmentState, [AppointmentPlan]>('schedule');

/** Cancels the pending reminders; the workflow then ends `cancelled`. */
export const cancelAppointmentUpdate = defineUpdate<AppointmentState, [{ by: string }]>('cancel');

export const appointmentStateQuery = defineQuery<AppointmentState>('state');
