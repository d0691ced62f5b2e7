import { Router } from 'express';
import type { DeliveryPolicy } from '../../../../domain/notifications';
import { DEFAULT_PHONE_REGION, type PhoneRegion } from '../../../../domain/phone-numbers';
import type { PrismaClient } from '../../../../generated/prisma/client';
import { appointmentState, cancelAppointment, scheduleAppointment } from '../../../../temporal/starters/appointment';
import type { StarterContext } from '../../../../temporal/starters/context';
import { principalOf, requireRole } from '../../../auth';
import { validated } from '../../../validate';
import { type NotificationRouteDeps, checkSchedulable, checkSender } from '../router';
import { AppointmentParams, scheduleAppointmentBody } from './schemas';
import { appointmentView } from './view';

export interface AppointmentRouteDeps {
  starter: StarterContext;
  prisma: PrismaClient;
  policy: DeliveryPolicy;
  webUiUrl: (workflowId: string) => string;
  /** Continue-as-new after this many changes (tests use a small number). */
  maxChangesPerRun?: number;
  /** Region of recipients written as national numbers (PHONE_DEFAULT_REGION); default NL. */
  phoneRegion?: PhoneRegion;
  senders: NotificationRouteDeps['senders'];
  maxScheduleAheadMs: number;
}

/** Appointment reminders: schedule or reschedule (PUT), read (GET), cancel (DELETE). */
export function appointmentsRouter(deps: AppointmentRouteDeps): Router {
  const router = Router();
  const ctx = { ...deps.starter, prisma: deps.prisma, policy: deps.policy, maxChangesPerRun: deps.maxChangesPerRun };
  const ScheduleAppointmentBody = scheduleAppointmentBody(deps.phoneRegion ?? DEFAULT_PHONE_REGION);

  router.put(
    '/v1/appointments/:id',
    requireRole('service'),
    validated({ params: AppointmentParams, body: ScheduleAppointmentBody }, async ({ params, body }, _req, res) => {
      // Local wall-clock time read as UTC: off by at most a day, which a bound of months does not mind.
      checkSchedulable(`${body.startsAt}Z`, deps.maxScheduleAheadMs, 'startsAt');
      if (body.sender !== undefined) checkSender(deps.senders, body.channel, body.sender);
      const state = await scheduleAppointment(ctx, params.id, body, principalOf(res).name);
      res.json(appointmentView(state, deps.webUiUrl));
    }),
  );

  router.get(
    '/v1/appointments/:id',
    requireRole('service'),
    validated({ params: AppointmentParams }, async ({ params }, _req, res) => {
      res.json(appointmentView(await appointmentState(ctx, params.id), deps.webUiUrl));
    }),
  );

  router.delete(
    '/v1/appointments/:id',
    requireRole('service'),
    validated({ params: AppointmentParams }, async ({ params }, _req, res) => {
      res.json(appointmentView(await cancelAppointment(ctx, params.id, principalOf(res).name), deps.webUiUrl));
    }),
  );

  return router;
}
