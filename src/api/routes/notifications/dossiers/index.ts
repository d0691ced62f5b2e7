import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../../openapi';
import { ChangeParams, ChangeStatusBody, ChangeView, DossierParams, DossierView, PutDossierBody, PutSubscribersBody } from './schemas';

export { dossiersRouter, type DossierRouteDeps } from './router';

export function registerDossiersOpenApi(registry: OpenAPIRegistry): void {
  const security = [{ bearer: [] }];
  const json = (schema: typeof DossierView | typeof ChangeView) => ({ content: { 'application/json': { schema } } });
  const body = (schema: typeof PutDossierBody | typeof PutSubscribersBody | typeof ChangeStatusBody) => ({ body: { content: { 'application/json': { schema } } } });
  registry.registerPath({
    method: 'put',
    path: '/v1/dossiers/{id}',
    summary: 'Create a dossier with its initial status (a repeat with the same status changes nothing)',
    security,
    request: { params: DossierParams, ...body(PutDossierBody) },
    responses: {
      201: { description: 'Created', ...json(DossierView) },
      200: { description: 'Exists with this status', ...json(DossierView) },
      ...errorResponses([400, 401, 403, 409]),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/dossiers/{id}',
    summary: 'Status, subscribers (masked) and recent status changes of a dossier',
    security,
    request: { params: DossierParams },
    responses: { 200: { description: 'The dossier', ...json(DossierView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/dossiers/{id}/subscribers',
    summary: "Replace the dossier's subscribers: WhatsApp/SMS numbers and webhook endpoints",
    security,
    request: { params: DossierParams, ...body(PutSubscribersBody) },
    responses: { 200: { description: 'The dossier', ...json(DossierView) }, ...errorResponses([400, 401, 403, 404, 422]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/dossiers/{id}/status',
    summary: 'Change the status and notify the subscribers, once per changeId (no dual write: the workflow records the change)',
    security,
    request: { params: DossierParams, ...body(ChangeStatusBody) },
    responses: {
      202: { description: 'Accepted; recorded and notified in the background', ...json(ChangeView) },
      200: { description: 'This changeId was seen before: the same change, nothing notified twice', ...json(ChangeView) },
      ...errorResponses([400, 401, 403, 404, 409]),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/dossiers/{id}/status-changes/{changeId}',
    summary: 'A status change: accepted, recorded (with its notifications) or failed',
    security,
    request: { params: ChangeParams },
    responses: { 200: { description: 'The change', ...json(ChangeView) }, ...errorResponses([400, 401, 403, 404]) },
  });
}
