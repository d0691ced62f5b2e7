import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../../openapi';
import {
  AvailableDivisionList,
  CallbackQuery,
  ConnectQuery,
  ConnectionList,
  ConnectionParams,
  ConnectionView,
  DivisionList,
  DivisionParams,
  DivisionView,
  ImportProgressView,
  ListQuery,
  PauseBody,
  ScheduleChange,
  SelectDivisionsBody,
  WorkRequested,
} from './schemas';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

export function registerExactOpenApi(registry: OpenAPIRegistry, security: Array<Record<string, string[]>>): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/connect',
    summary: "Connect an Exact Online account (operator): redirects to Exact's authorize page",
    description:
      'Open it in a browser (signed in at /ui/sign-in, or with an operator key). Relay stores a fresh `state`, valid 10 minutes and used once, and sends the browser to Exact; Exact sends it back to /v1/exact/callback. With `connectionId` it re-authorises that connection (e.g. one that needs_reauth).',
    security: [...security, { operatorSession: [] }],
    request: { query: ConnectQuery },
    responses: { 302: { description: "To Exact's authorize page" }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/callback',
    summary: "Exact's redirect after authorising (no key: the state authenticates it)",
    description: 'Exchanges the code, stores the connection (tokens sealed) and redirects (303) to the page where the operator chooses the divisions to sync. An unknown, used or expired state is a 400 page.',
    security: [],
    request: { query: CallbackQuery },
    responses: {
      303: { description: 'Connected; to /admin/exact/connections/{id}' },
      400: { description: 'HTML page: Exact declined, or the state is unknown, used or expired, or Exact refused the code' },
      409: { description: 'HTML page: the connection to re-authorise belongs to another Exact user' },
      503: { description: 'HTML page: Exact did not answer' },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/connections',
    summary: 'Exact connections (operator): status active or needs_reauth (with the reason), divisions synced',
    security,
    request: { query: ListQuery },
    responses: { 200: { description: 'A page of connections', ...json(ConnectionList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/connections/{id}',
    summary: 'One Exact connection (operator)',
    security,
    request: { params: ConnectionParams },
    responses: { 200: { description: 'The connection', ...json(ConnectionView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/connections/{id}/divisions',
    summary: "The divisions the connection's Exact user may access (Exact's system/Divisions), and which are synced",
    security,
    request: { params: ConnectionParams },
    responses: {
      200: { description: 'Divisions', ...json(AvailableDivisionList) },
      ...errorResponses([400, 401, 403, 404, 409, 429, 503]),
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/exact/connections/{id}/divisions',
    summary: 'Choose the divisions to sync through a connection (operator): new ones get their schedules and a full import; those left out stop syncing',
    security,
    request: { params: ConnectionParams, body: json(SelectDivisionsBody) },
    responses: {
      200: { description: 'Chosen; `imports` lists the import workflows started', ...json(AvailableDivisionList) },
      ...errorResponses([400, 401, 403, 404, 409, 422, 429, 503]),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/divisions',
    summary: "Synced divisions (operator): cursors, Exact's budget remaining, schedule state, what the division's owner workflow is doing",
    security,
    request: { query: ListQuery },
    responses: { 200: { description: 'A page of divisions', ...json(DivisionList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/divisions/{division}',
    summary: 'One synced division (operator)',
    security,
    request: { params: DivisionParams },
    responses: { 200: { description: 'The division', ...json(DivisionView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  for (const [action, summary] of [
    ['sync', 'Run the incremental sync now (operator); queued behind what the division runs'],
    ['reconcile', 'Run the reconciliation now (operator)'],
    ['import', 'Import the division again from the start (operator)'],
  ] as const) {
    registry.registerPath({
      method: 'post',
      path: `/v1/exact/divisions/{division}/${action}`,
      summary,
      security,
      request: { params: DivisionParams },
      responses: { 202: { description: "Handed to the division's owner workflow", ...json(WorkRequested) }, ...errorResponses([400, 401, 403, 404]) },
    });
  }
  for (const action of ['pause', 'resume'] as const) {
    registry.registerPath({
      method: 'post',
      path: `/v1/exact/divisions/{division}/${action}`,
      summary: `${action === 'pause' ? 'Pause' : 'Resume'} the division's schedules (incremental sync and reconciliation; operator)`,
      security,
      request: { params: DivisionParams, body: json(PauseBody) },
      responses: { 200: { description: action === 'pause' ? 'Paused' : 'Resumed', ...json(ScheduleChange) }, ...errorResponses([400, 401, 403, 404]) },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/v1/exact/divisions/{division}/import',
    summary: "The division's import progress (exact-import-<division>): pages, accounts, created, conflicts, cursor",
    security,
    request: { params: DivisionParams },
    responses: { 200: { description: 'Progress', ...json(ImportProgressView) }, ...errorResponses([400, 401, 403, 404]) },
  });
}
