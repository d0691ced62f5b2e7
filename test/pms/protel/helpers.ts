/**
 * What the protel tests share: an in-process simulator, a seeded hotel, and adapters with a
 * counting limiter.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ProtelAdapter, type ProtelAdapterOptions } from '../../../src/integrations/pms/protel/adapter';
import type { ProtelCredentials } from '../../../src/integrations/pms/protel/credentials';
import { demoProtelSettings, type ProtelSettings } from '../../../src/integrations/pms/protel/settings';
import { type ProtelSimulator, type ProtelSimulatorOptions, startProtelSimulator } from '../../../src/integrations/pms/protel/simulator';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { createLogger } from '../../../src/logger';

export const TIMEZONE = 'Europe/Amsterdam';
export const logger = createLogger({ level: process.env.PMS_TEST_LOG_LEVEL ?? 'silent', name: 'protel-test' });

export const localDay = (offsetDays: number, timeZone = TIMEZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86_400_000));

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
  const sim = await startProtelSimulator(simOptions);
  const control = new SimulatorControl(sim.url);
  const hotel = await control.addHotel({ name: 'Hotel Test', timezone: TIMEZONE, country: 'NL', rooms: 12, arrivalsPerDay: 4, seed: 7, ...hotelSpec });
  const settings = demoProtelSettings(sim.url);
  const throttled = { count: 0 };
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
          property: {
            propertyId: 'test-property',
            vendorPropertyId: options.hotel ?? hotel.vendorPropertyId,
            timezone: TIMEZONE,
            credentials: { ...(hotel.credentials as ProtelCredentials), ...options.credentials },
          },
          logger,
          withinLimit: async (send) => {
            throttled.count++;
            return send();
          },
        },
        options,
      ),
    requests: async () => (await control.stats()).requests,
  };
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
