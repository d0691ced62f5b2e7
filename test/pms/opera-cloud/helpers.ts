/**
 * What the OPERA tests share: an in-process simulator, a seeded hotel, and an adapter with its own
 * token cache (so that one test's tokens never serve another) and a counting limiter.
 */
import { OperaCloudAdapter, type OperaAdapterOptions } from '../../../src/integrations/pms/opera-cloud/adapter';
import { OperaTokenCache } from '../../../src/integrations/pms/opera-cloud/auth';
import type { OperaCredentials } from '../../../src/integrations/pms/opera-cloud/credentials';
import { demoOperaSettings, type OperaSettings } from '../../../src/integrations/pms/opera-cloud/settings';
import { type OperaSimulator, type OperaSimulatorOptions, startOperaSimulator } from '../../../src/integrations/pms/opera-cloud/simulator/server';
import type { SimHotel, SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { countingLimit } from '../helpers/counting-limit';
import { testLogger } from '../helpers/logger';
import { simulatorWithHotel, testProperty } from '../helpers/test-hotel';

export { localDay, TIMEZONE } from '../helpers/test-hotel';
export const logger = testLogger('opera-test');

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
  const { sim, control, hotel } = await simulatorWithHotel(startOperaSimulator(simOptions), hotelSpec);
  const settings = demoOperaSettings(sim.url);
  const tokens = new OperaTokenCache();
  const { throttled, withinLimit } = countingLimit();
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
          property: testProperty(options.hotel ?? hotel.vendorPropertyId, options.credentials ?? (hotel.credentials as OperaCredentials)),
          logger,
          withinLimit,
        },
        { tokens, ...options },
      ),
  };
}
