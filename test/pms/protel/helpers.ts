/**
 * What the protel tests share: an in-process simulator, a seeded hotel, and adapters with a
 * counting limiter.
 */
import { ProtelAdapter, type ProtelAdapterOptions } from '../../../src/integrations/pms/protel/adapter';
import type { ProtelCredentials } from '../../../src/integrations/pms/protel/credentials';
import { demoProtelSettings, type ProtelSettings } from '../../../src/integrations/pms/protel/settings';
import { type ProtelSimulator, type ProtelSimulatorOptions, startProtelSimulator } from '../../../src/integrations/pms/protel/simulator';
import type { SimHotel, SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { countingLimit } from '../helpers/counting-limit';
import { testLogger } from '../helpers/logger';
import { simulatorWithHotel, testProperty } from '../helpers/test-hotel';

export { failureOf } from '../helpers/failures';
export { localDay, TIMEZONE } from '../helpers/test-hotel';
export const logger = testLogger('protel-test');

export interface Harness {
  sim: ProtelSimulator;
  control: SimulatorControl;
  hotel: SimHotel;
  settings: ProtelSettings;
  /** How often the adapters of this harness asked the limiter. */
  throttled: { count: number };
  adapter(options?: ProtelAdapterOptions & { hotel?: string; credentials?: Partial<ProtelCredentials> }): ProtelAdapter;
  /** Vendor-format requests the simulator has received so far. */
  requests(): Promise<number>;
}

export async function harness(simOptions: ProtelSimulatorOptions = {}, hotelSpec: Partial<SimHotelSpec> = {}): Promise<Harness> {
  const { sim, control, hotel } = await simulatorWithHotel(startProtelSimulator(simOptions), hotelSpec);
  const settings = demoProtelSettings(sim.url);
  const { throttled, withinLimit } = countingLimit();
  return {
    sim,
    control,
    hotel,
    settings,
    throttled,
    adapter: (options = {}) =>
      new ProtelAdapter(
        {
          settings,
          property: testProperty(options.hotel ?? hotel.vendorPropertyId, { ...(hotel.credentials as ProtelCredentials), ...options.credentials }),
          logger,
          withinLimit,
        },
        options,
      ),
    requests: async () => (await control.stats()).requests,
  };
}
