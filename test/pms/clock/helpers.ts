import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { PmsAdapterContext } from '../../../src/integrations/pms/adapter';
import { ClockAdapter, type ClockAdapterOptions } from '../../../src/integrations/pms/clock/adapter';
import { ClockDigestSessions } from '../../../src/integrations/pms/clock/auth';
import { type ClockCredentials, clockCredentials } from '../../../src/integrations/pms/clock/credentials';
import { type ClockSettings, demoClockSettings } from '../../../src/integrations/pms/clock/settings';
import type { SimHotel, SimHotelSpec } from '../../../src/integrations/pms/simulator-control';
import { testLogger } from '../helpers/logger';

export { failureOf } from '../helpers/failures';

export const logger = testLogger('clock-test');

/** What `POST /__sim/hotels` takes at the Clock simulator: the protocol's spec and its extensions. */
export type ClockHotelSpec = SimHotelSpec & { apiUser?: string; apiKey?: string; rights?: string[] };

/** A local calendar day of `zone`, `offset` days from today. */
export function localDay(zone: string, offset = 0): string {
  return DateTime.now().setZone(zone).plus({ days: offset }).toISODate()!;
}

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * A pacing limiter in memory, like Relay's shared one (src/db/pms/rate-limit.ts) but counting
 * calls from when they are let go: `limit` calls per `windowMs` per scope.
 */
export class PacingLimiter {
  private readonly taken = new Map<string, number[]>();
  constructor(
    private readonly limit = 5,
    private readonly windowMs = 1050,
  ) {}

  async throttle(scope: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      const recent = (this.taken.get(scope) ?? []).filter((at) => at > now - this.windowMs);
      if (recent.length < this.limit) {
        recent.push(now);
        this.taken.set(scope, recent);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, recent[0]! + this.windowMs - now + 1));
    }
  }
}

export interface TestAdapter {
  adapter: ClockAdapter;
  /** How often the adapter asked the shared limiter. */
  throttled(): number;
  sessions: ClockDigestSessions;
}

export interface AdapterOptions extends ClockAdapterOptions {
  credentials?: Partial<ClockCredentials>;
  settings?: Partial<ClockSettings>;
  /** Paces requests like the core's limiter; none (every request at once) when absent. */
  limiter?: PacingLimiter;
}

export function adapterFor(simUrl: string, hotel: SimHotel, options: AdapterOptions = {}): TestAdapter {
  let throttled = 0;
  const sessions = options.sessions ?? new ClockDigestSessions();
  const credentials = { ...clockCredentials.parse(hotel.credentials), ...options.credentials };
  const ctx: PmsAdapterContext<ClockSettings, ClockCredentials> = {
    settings: { ...demoClockSettings(simUrl), ...options.settings },
    property: { propertyId: `property-${hotel.vendorPropertyId}`, vendorPropertyId: hotel.vendorPropertyId, timezone: hotel.timezone, credentials },
    logger,
    withinLimit: async (send) => {
      throttled++;
      await options.limiter?.throttle(credentials.apiUser);
      return send();
    },
  };
  return { adapter: new ClockAdapter(ctx, { pageSize: options.pageSize, sessions }), throttled: () => throttled, sessions };
}
