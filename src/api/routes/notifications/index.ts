import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../openapi';
import { ConsentBody, ListNotificationsQuery, NotificationList, NotificationParams, NotificationView, SendNotificationBody } from './schemas';

export { notificationsRouter, type NotificationRouteDeps } from './router';
export { twilioWebhooksRouter, type TwilioWebhookDeps } from './twilio-webhooks';

export function registerNotificationsOpenApi(registry: OpenAPIRegistry): void {
  const security = [{ bearer: [] }];
  const json = (schema: typeof NotificationView | typeof NotificationList) => ({ content: { 'application/json': { schema } } });
  registry.registerPath({
    method: 'post',
    path: '/v1/notifications',
    summary: 'Send one WhatsApp, SMS or webhook notification (idempotent by idempotencyKey)',
    security,
    request: { body: { content: { 'application/json': { schema: SendNotificationBody } } } },
    responses: {
      202: { description: 'Accepted; delivered in the background', ...json(NotificationView) },
      200: { description: 'Seen before: the same notification, nothing sent twice', ...json(NotificationView) },
      ...errorResponses([400, 401, 403, 409, 422]),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/notifications/{id}',
    summary: 'Status, attempts, last error, vendor message id and timestamps of a notification',
    security,
    request: { params: NotificationParams },
    responses: { 200: { description: 'The notification', ...json(NotificationView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/notifications',
    summary: 'List notifications, newest first (filter by status, channel, appointment, dossier)',
    security,
    request: { query: ListNotificationsQuery },
    responses: { 200: { description: 'A page of notifications', ...json(NotificationList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/notifications/{id}',
    summary: 'Cancel a notification that has not been sent yet (future sendAt)',
    security,
    request: { params: NotificationParams },
    responses: { 200: { description: 'Cancelled', ...json(NotificationView) }, ...errorResponses([400, 401, 403, 404, 409]) },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/consents',
    summary: 'Record an opt-out or opt-in for a phone number (audited)',
    description:
      'Every change is an audit_log row (`consent.opted_out` / `consent.opted_in`) naming the key and the source. Opting a number in again after the recipient opted out (STOP, Twilio 21610) needs the operator role: a service key gets 403 with the reason.',
    security,
    request: { body: { content: { 'application/json': { schema: ConsentBody } } } },
    responses: { 204: { description: 'Recorded' }, ...errorResponses([400, 401, 403]) },
  });
}
