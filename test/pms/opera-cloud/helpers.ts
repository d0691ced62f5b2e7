/**
 * What the OPERA tests share: an in-process simulator, a seeded hotel, and an adapter with its own
 * token cache (so that one test's tokens never serve another) and a counting limiter.
 */
import { OperaCloudAdapter, type OperaAdapterOptions } from '../../../src/integrations/pms/opera-cloud/adapter';
import { OperaTokenCache } from '../../../src/integrations/pms/opera-cloud/auth';
import type { OperaCredentials } from '../../../src/integrations/pms/opera-cloud/credentials';
import { demoOperaSettings, type OperaSettings } from '../../../src/integrations/pms/opera-cloud/settings';
import { type OperaSimulator, type OperaSimulatorOptions, startOperaSimulator } from '../../../src/integrations/pms/opera-cloud/simulator/server';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { createLogger } from '../../../src/logger';

export const TIMEZONE = 'Europe/Amsterdam';
export const logger = createLogger({ level: process.env.PMS_TEST_LOG_LEVEL ?? 'silent', name: 'opera-test' });

export const localDay = (offsetDays: number, timeZone = TIMEZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86_400_000));

export interface Harness {
  sim: OperaSimulator;
  control: SimulatorControl;
  hotel: SimHotel;
  settings: OperaSettings;
  tokens: OperaTokenCache;
  /** How often the adapters of this harness asked the limiter. */
  throttled: { count: number };
  adapter(options?: OperaAdapterOptions & { hotel?: string; credentials?: OperaCredentials; settings?: OperaSettings }): OperaCloudAdapter;
}

export async function harness(simOptions: OperaSimulatorOptions = {}, hotelSpec: Partial<SimHotelSpec> = {}): Promise<Harness> {
  const sim = await startOperaSimulator(simOptions);
  const control = new SimulatorControl(sim.url);
  const hotel = await control.addHotel({ name: 'Hotel Test', timezone: TIMEZONE, country: 'NL', rooms: 12, arrivalsPerDay: 4, seed: 7, ...hotelSpec });
  const settings = demoOperaSettings(sim.url);
  const tokens = new OperaTokenCache();
  const throttled = { count: 0 };
  return {
    sim,
    control,
    hotel,
    settings,
    tokens,
    throttled,
    adapter: (options = {}) =>
      new OperaCloudAdapter(
        {
          settings: options.settings ?? settings,
          property: {
            propertyId: 'test-property',
            vendorPropertyId: options.hotel ?? hotel.vendorPropertyId,
            timezone: TIMEZONE,
            credentials: options.credentials ?? (hotel.credentials as OperaCredentials),
          },
          logger,
          withinLimit: async (send) => {
            throttled.count++;
            return send();
          },
        },
        { tokens, ...options },
      ),
  };
}
