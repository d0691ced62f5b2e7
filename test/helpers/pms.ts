import { randomInt } from 'node:crypto';
import request from 'supertest';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../src/integrations/pms/simulator-control';
import type { AnyPmsVendor } from '../../src/integrations/pms/vendor';
import { RELAY_MODULES } from '../../src/modules';
import { createPmsModule } from '../../src/modules/pms';
import { type RelayHarness, bearer, startRelay } from './relay';

/**
 * PMS tests run against every registered vendor's own simulator (started in this process on a
 * free port), with Relay's PMS module in demo mode pointed at them through each vendor's
 * simulator-port variable: nothing here names a vendor.
 */

export interface RunningSimulator {
  vendor: AnyPmsVendor;
  url: string;
  control: SimulatorControl;
  close(): Promise<void>;
}

export interface PmsHarness {
  relay: () => RelayHarness;
  sims: () => RunningSimulator[];
  sim: (vendorKey: string) => RunningSimulator;
}

/** Starts the simulators, then a Relay (worker and API) pointed at them; stops both after the file. */
export function usePmsRelay(options: Parameters<typeof startRelay>[0] & { vendors?: readonly AnyPmsVendor[] } = {}): PmsHarness {
  let relay: RelayHarness | undefined;
  const sims: RunningSimulator[] = [];
  beforeAll(async () => {
    for (const vendor of options.vendors ?? PMS_VENDORS) {
      const port = await freePort();
      const started = await vendor.simulator.start({ port });
      sims.push({ vendor, url: started.url, control: new SimulatorControl(started.url), close: started.close });
    }
    const env = Object.fromEntries(sims.map((s) => [s.vendor.simulator.portVariable, new URL(s.url).port]));
    const modules = options.vendors ? RELAY_MODULES.map((m) => (m.name === 'pms' ? createPmsModule(options.vendors) : m)) : undefined;
    relay = await startRelay({ modules, ...options, env: { PMS_POLL_JITTER: '0s', ...env, ...options.env } });
  }, 120_000);
  afterAll(async () => {
    await relay?.stop();
    for (const s of sims) await s.close();
  });
  return {
    relay: () => {
      if (!relay) throw new Error('Relay is not started yet');
      return relay;
    },
    sims: () => sims,
    sim: (key) => {
      const found = sims.find((s) => s.vendor.key === key);
      if (!found) throw new Error(`no simulator for ${key}`);
      return found;
    },
  };
}

export const TIMEZONE = 'Europe/Amsterdam';

/** A hotel's local day (default Amsterdam), `offsetDays` from today. */
export const localDay = (offsetDays: number, timeZone = TIMEZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86_400_000));

export interface TestProperty {
  id: string;
  hotel: SimHotel;
  sim: RunningSimulator;
  body: Record<string, unknown>;
}

/** Seeds a hotel in the vendor's simulator (a fresh seed: ids never collide with another file's) and creates its property. */
export async function addProperty(relay: RelayHarness, sim: RunningSimulator, spec: Partial<SimHotelSpec> & { property?: Record<string, unknown> } = {}): Promise<TestProperty> {
  const { property: extra, ...hotelSpec } = spec;
  const hotel = await sim.control.addHotel({ name: 'Hotel Test', timezone: TIMEZONE, country: 'NL', rooms: 6, arrivalsPerDay: 0, seed: randomInt(1, 2 ** 31), ...hotelSpec });
  const body = {
    vendor: sim.vendor.key,
    name: hotelSpec.name ?? 'Hotel Test',
    vendorPropertyId: hotel.vendorPropertyId,
    credentials: hotel.credentials,
    timezone: hotel.timezone,
    country: hotelSpec.country ?? 'NL',
    ...extra,
  };
  const res = await request(relay.app).post('/v1/properties').set('authorization', bearer('operator')).send(body);
  if (res.status !== 201) throw new Error(`creating the property answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id as string, hotel, sim, body };
}

/** A reservation arriving `offsetDays` from today at the hotel. */
export async function addArrival(p: TestProperty, offsetDays: number, guest: Parameters<SimulatorControl['addReservation']>[1]['guest'], nights = 2) {
  return p.sim.control.addReservation(p.hotel.vendorPropertyId, { arrivalDate: localDay(offsetDays), departureDate: localDay(offsetDays + nights), guest });
}
