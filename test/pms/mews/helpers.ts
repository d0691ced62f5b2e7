import { DateTime } from 'luxon';
import type { PmsAdapterContext } from '../../../src/integrations/pms/adapter';
import { MewsAdapter, type MewsAdapterOptions } from '../../../src/integrations/pms/mews/adapter';
import type { MewsCredentials } from '../../../src/integrations/pms/mews/credentials';
import { demoMewsSettings, type MewsSettings } from '../../../src/integrations/pms/mews/settings';
import type { SimHotel } from '../../../src/integrations/pms/simulator-control';
import { testLogger } from '../helpers/logger';

export { failureOf } from '../helpers/failures';

export const logger = testLogger('mews-test');

/** A local calendar day of `zone`, `offset` days from today. */
export function localDay(zone: string, offset = 0): string {
  return DateTime.now().setZone(zone).plus({ days: offset }).toISODate()!;
}

/** The UTC instant (Mews format) of a local wall-clock time in `zone`. */
export function localInstant(zone: string, day: string, time: string): string {
  return DateTime.fromISO(`${day}T${time}`, { zone }).toUTC().toISO({ suppressMilliseconds: true })!;
}

export interface TestAdapter {
  adapter: MewsAdapter;
  /** How often the adapter asked the shared limiter. */
  throttled(): number;
}

export function adapterFor(
  simUrl: string,
  hotel: SimHotel,
  options: MewsAdapterOptions & { credentials?: Partial<MewsCredentials>; settings?: Partial<MewsSettings> } = {},
): TestAdapter {
  let throttled = 0;
  const ctx: PmsAdapterContext<MewsSettings, MewsCredentials> = {
    settings: { ...demoMewsSettings(simUrl), ...options.settings },
    property: {
      propertyId: `property-${hotel.vendorPropertyId}`,
      vendorPropertyId: hotel.vendorPropertyId,
      timezone: hotel.timezone,
      credentials: { accessToken: String(hotel.credentials.accessToken), ...options.credentials },
    },
    logger,
    withinLimit: (send) => {
      throttled++;
      return send();
    },
  };
  return { adapter: new MewsAdapter(ctx, { pageSize: options.pageSize }), throttled: () => throttled };
}
