import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { openCredentials } from '../../db/pms/properties';
import type { PmsCallScope, PmsRateLimiter } from '../../db/pms/rate-limit';
import type { SecretSealer } from '../../db/sealed-secrets';
import { PMS_PROPERTY_UNUSABLE } from '../../domain/pms/failures';
import type { PmsProperty, PrismaClient } from '../../generated/prisma/client';
import type { PmsAdapter } from '../../integrations/pms/adapter';
import type { Logger } from '../../logger';
import { type PmsSettings, vendorState } from '../../modules/pms/config';

/**
 * The worker's way to a property's PMS: the vendor's adapter built from the registry with the
 * property's unsealed credentials, its requests paced by the vendor's limit at the vendor's
 * scope (shared by all workers through PostgreSQL), kept per property while the property row
 * is unchanged (a new credential builds a new adapter).
 */

export interface PropertyAdapter {
  adapter: PmsAdapter;
  property: PmsProperty;
  /** The limit the adapter's requests are paced by (the key hashed: it may hold a token). */
  scope: PmsCallScope;
}

export interface PmsRuntime {
  /** The live property and its adapter; a deleted property or a disabled vendor fails for good. */
  adapterFor(propertyId: string): Promise<PropertyAdapter>;
}

const unusable = (message: string) => ApplicationFailure.create({ type: PMS_PROPERTY_UNUSABLE, message, nonRetryable: true });

/** The running activity, if any: waits heartbeat it and end with its cancellation. */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function createPmsRuntime(deps: { prisma: PrismaClient; logger: Logger; settings: PmsSettings; sealer: SecretSealer; limiter: PmsRateLimiter }): PmsRuntime {
  const built = new Map<string, { version: number; value: PropertyAdapter }>();

  function build(property: PmsProperty): PropertyAdapter {
    const state = vendorState(deps.settings, property.vendor);
    if (!state) throw unusable(`property ${property.id} belongs to ${property.vendor}, which this Relay does not know`);
    if (!state.enabled) throw unusable(`property ${property.id}: ${property.vendor} is not configured here (set ${state.missing.join(', ')})`);
    const vendor = state.definition;
    let credentials: unknown;
    try {
      credentials = vendor.credentials.parse(openCredentials(deps.sealer, property));
    } catch (err) {
      throw unusable(`property ${property.id}: its ${vendor.key} credentials cannot be used (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`);
    }
    const given = vendor.rateScope(state.settings, { vendorPropertyId: property.vendorPropertyId, credentials });
    const scope: PmsCallScope = { ...given, vendor: vendor.key, key: `${vendor.key}:${createHash('sha256').update(given.key).digest('hex').slice(0, 24)}` };
    const logger = deps.logger.child({ vendor: vendor.key, propertyId: property.id });
    const adapter = vendor.createAdapter({
      settings: state.settings,
      property: { propertyId: property.id, vendorPropertyId: property.vendorPropertyId, timezone: property.timezone, credentials },
      logger,
      withinLimit: async (send) => {
        const activity = currentActivity();
        activity?.heartbeat();
        return deps.limiter.within(scope, send, { signal: activity?.cancellationSignal, onWait: () => activity?.heartbeat() });
      },
    });
    return { adapter, property, scope };
  }

  return {
    async adapterFor(propertyId) {
      const property = await deps.prisma.pmsProperty.findUnique({ where: { id: propertyId } });
      if (!property || property.deletedAt) throw unusable(`property ${propertyId} does not exist (deleted?)`);
      const version = property.updatedAt.getTime();
      const cached = built.get(propertyId);
      if (cached && cached.version === version) return { ...cached.value, property };
      const value = build(property);
      built.set(propertyId, { version, value });
      return value;
    },
  };
}
