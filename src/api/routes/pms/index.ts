import type { Router } from 'express';
import type { PmsRouteDeps } from './deps';
import { propertiesRouter } from './properties-router';
import { readsRouter } from './reads-router';
import { vendorsRouter } from './vendors-router';
import { writesRouter } from './writes-router';

/**
 * The PMS module's HTTP surface: /v1/properties (properties, their schedules, the read-through
 * cache and the write-through writes) and /v1/pms/vendors, behind API-key authentication; each
 * vendor's push callback (/v1/webhooks/<vendor>) authenticates itself (webhooks.ts).
 */

export { registerPmsOpenApi } from './openapi';
export { pmsWebhookRouter } from './webhooks';
export type { PmsRouteDeps };

/** Path prefixes these routers own (answered 503 while the module is disabled). */
export const PMS_API_PATHS = ['/v1/properties', '/v1/pms'] as const;

export function pmsApiRouters(deps: PmsRouteDeps & { publicUrl: string }): Router[] {
  return [propertiesRouter(deps), readsRouter(deps), writesRouter(deps), vendorsRouter(deps)];
}
