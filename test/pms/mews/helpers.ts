import { ApplicationFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { PmsAdapterContext } from '../../../src/integrations/pms/adapter';
import { MewsAdapter, type MewsAdapterOptions } from '../../../src/integrations/pms/mews/adapter';
import type { MewsCredentials } from '../../../src/integrations/pms/mews/credentials';
import { demoMewsSettings, type MewsSettings } from '../../../src/integrations/pms/mews/settings';
import type { SimHotel } from '../../../src/integrations/pms/simulator-control';
import { createLogger } from '../../../src/logger';

export const logger = createLogger({ level: process.env.PMS_TEST_LOG_LEVEL ?? 'silent', name: 'mews-test' });

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

/** The failure a call raised, as activities hand it to Temporal. */
export async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}
