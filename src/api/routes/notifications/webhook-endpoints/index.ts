import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../../openapi';
import {
  CreateWebhookEndpointBody,
  ListWebhookEndpointsQuery,
  NotificationReplayParams,
  ReplayAccepted,
  ReplayBody,
  WebhookEndpointCreated,
  WebhookEndpointList,
  WebhookEndpointParams,
  WebhookEndpointView,
} from './schemas';

export { webhookEndpointsRouter, type WebhookEndpointRouteDeps } from './router';

export function registerWebhookEndpointsOpenApi(registry: OpenAPIRegistry): void {
  const security = [{ bearer: [] }];
  const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhook-endpoints',
    summary: 'Subscribe a URL to events; the answer carries the signing secret, shown only this once',
    description:
      'Deliveries are signed per Standard Webhooks v1: `webhook-id` (the notification id, the same on every retry and replay), ' +
      '`webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` ' +
      'keyed with the base64-decoded secret after `whsec_`). The body is `{ type, timestamp, data }`.',
    security,
    request: { body: json(CreateWebhookEndpointBody) },
    responses: { 201: { description: 'Created', ...json(WebhookEndpointCreated) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/webhook-endpoints',
    summary: 'List webhook endpoints (never their secrets)',
    security,
    request: { query: ListWebhookEndpointsQuery },
    responses: { 200: { description: 'The endpoints', ...json(WebhookEndpointList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/webhook-endpoints/{id}',
    summary: 'One webhook endpoint: status, why it was disabled, failing streak',
    security,
    request: { params: WebhookEndpointParams },
    responses: { 200: { description: 'The endpoint', ...json(WebhookEndpointView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/webhook-endpoints/{id}',
    summary: 'Disable an endpoint: pending deliveries to it fail at their next attempt',
    security,
    request: { params: WebhookEndpointParams },
    responses: { 200: { description: 'Disabled', ...json(WebhookEndpointView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhook-endpoints/{id}/enable',
    summary: 'Enable a disabled endpoint again (its failing streak starts afresh)',
    security,
    request: { params: WebhookEndpointParams },
    responses: { 200: { description: 'Enabled', ...json(WebhookEndpointView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhook-endpoints/{id}/replay',
    summary: 'Replay the failed deliveries to an endpoint accepted in a time range (same webhook-id, new run)',
    security,
    request: { params: WebhookEndpointParams, body: json(ReplayBody) },
    responses: { 202: { description: 'Started again', ...json(ReplayAccepted) }, ...errorResponses([400, 401, 403, 404, 409]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/notifications/{id}/replay',
    summary: 'Replay one failed webhook delivery (same webhook-id, new run)',
    security,
    request: { params: NotificationReplayParams },
    responses: { 202: { description: 'Started again', ...json(ReplayAccepted) }, ...errorResponses([400, 401, 403, 404, 409, 422]) },
  });
}
