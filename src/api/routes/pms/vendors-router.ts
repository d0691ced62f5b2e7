import { Router } from 'express';
import { liftVendorPause, runningVendorPauses } from '../../../db/pms/call-pauses';
import { NotFoundError } from '../../../errors';
import { requireRole } from '../../auth';
import type { PmsRouteDeps } from './deps';

/** The PMS vendors this Relay speaks: API version, whether configured here, what each can do, whether its calls are paused. */
export function vendorsRouter(deps: PmsRouteDeps & { publicUrl: string }): Router {
  const router = Router();
  router.get('/v1/pms/vendors', requireRole('service'), async (_req, res) => {
    const pauses = await runningVendorPauses(deps.prisma);
    res.json({
      items: deps.settings.vendors.map((v) => {
        const pause = pauses.get(v.definition.key);
        return {
          key: v.definition.key,
          displayName: v.definition.displayName,
          apiVersion: v.definition.apiVersion,
          enabled: v.enabled,
          ...(!v.enabled && { missing: v.missing }),
          capabilities: v.definition.capabilities,
          webhook: v.definition.webhook ? `${deps.publicUrl}/v1/webhooks/${v.definition.key}` : null,
          callsPaused: pause ? { until: pause.until.toISOString(), reason: pause.reason } : null,
        };
      }),
    });
  });

  // The vendor lifted its ban before the pause ran out (e.g. its support unblocked Relay's address).
  router.delete('/v1/pms/vendors/:vendor/pause', requireRole('operator'), async (req, res) => {
    const vendor = String(req.params.vendor);
    if (!deps.settings.vendors.some((v) => v.definition.key === vendor)) throw new NotFoundError(`No PMS vendor ${vendor}`);
    const lifted = await liftVendorPause(deps.prisma, vendor);
    deps.logger.info({ vendor, lifted }, 'operator lifted the pause of a PMS vendor');
    res.status(204).end();
  });
  return router;
}
