import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../../openapi';
import { AppointmentParams, AppointmentView, ScheduleAppointmentBody } from './schemas';

export { appointmentsRouter, type AppointmentRouteDeps } from './router';

export function registerAppointmentsOpenApi(registry: OpenAPIRegistry): void {
  const security = [{ bearer: [] }];
  const json = { content: { 'application/json': { schema: AppointmentView } } };
  registry.registerPath({
    method: 'put',
    path: '/v1/appointments/{id}',
    summary: "Schedule or reschedule an appointment's reminders (a repeat with the same content changes nothing)",
    description:
      'Reminder times are computed from the local time and IANA zone: `{ before }`/`{ beforeMinutes }` are real elapsed time, ' +
      '`{ daysBefore, at }` is wall-clock time in the zone. A local time skipped by a daylight-saving change is shifted forward ' +
      'by the jump; one that occurs twice is the first occurrence. A reminder whose time has already passed is not sent.',
    security,
    request: { params: AppointmentParams, body: { content: { 'application/json': { schema: ScheduleAppointmentBody } } } },
    responses: { 200: { description: 'The appointment after the change', ...json }, ...errorResponses([400, 401, 403, 409, 422]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/appointments/{id}',
    summary: 'The appointment and its reminder times (UTC and local) and statuses',
    security,
    request: { params: AppointmentParams },
    responses: { 200: { description: 'The appointment', ...json }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/appointments/{id}',
    summary: 'Cancel the pending reminders (a message already being sent finishes)',
    security,
    request: { params: AppointmentParams },
    responses: { 200: { description: 'Cancelled', ...json }, ...errorResponses([400, 401, 403, 404, 409]) },
  });
}
