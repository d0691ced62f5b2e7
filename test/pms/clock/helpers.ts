import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { PmsAdapterContext } from '../../../src/integrations/pms/adapter';
import { ClockAdapter, type ClockAdapterOptions } from '../../../src/integrations/pms/clock/adapter';
import { ClockDigestSessions } from '../../../src/integrations/pms/clock/auth';
import { type ClockCredentials, clockCredentials } from '../../../src/integrations/pms/clock/credentials';
import { type ClockSettings, demoClockSettings } from '../../../src/integrations/pms/clock/settings';
import type { SimHotel, SimHotelSpec } from '../../../src/integrations/pms/simulator-control';
import { testLogger } from '../helpers/logger';
import type { LocalLimit } from '../fixtures/local-limiter';

export { failureOf } from '../helpers/failures';

export const logger = testLogger('clock-test');

/** What `POST /__sim/hotels` takes at the Clock simulator: the protocol's spec and its extensions. */
export type ClockHotelSpec = SimHotelSpec & { apiUser?: string; apiKey?: string; rights?: string[] };

/** A local calendar day of `zone`, `offset` days from today. */
export function localDay(zone: string, offset = 0): string {
  return DateTime.now().setZone(zone).plus({ days: offset }).toISODate()!;
}

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export interface TestAdapter {
  adapter: ClockAdapter;
  /** How often the adapter asked the shared limiter. */
  throttled(): number;
  sessions: ClockDigestSessions;
}

export interface AdapterOptions extends ClockAdapterOptions {
  credentials?: Partial<ClockCredentials>;
  settings?: Partial<ClockSettings>;
  /** Paces requests like the core's limiter (test/pms/fixtures/local-limiter.ts); none (every request at once) when absent. */
  limiter?: LocalLimit;
}

export function adapterFor(simUrl: string, hotel: SimHotel, options: AdapterOptions = {}): TestAdapter {
  let throttled = 0;
  const sessions = options.sessions ?? new ClockDigestSessions();
  const credentials = { ...clockCredentials.parse(hotel.credentials), ...options.credentials };
  const ctx: PmsAdapterContext<ClockSettings, ClockCredentials> = {
    settings: { ...demoClockSettings(simUrl), ...options.settings },
    property: { propertyId: `property-${hotel.vendorPropertyId}`, vendorPropertyId: hotel.vendorPropertyId, timezone: hotel.timezone, credentials },
    logger,
    withinLimit: (send) => {
      throttled++;
      return options.limiter ? options.limiter(send) : send();
    },
  };
  return { adapter: new ClockAdapter(ctx, { pageSize: options.pageSize, sessions }), throttled: () => throttled, sessions };
}
