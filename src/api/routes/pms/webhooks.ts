import express, { Router } from 'express';
import type { PrismaClient } from '../../../generated/prisma/client';
import type { PmsPushHint, PmsWebhookDefinition } from '../../../integrations/pms/vendor';
import type { Logger } from '../../../logger';
import type { PmsVendorState } from '../../../modules/pms/config';
import { disabledVendorMessage } from '../../../modules/pms/config';
import type { StarterContext } from '../../../temporal/starters/context';
import { refreshPushed } from '../../../temporal/starters/pms-refresh';
import { bodyLengthGuard, closeIfBodyUnread, MB } from '../../body';
import { UnauthorizedError, ValidationError } from '../../http-errors';
import { PmsUnavailableError } from './problems';

export interface PmsWebhookDeps {
  prisma: PrismaClient;
  starter: StarterContext;
  logger: Logger;
  vendor: PmsVendorState;
}

/**
 * A vendor's change pushes, mounted at `/v1/webhooks/<vendor>`: the vendor's proof checked first
 * (401 without it), the body read as the vendor's format, a refresh workflow started per hinted
 * set of records (a repeated push joins the one running), and 202 at once — vendors want their
 * answer within seconds. Pushes are hints; the arrivals poll stays the reconciliation.
 */
export function pmsWebhookRouter(deps: PmsWebhookDeps): Router {
  const router = Router();
  const { vendor } = deps;
  const key = vendor.definition.key;
  const webhook = vendor.definition.webhook as PmsWebhookDefinition<unknown>;

  router.post('/', bodyLengthGuard(MB), express.raw({ type: () => true, limit: MB }), async (req, res) => {
    if (!vendor.enabled) throw new PmsUnavailableError('vendor_disabled', disabledVendorMessage(key, vendor.missing));
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const proven = webhook.authenticate({ query: req.query as Record<string, unknown>, headers: req.headers, rawBody }, vendor.settings);
    if (!proven) {
      closeIfBodyUnread(req, res);
      throw new UnauthorizedError(`The request does not carry ${vendor.definition.displayName}'s webhook proof`);
    }
    let hints: PmsPushHint[];
    try {
      hints = webhook.parse(JSON.parse(rawBody.toString('utf8')));
    } catch (err) {
      throw new ValidationError('body', [{ code: 'custom', path: [], message: `is not a ${vendor.definition.displayName} webhook body: ${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'}`, input: undefined }] as never);
    }
    const started: string[] = [];
    let unknown = 0;
    for (const hint of hints) {
      if (hint.reservationVendorIds.length === 0 && hint.guestVendorIds.length === 0) continue;
      const property = await deps.prisma.pmsProperty.findFirst({ where: { vendor: key, vendorPropertyId: hint.vendorPropertyId, deletedAt: null }, select: { id: true, vendor: true } });
      if (!property) {
        unknown++;
        continue;
      }
      started.push(await refreshPushed(deps.starter, property, hint));
    }
    if (unknown) deps.logger.info({ vendor: key, unknown }, 'push for hotels that are no property of this Relay ignored');
    res.status(202).json({ refreshing: started, ignored: unknown });
  });

  return router;
}
