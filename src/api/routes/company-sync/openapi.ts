import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorBody, errorResponses } from '../../openapi';
import { IdParams, IfMatchHeader } from './common';
import { CompanyList, CompanyView, CompanyWritten, CreateCompanyBody, ListCompaniesQuery, UpdateCompanyBody } from './companies/schemas';
import { ConflictDetailView, ConflictList, ConflictOutcomeView, ListConflictsQuery, ResolveConflictBody } from './conflicts/schemas';
import { registerExactOpenApi } from './exact/openapi';

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ErrorBody) });
const etag = { ETag: { description: 'The company version, for If-Match', schema: { type: 'string' as const, example: '"3"' } } };

/** OpenAPI for every /v1 route of the company sync (companies, conflicts, Exact connections and divisions). */
export function registerCompanySyncOpenApi(registry: OpenAPIRegistry): void {
  const security = [{ bearer: [] }];
  registerCompanies(registry, security);
  registerConflicts(registry, security);
  registerExactOpenApi(registry, security);
}

function registerCompanies(registry: OpenAPIRegistry, security: Array<Record<string, string[]>>): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/companies',
    summary: 'List companies, newest first, with their Exact links (Exact ID, Code, status, and why each link was made)',
    security,
    request: { query: ListCompaniesQuery },
    responses: { 200: { description: 'A page of companies', ...json(CompanyList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/companies/{id}',
    summary: 'One company; its ETag is its version (send it as If-Match to change it)',
    security,
    request: { params: IdParams },
    responses: { 200: { description: 'The company', headers: etag, ...json(CompanyView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/companies',
    summary: 'Create a company; it is synced to Exact Online in the background (found there by KVK, or created)',
    security,
    request: { body: json(CreateCompanyBody) },
    responses: {
      201: { description: 'Created', headers: etag, ...json(CompanyWritten) },
      ...errorResponses([400, 401, 403]),
      409: error('Another company has this KVK, VIHB or processor number; `field` names it'),
    },
  });
  registry.registerPath({
    method: 'put',
    path: '/v1/companies/{id}',
    summary: 'Change a company made against the version you read (If-Match); synced to Exact in the background',
    description:
      'If-Match is required (428 without it). When the company changed since you read it — an edit from Exact or another caller — the answer is 412 with `currentVersion`: read it again, reapply your change and retry. Nothing is overwritten silently.',
    security,
    request: { params: IdParams, headers: IfMatchHeader, body: json(UpdateCompanyBody) },
    responses: {
      200: { description: 'Changed', headers: etag, ...json(CompanyWritten) },
      ...errorResponses([400, 401, 403, 404]),
      409: error('Another company has this KVK, VIHB or processor number (`field` names it), or the company is deleted'),
      412: error('The company is at another version now; `currentVersion` names it'),
      428: error('If-Match is missing'),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/companies/{id}',
    summary: 'Soft-delete a company; its Exact account is blocked, never deleted',
    description: 'If-Match is optional; when given and stale the answer is 412. Deleting a deleted company answers it unchanged.',
    security,
    request: { params: IdParams, headers: IfMatchHeader },
    responses: {
      200: { description: 'Deleted (deletedAt set)', headers: etag, ...json(CompanyWritten) },
      ...errorResponses([400, 401, 403, 404]),
      412: error('The company is at another version now; `currentVersion` names it'),
    },
  });
}

function registerConflicts(registry: OpenAPIRegistry, security: Array<Record<string, string[]>>): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/sync/conflicts',
    summary: 'List sync conflicts, newest first (filter by status, kind, division, company, Exact account)',
    security,
    request: { query: ListConflictsQuery },
    responses: { 200: { description: 'A page of conflicts', ...json(ConflictList) }, ...errorResponses([400, 401, 403]) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sync/conflicts/{id}',
    summary: 'One conflict: our company and the Exact account field by field (which differ), the candidates, and why the link was made',
    security,
    request: { params: IdParams },
    responses: { 200: { description: 'The conflict', ...json(ConflictDetailView) }, ...errorResponses([400, 401, 403, 404]) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/sync/conflicts/{id}/resolve',
    summary: 'Decide a conflict (operator): link to a company, create one, ignore, merge chosen fields, or link to one Exact account',
    description:
      "The decision goes to the conflict's workflow, whose validator refuses what cannot apply; the answer is the outcome, or the refusal in its words. Audited with the operator's identity (the API key's name).",
    security,
    request: { params: IdParams, body: json(ResolveConflictBody) },
    responses: {
      200: { description: 'Applied', ...json(ConflictOutcomeView) },
      ...errorResponses([400, 401, 403, 404]),
      409: error('Already resolved (`resolvedBy`, `resolvedAt`), or no workflow waits for a decision'),
      422: error("The conflict's validator refused the decision; `message` says why"),
    },
  });
}

