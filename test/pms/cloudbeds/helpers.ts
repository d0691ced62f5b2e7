/**
 * What the Cloudbeds tests share: an in-process simulator, a seeded property, and an adapter with
 * its own token cache (so that one test's tokens never serve another) and a counting limiter.
 */
import { CloudbedsAdapter, type CloudbedsAdapterOptions } from '../../../src/integrations/pms/cloudbeds/adapter';
import { CloudbedsTokenCache } from '../../../src/integrations/pms/cloudbeds/auth';
import { type CloudbedsCredentials, cloudbedsCredentials } from '../../../src/integrations/pms/cloudbeds/credentials';
import { type CloudbedsSettings, demoCloudbedsSettings } from '../../../src/integrations/pms/cloudbeds/settings';
import { type CloudbedsExchange, type CloudbedsSimulator, type CloudbedsSimulatorOptions, startCloudbedsSimulator } from '../../../src/integrations/pms/cloudbeds/simulator/server';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { createLogger } from '../../../src/logger';
import { cloudbedsRateScope } from '../../../src/integrations/pms/cloudbeds/limits';
import { type LocalLimit, localLimiter } from '../fixtures/local-limiter';

export const TIMEZONE = 'Europe/Amsterdam';
export const logger = createLogger({ level: process.env.PMS_TEST_LOG_LEVEL ?? 'silent', name: 'cloudbeds-test' });

export const localDay = (offsetDays: number, timeZone = TIMEZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86_400_000));

export interface Harness {
  sim: CloudbedsSimulator;
  control: SimulatorControl;
  hotel: SimHotel;
  settings: CloudbedsSettings;
  tokens: CloudbedsTokenCache;
  /** Every API exchange the simulator saw. */
  exchanges: CloudbedsExchange[];
  /** How often the adapters of this harness asked the limiter. */
  throttled: { count: number };
  adapter(options?: CloudbedsAdapterOptions & { hotel?: string; credentials?: CloudbedsCredentials; settings?: CloudbedsSettings }): CloudbedsAdapter;
}

export async function harness(
  simOptions: CloudbedsSimulatorOptions = {},
  hotelSpec: Partial<SimHotelSpec> & { auth?: 'apiKey' | 'oauth'; currency?: string } = {},
): Promise<Harness> {
  const exchanges: CloudbedsExchange[] = [];
  const sim = await startCloudbedsSimulator({ ...simOptions, record: (e) => exchanges.push(e) });
  const control = new SimulatorControl(sim.url);
  const hotel = await control.addHotel({ name: 'Hotel Test', timezone: TIMEZONE, country: 'NL', rooms: 12, arrivalsPerDay: 4, seed: 7, ...hotelSpec } as SimHotelSpec);
  const settings = demoCloudbedsSettings(sim.url);
  const tokens = new CloudbedsTokenCache();
  const throttled = { count: 0 };
  // One limiter per scope, as Relay's shared limiter: adapters of one key or client share it.
  const limiters = new Map<string, LocalLimit>();
  const limiterFor = (s: CloudbedsSettings, credentials: CloudbedsCredentials) => {
    const scope = cloudbedsRateScope(s, credentials);
    let limit = limiters.get(scope.key);
    if (!limit) limiters.set(scope.key, (limit = localLimiter(scope)));
    return limit;
  };
  return {
    sim,
    control,
    hotel,
    settings,
    tokens,
    exchanges,
    throttled,
    adapter: (options = {}) => {
      const credentials = options.credentials ?? cloudbedsCredentials.parse(hotel.credentials);
      const limit = limiterFor(options.settings ?? settings, credentials);
      return new CloudbedsAdapter(
        {
          settings: options.settings ?? settings,
          property: { propertyId: 'test-property', vendorPropertyId: options.hotel ?? hotel.vendorPropertyId, timezone: TIMEZONE, credentials },
          logger,
          withinLimit: (send) => {
            throttled.count++;
            return limit(send);
          },
        },
        { tokens, ...options },
      );
    },
  };
}

/** A raw request to the simulator, as a test writes it by hand. */
export async function raw(sim: CloudbedsSimulator, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, sim.url), init);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
