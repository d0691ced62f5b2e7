import { APPOINTMENT_STATUSES, REMINDER_STATUSES } from '../../../../domain/appointments';
import { DEFAULT_PHONE_REGION, type PhoneRegion } from '../../../../domain/phone-numbers';
import { WORKFLOW_ID_PART } from '../../../../domain/workflow-ids';
import { ReminderTimeError, computeReminderTimes } from '../../../../scheduling/reminder-times';
import { z } from '../../../openapi';
import { phoneNumber } from '../../../phone-number';
import { Variables } from '../schemas';

/** Short enough that every reminder's notification id (`appt-<id>-<rule>-<version>`) stays a valid key. */
export const AppointmentParams = z.object({
  id: z.string().max(60).regex(WORKFLOW_ID_PART, 'letters, digits, dot, colon, dash or underscore (max 60)').openapi({ example: 'visit-2026-0042' }),
});

const ReminderOffset = z
  .union([
    z.object({ before: z.string().max(40).openapi({ example: 'PT24H', description: 'ISO 8601 duration of real time before the appointment (P1D = 24 h)' }) }).strict(),
    z.object({ beforeMinutes: z.number().int().positive().openapi({ example: 60 }) }).strict(),
    z
      .object({
        daysBefore: z.number().int().min(0).openapi({ example: 1 }),
        at: z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'must be a local time such as 18:00').openapi({ example: '18:00', description: "Wall-clock time in the appointment's zone" }),
      })
      .strict(),
  ])
  .openapi('ReminderOffset', { description: '`{ before }`, `{ beforeMinutes }` (elapsed time) or `{ daysBefore, at }` (local wall-clock time)' });

/**
 * `region`: of recipients written as national numbers (PHONE_DEFAULT_REGION).
 *
 * An appointment that starts in the past is a 400 on `startsAt`, like every other time the
 * request gets wrong (an unknown zone, an impossible local time, a reminder after the start):
 * the fix is in the request, whatever Relay holds. 409 here means "conflicts with the
 * appointment's current state" (already cancelled or completed), 422 "refused by stored
 * business state" (an opted-out recipient); a past start is neither.
 */
export const scheduleAppointmentBody = (region: PhoneRegion) =>
  z
    .object({
      startsAt: z.string().openapi({ example: '2026-03-30T09:00', description: 'Local date-time without offset (seconds optional); `timeZone` says where' }),
      timeZone: z.string().max(64).openapi({ example: 'Europe/Paris', description: 'IANA region time zone, or UTC; fixed offsets (Etc/GMT+5) are refused' }),
      channel: z.enum(['sms', 'whatsapp']),
      recipient: phoneNumber(region),
      sender: z.string().min(1).max(100).optional().openapi({ description: "Twilio sender; the channel's default when omitted" }),
      body: z.string().min(1).max(1_600).optional().openapi({ description: 'Text; `{{name}}` placeholders are filled from `variables`' }),
      template: z.string().min(1).max(100).optional().openapi({ description: 'WhatsApp: an approved Content SID (HX…)' }),
      variables: Variables.optional(),
      reminders: z.array(ReminderOffset).min(1).max(10),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (!b.body && !b.template) ctx.addIssue({ code: 'custom', path: ['body'], message: 'body or template is required' });
      if (b.template && b.channel === 'sms') ctx.addIssue({ code: 'custom', path: ['template'], message: 'SMS takes a body; templates are for WhatsApp' });
      try {
        computeReminderTimes(b, { now: Date.now() });
      } catch (err) {
        if (!(err instanceof ReminderTimeError)) throw err;
        ctx.addIssue({ code: 'custom', path: err.path, message: err.message });
      }
    })
    .openapi('ScheduleAppointment');

export const ScheduleAppointmentBody = scheduleAppointmentBody(DEFAULT_PHONE_REGION);

const Reminder = z.object({
  key: z.string().openapi({ example: 'day-1-at-18:00' }),
  rule: z.string().openapi({ example: 'the day before at 18:00' }),
  sendAt: z.string().openapi({ example: '2026-03-29T16:00:00.000Z' }),
  localSendAt: z.string().openapi({ example: '2026-03-29T18:00:00+02:00' }),
  status: z.enum(REMINDER_STATUSES),
  notificationId: z.string().nullable().openapi({ description: 'GET /v1/notifications/{id} once sent' }),
  skipReason: z.enum(['passed', 'appointment-started']).nullable(),
});

export const AppointmentView = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    status: z.enum(APPOINTMENT_STATUSES),
    version: z.number().int().openapi({ description: 'Accepted changes so far; an identical PUT does not count' }),
    startsAt: z.string().nullable().openapi({ description: 'UTC instant' }),
    localStartsAt: z.string().nullable().openapi({ description: 'In its zone, after daylight-saving rules' }),
    requestedStartsAt: z.string().nullable(),
    timeZone: z.string().nullable(),
    channel: z.enum(['sms', 'whatsapp']).nullable(),
    recipient: z.string().nullable().openapi({ description: 'Masked' }),
    reminders: z.array(Reminder),
    sent: z.array(z.object({ key: z.string(), version: z.number().int(), notificationId: z.string(), sendAt: z.string(), sentAt: z.string() })),
    nextReminderAt: z.string().nullable(),
    cancelledBy: z.string().nullable(),
    updatedAt: z.string().nullable(),
    webUiUrl: z.string(),
  })
  .openapi('Appointment');
