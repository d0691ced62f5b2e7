/** The seeded hotel the vendor harnesses add to their simulators, and days in its calendar. */
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';

export const TIMEZONE = 'Europe/Amsterdam';

/** Small (12 rooms, 4 arrivals a day) so a harness starts fast; seeded so its ids are known. */
export const testHotelSpec = <X extends object = object>(overrides: Partial<SimHotelSpec> & X = {} as X): SimHotelSpec & X =>
  ({ name: 'Hotel Test', timezone: TIMEZONE, country: 'NL', rooms: 12, arrivalsPerDay: 4, seed: 7, ...overrides }) as SimHotelSpec & X;

/** The calendar day of `timeZone` `offsetDays` from today. */
export const localDay = (offsetDays: number, timeZone = TIMEZONE): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + offsetDays * 86_400_000));

/** A started simulator with its control and the test hotel (`hotelSpec` overriding the defaults) added. */
export async function simulatorWithHotel<S extends { url: string }>(started: Promise<S>, hotelSpec: Partial<SimHotelSpec> = {}): Promise<{ sim: S; control: SimulatorControl; hotel: SimHotel }> {
  const sim = await started;
  const control = new SimulatorControl(sim.url);
  const hotel = await control.addHotel(testHotelSpec(hotelSpec));
  return { sim, control, hotel };
}

/** The Relay property an adapter under test serves: the test hotel, or `vendorPropertyId` when a test names another. */
export const testProperty = <C>(vendorPropertyId: string, credentials: C) => ({ propertyId: 'test-property', vendorPropertyId, timezone: TIMEZONE, credentials });
