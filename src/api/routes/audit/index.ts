import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { errorResponses } from '../../openapi';
import { AuditList, ListAuditQuery } from './schemas';

export { auditRouter } from './router';

export function registerAuditOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/audit',
    summary: 'The audit log, newest first (operator): every write to a company or a hotel (before/after values), every resolution, with who did it',
    security: [{ bearer: [] }],
    request: { query: ListAuditQuery },
    responses: { 200: { description: 'A page of audit rows', content: { 'application/json': { schema: AuditList } } }, ...errorResponses([400, 401, 403]) },
  });
}
