import type { Router } from 'express';
import { type AdminDeps, adminRouter } from '../../admin/router';
import { companiesRouter } from './companies/router';
import { conflictsRouter } from './conflicts/router';
import type { CompanySyncRouteDeps } from './deps';
import { type ExactAccess, type ExactAccessDeps, createExactAccess } from './exact/access';
import { type ExactOAuthRouteDeps, exactOAuthRouter } from './exact/oauth-router';
import { type ExactRouteDeps, exactRouter } from './exact/router';

/**
 * The company sync's HTTP surface. Two kinds of routers:
 * - `companySyncApiRouters`: /v1/companies, /v1/sync, /v1/exact (connections, divisions) —
 *   behind Relay's API-key authentication, like every module router (the audit log they write
 *   to is Relay's own route, src/api/routes/audit);
 * - `companySyncBrowserRouters`: the admin pages (/admin) and connecting Exact
 *   (/v1/exact/connect, /v1/exact/callback) — reached by an operator's browser, they check the
 *   operator session (or the OAuth state) themselves and must be mounted before the API-key
 *   authentication.
 */

export { registerCompanySyncOpenApi } from './openapi';
export { companiesRouter, conflictsRouter, exactRouter, exactOAuthRouter, adminRouter, createExactAccess };
export type { AdminDeps, CompanySyncRouteDeps, ExactAccess, ExactAccessDeps, ExactOAuthRouteDeps, ExactRouteDeps };
export { decideConflict } from './conflicts/router';

/** Path prefixes these routers own (answered 503 while the module is disabled). */
export const COMPANY_SYNC_API_PATHS = ['/v1/companies', '/v1/sync', '/v1/exact', '/admin'] as const;

export function companySyncApiRouters(deps: ExactRouteDeps): Router[] {
  return [companiesRouter(deps), conflictsRouter(deps), exactRouter(deps)];
}

export type CompanySyncBrowserDeps = ExactRouteDeps & Omit<ExactOAuthRouteDeps, 'prisma' | 'exact'> & Omit<AdminDeps, keyof ExactRouteDeps>;

export function companySyncBrowserRouters(deps: CompanySyncBrowserDeps): Router[] {
  return [exactOAuthRouter(deps), adminRouter(deps)];
}
