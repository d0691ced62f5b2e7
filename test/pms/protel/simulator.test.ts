/**
 * The protel simulator on its own: seeded data (deterministic, national-format phones, arrivals in
 * the hotel's own days), the per-token limit at its scope, lost answers, the control protocol and
 * the stand-alone entry point.
 */
import { FailureType } from '../../../src/domain/failure-types';
import { type ProtelSimulator, startProtelSimulator, tokenScope } from '../../../src/integrations/pms/protel/simulator';
import { SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { withMainRunning } from '../helpers/main-entry';
import { simulatorHooks, simulatorPool, withControl } from '../helpers/simulator-hooks';
import { failureOf, harness, localDay } from './helpers';

const spec = { name: 'Hotel Sim', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 10, arrivalsPerDay: 40, seed: 42 };

describe('seeded hotels', () => {
  const start = simulatorPool(() => startProtelSimulator());

  it('are the same for the same seed, tokens included, and differ for another', async () => {
    const snapshot = async (seed: number) => {
      const sim = await start();
      const hotel = await new SimulatorControl(sim.url).addHotel({ ...spec, seed });
      const h = sim.store.hotels.get(hotel.vendorPropertyId)!;
      const guests = [...h.reservations.values()].map((r) => {
        const p = h.profiles.get(r.profileId)!;
        return [r.id, r.confirmation, r.arrival, r.departure, r.status, p.givenName, p.surname, p.phone, p.email, p.preferences];
      });
      return { guests, rooms: h.rooms, credentials: hotel.credentials };
    };
    const [a, b, c] = [await snapshot(42), await snapshot(42), await snapshot(43)];
    expect(b).toEqual(a);
    expect(c.guests).not.toEqual(a.guests);
    expect(c.credentials.token).not.toBe(a.credentials.token);
    expect(a.credentials).toEqual({ token: expect.stringMatching(/^pio_[0-9a-f]{40}$/), chargeItemId: '5000' });
  });

  it('have guests’ phones as front desks type them: national formats and some unparseable', async () => {
    const sim = await start();
    const hotel = await new SimulatorControl(sim.url).addHotel(spec);
    const h = sim.store.hotels.get(hotel.vendorPropertyId)!;
    const phones = [...h.profiles.values()].map((p) => p.phone).filter((p): p is string => p !== null);
    expect(phones.some((p) => /^06-\d{8}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\+31 \(0\)6 \d{4} \d{4}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^(ask at check-in|see e-mail|\d{4})$/.test(p))).toBe(true);
  });

  it('arrive today and the next days in the hotel’s own calendar', async () => {
    const sim = await start();
    const zone = 'Pacific/Kiritimati';
    const hotel = await new SimulatorControl(sim.url).addHotel({ ...spec, timezone: zone, arrivalsPerDay: 2 });
    const days = [...sim.store.hotels.get(hotel.vendorPropertyId)!.reservations.values()].map((r) => r.arrival);
    expect([...new Set(days)].sort()).toEqual([localDay(0, zone), localDay(1, zone), localDay(2, zone)]);
  });
});

test('the limit is per hotel token: the 121st request of a minute is answered 429 and counted, another hotel’s token is not touched', async () => {
  const h = await harness({}, { arrivalsPerDay: 1, rooms: 2 });
  try {
    const other = await h.control.addHotel({ ...spec, arrivalsPerDay: 1, rooms: 2 });
    const adapter = h.adapter();
    const answers = await Promise.all(Array.from({ length: 121 }, () => adapter.listRooms().then(() => 'ok', (e: unknown) => e)));
    expect(answers.filter((a) => a === 'ok')).toHaveLength(120);
    const refused = answers.find((a) => a !== 'ok') as { type?: string; nextRetryDelay?: unknown };
    expect(refused.type).toBe(FailureType.VendorRateLimited);
    expect(Number(refused.nextRetryDelay)).toBeGreaterThan(55_000);
    await expect(h.adapter({ hotel: other.vendorPropertyId, credentials: { token: String(other.credentials.token) } }).listRooms()).resolves.toHaveLength(2);
    const stats = await h.control.stats();
    expect(stats.byScope[tokenScope(String(h.hotel.credentials.token))]).toEqual({ requests: 121, overLimit: 1 });
    expect(stats.byScope[tokenScope(String(other.credentials.token))]).toEqual({ requests: 1, overLimit: 0 });
    expect(stats).toMatchObject({ requests: 122, overLimit: 1 });
    expect(JSON.stringify(stats)).not.toContain(String(h.hotel.credentials.token));
  } finally {
    await h.sim.close();
  }
});

describe('faults and controls', () => {
  let sim: ProtelSimulator;
  let control: SimulatorControl;
  simulatorHooks({ each: true, start: async () => ({ sim, control } = await withControl(startProtelSimulator())), simulator: () => sim });

  it('lose a write’s answer after applying it, and only writes’ answers', async () => {
    const h = await harness();
    try {
      const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Bos' } });
      await h.control.setFaults({ loseAnswers: 1 });
      // A read keeps its answer and leaves the lost answer for the next write.
      await expect(h.adapter().listRooms()).resolves.toHaveLength(12);
      const lost = await failureOf(h.adapter().postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '3.00', currency: 'EUR' }, description: 'x', reference: 'lost' }));
      expect(lost.type).toBe(FailureType.VendorOutcomeUnknown);
      expect(await h.control.charges(h.hotel.vendorPropertyId)).toEqual([expect.objectContaining({ reference: 'lost', reservationVendorId: made.reservationVendorId })]);
      // Spent: the next write is answered.
      await expect(h.adapter().postNote({ reservationVendorId: made.reservationVendorId, text: 'x', reference: 'n' })).resolves.toMatchObject({ reference: 'n' });
    } finally {
      await h.sim.close();
    }
  });

  it('make reservations and guest edits as the front desk does, and refuse what is not a hotel’s', async () => {
    const hotel = await control.addHotel({ ...spec, arrivalsPerDay: 0 });
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(2), roomNumber: '101', adults: 2, guest: { firstName: 'Anna', lastName: 'Smit', language: 'nl-NL' } });
    expect(made).toEqual({ reservationVendorId: expect.stringMatching(/^\d+$/), guestVendorId: expect.stringMatching(/^\d+$/), confirmationNumber: expect.stringMatching(/^\d+$/) });
    const h = sim.store.hotels.get(hotel.vendorPropertyId)!;
    expect(h.reservations.get(made.reservationVendorId)).toMatchObject({ roomId: '101', adults: 2, status: 'Reserved' });
    await control.changeReservation(hotel.vendorPropertyId, made.reservationVendorId, { status: 'checked_in' });
    expect(h.reservations.get(made.reservationVendorId)!.status).toBe('In-house');
    await control.changeGuest(hotel.vendorPropertyId, made.guestVendorId, { email: 'anna@example.nl', phone: '' });
    expect(h.profiles.get(made.guestVendorId)).toMatchObject({ email: 'anna@example.nl', phone: null, language: 'nl' });
    await expect(control.addReservation('9999', { arrivalDate: localDay(1), departureDate: localDay(2), guest: { lastName: 'X' } })).rejects.toThrow(/404/);
    await expect(control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(1), guest: { lastName: 'X' } })).rejects.toThrow(/400/);
    await expect(control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(2), roomNumber: '999', guest: { lastName: 'X' } })).rejects.toThrow(/400/);
    await expect(control.addHotel({ ...spec, timezone: 'Mars/Olympus' })).rejects.toThrow(/400/);
  });

  it('reset forgets hotels, tokens, faults and counters', async () => {
    const hotel = await control.addHotel(spec);
    await control.setFaults({ outage: true });
    await control.reset();
    await expect(control.charges(hotel.vendorPropertyId)).rejects.toThrow(/404/);
    expect(await control.stats()).toEqual({ requests: 0, overLimit: 0, byScope: {} });
    expect(sim.store.hotelOfToken(String(hotel.credentials.token))).toBeUndefined();
    const again = await control.addHotel(spec);
    // Deterministic again from the start.
    expect(again).toEqual(hotel);
  });

  it('churn books, changes and cancels arrivals while it runs', async () => {
    const hotel = await control.addHotel({ ...spec, arrivalsPerDay: 2, churn: { everyMs: 10 } });
    const h = sim.store.hotels.get(hotel.vendorPropertyId)!;
    const before = JSON.stringify([...h.reservations.values()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(JSON.stringify([...h.reservations.values()])).not.toBe(before);
  });

  it('refuse faults they do not know', async () => {
    await expect(control.setFaults({ outage: 'yes' } as never)).rejects.toThrow(/400/);
    await expect(control.setFaults({ sometimes: true } as never)).rejects.toThrow(/400/);
    await expect(control.setFaults({ error5xxRate: 2 })).rejects.toThrow(/400/);
  });
});

test('main.ts runs the simulator on the port it is given', async () => {
  await withMainRunning('src/integrations/pms/protel/simulator/main.ts', async (url) => {
    expect((await fetch(`${url}/__sim/stats`)).status).toBe(200);
    expect((await fetch(`${url}/io/sync`, { method: 'POST' })).status).toBe(401);
  });
}, 30_000);
