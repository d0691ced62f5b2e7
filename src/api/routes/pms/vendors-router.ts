import { Router } from 'express';
import { requireRole } from '../../auth';
import type { PmsRouteDeps } from './deps';

/** The PMS vendors this Relay speaks: API version, whether configured here, what each can do. */
export function vendorsRouter(deps: PmsRouteDeps & { publicUrl: string }): Router {
  const router = Router();
  router.get('/v1/pms/vendors', requireRole('service'), (_req, res) => {
    res.json({
      items: deps.settings.vendors.map((v) => ({
        key: v.definition.key,
        displayName: v.definition.displayName,
        apiVersion: v.definition.apiVersion,
        enabled: v.enabled,
        ...(!v.enabled && { missing: v.missing }),
        capabilities: v.definition.capabilities,
        webhook: v.definition.webhook ? `${deps.publicUrl}/v1/webhooks/${v.definition.key}` : null,
      })),
    });
  });
  return router;
}
