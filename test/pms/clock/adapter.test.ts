import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FailureType } from '../../../src/domain/failure-types';
import { ClockDigestSessions } from '../../../src/integrations/pms/clock/auth';
import { CLOCK_BAN_MS } from '../../../src/integrations/pms/clock/errors';
import { referenceMarker } from '../../../src/integrations/pms/clock/references';
import { type ClockExchange, type ClockSimulator, createClockSimulator, userScope } from '../../../src/integrations/pms/clock/simulator';
import { PmsFailureType, pauseRequestOf } from '../../../src/integrations/pms/errors';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { localLimiter } from '../fixtures/local-limiter';
import { adapterFor, failureOf, localDay } from './helpers';
import { postLostChargeThenAnother } from '../helpers/lost-answers';
import { simulatorHooks, withControl } from '../helpers/simulator-hooks';

// The adapter against the simulator over real HTTP. Most tests run on a simulator whose limit is
// lifted (speed); the limit's own tests run on one with Clock's 5 calls a second per API user. The
// simulator's in-process store is read (and for boundary cases edited) where the control protocol
// has no words for it.

const AMSTERDAM = 'Europe/Amsterdam';
const AUCKLAND = 'Pacific/Auckland';

let sim: ClockSimulator;
let control: SimulatorControl;
const exchanges: ClockExchange[] = [];

simulatorHooks({ start: async () => ({ sim, control } = await withControl(createClockSimulator({ limit: { perUser: 10_000, windowMs: 1000 }, record: (e) => exchanges.push(e) }))), simulator: () => sim, faultsOf: () => control });

function addHotel(spec: Partial<SimHotelSpec> & Record<string, unknown> = {}): Promise<SimHotel> {
  return control.addHotel({ name: 'Hotel Clock', timezone: AMSTERDAM, country: 'NL', rooms: 6, arrivalsPerDay: 0, seed: 1, ...spec });
}

const account = (hotel: SimHotel) => sim.store.accounts.get(Number(hotel.vendorPropertyId))!;
const requestsSince = async (before: number) => (await control.stats()).requests - before;

describe('reading', () => {
  it('follows the booking index across pages and lists every arrival of the local days once, with its guest', async () => {
    const hotel = await addHotel({ arrivalsPerDay: 7, seed: 11 });
    const { adapter, throttled } = adapterFor(sim.url, hotel, { pageSize: 3 });
    const days = [localDay(AMSTERDAM, 0), localDay(AMSTERDAM, 1)];
    const expected = [...account(hotel).bookings.values()].filter((b) => days.includes(b.arrival));
    expect(expected).toHaveLength(14);
    const before = (await control.stats()).requests;
    exchanges.length = 0;

    const arrivals = await adapter.listArrivals({ from: days[0]!, to: days[1]! });

    expect(arrivals.map((a) => a.reservation.vendorId).sort()).toEqual(expected.map((b) => String(b.id)).sort());
    for (const a of arrivals) {
      expect(days).toContain(a.reservation.arrivalDate);
      expect(a.guest?.vendorId).toBe(a.reservation.guestVendorId);
      expect(a.guest?.messagingConsent).toBeNull();
    }
    // 14 ids at 3 a page: five pages (the last one short), each asked with Clock's strict filters.
    const pages = exchanges.filter((e) => /\/bookings\/\?/.test(e.target));
    expect(pages.map((e) => new URL(e.target, sim.url).searchParams.get('page'))).toEqual(['1', '2', '3', '4', '5']);
    expect(new URL(pages[0]!.target, sim.url).searchParams.get('arrival.gt')).toBe(localDay(AMSTERDAM, -1));
    expect(new URL(pages[0]!.target, sim.url).searchParams.get('arrival.lt')).toBe(localDay(AMSTERDAM, 2));
    // Then each booking and its guests, the rooms' names once, and one challenge for a new API user.
    const sent = await requestsSince(before);
    expect(sent).toBe(1 + 5 + 2 * 14 + 1);
    expect(throttled()).toBe(sent);
  });

  it('lists the arrivals of the hotel’s own local days (Auckland), the days around left out', async () => {
    const hotel = await addHotel({ timezone: AUCKLAND, country: 'NZ' });
    const { adapter } = adapterFor(sim.url, hotel);
    const at = (offset: number) => control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AUCKLAND, offset), departureDate: localDay(AUCKLAND, offset + 2), guest: { lastName: `Day ${offset}` } });
    const before = await at(-1);
    const today = await at(0);
    const tomorrow = await at(1);
    const after = await at(2);

    const arrivals = await adapter.listArrivals({ from: localDay(AUCKLAND, 0), to: localDay(AUCKLAND, 1) });

    const ids = arrivals.map((a) => a.reservation.vendorId);
    expect(ids.sort()).toEqual([today.reservationVendorId, tomorrow.reservationVendorId].sort());
    expect(ids).not.toContain(before.reservationVendorId);
    expect(ids).not.toContain(after.reservationVendorId);
    expect(arrivals.find((a) => a.reservation.vendorId === today.reservationVendorId)?.reservation.arrivalDate).toBe(localDay(AUCKLAND, 0));
  });

  it('maps every Clock booking status, the people counts and the room', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const cases = [
      ['expected', 'confirmed'],
      ['checked_in', 'checked_in'],
      ['checked_out', 'checked_out'],
      ['canceled', 'cancelled'],
      ['no_show', 'no_show'],
    ] as const;
    for (const [clock, relay] of cases) {
      const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 3), guest: { lastName: clock }, roomNumber: '102', adults: 2 });
      const booking = account(hotel).bookings.get(Number(made.reservationVendorId))!;
      booking.status = clock;
      booking.children = 1;
      await expect(adapter.getReservation(made.reservationVendorId)).resolves.toEqual({
        vendorId: made.reservationVendorId,
        confirmationNumber: made.confirmationNumber,
        status: relay,
        arrivalDate: localDay(AMSTERDAM, 1),
        departureDate: localDay(AMSTERDAM, 3),
        guestVendorId: made.guestVendorId,
        roomVendorId: String(booking.current_room_id),
        roomNumber: '102',
        adults: 2,
        children: 1,
        updatedAt: booking.updated_at,
      });
    }
  });

  it('reads a room assigned after the room names were cached', async () => {
    const hotel = await addHotel({ rooms: 3 });
    const { adapter } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 1), guest: { lastName: 'Later' }, roomNumber: '101' });
    await expect(adapter.getReservation(made.reservationVendorId)).resolves.toMatchObject({ roomNumber: '101' });
    const room = { ...[...account(hotel).rooms.values()][0]!, id: 99_999, name: '777' };
    account(hotel).rooms.set(room.id, room);
    account(hotel).bookings.get(Number(made.reservationVendorId))!.current_room_id = room.id;
    await expect(adapter.getReservation(made.reservationVendorId)).resolves.toMatchObject({ roomVendorId: '99999', roomNumber: '777' });
  });

  it('answers null for ids Clock cannot have without asking, and for unknown ones', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    await expect(adapter.getReservation('00000000-0000-4000-8000-000000000000')).resolves.toBeNull();
    await expect(adapter.getGuest('guest-1')).resolves.toBeNull();
    await expect(adapter.findCharge('x', 'ref')).resolves.toBeNull();
    await expect(adapter.findNote('x', 'ref')).resolves.toBeNull();
    expect(throttled()).toBe(0);
    await expect(adapter.getReservation('999999999')).resolves.toBeNull();
    await expect(adapter.getGuest('999999999')).resolves.toBeNull();
  });

  it('searches by booking number, by arrival days, and by last name within arrival days', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 5), departureDate: localDay(AMSTERDAM, 7), guest: { lastName: 'Zwart' } });
    const other = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 5), departureDate: localDay(AMSTERDAM, 6), guest: { lastName: 'Wit' } });
    await expect(adapter.searchReservations({ confirmationNumber: made.confirmationNumber })).resolves.toMatchObject([{ vendorId: made.reservationVendorId }]);
    const days = { arrivalFrom: localDay(AMSTERDAM, 5), arrivalTo: localDay(AMSTERDAM, 5) };
    expect((await adapter.searchReservations(days)).map((r) => r.vendorId).sort()).toEqual([made.reservationVendorId, other.reservationVendorId].sort());
    await expect(adapter.searchReservations({ ...days, lastName: 'zwart' })).resolves.toMatchObject([{ vendorId: made.reservationVendorId }]);
    await expect(adapter.searchReservations({ lastName: 'Zwart', arrivalFrom: localDay(AMSTERDAM, 6) })).resolves.toEqual([]);
    expect((await failureOf(adapter.searchReservations({ lastName: 'Zwart' }))).type).toBe(PmsFailureType.Rejected);
    expect((await failureOf(adapter.searchReservations({}))).type).toBe(PmsFailureType.Rejected);
  });

  it('lists the rooms in use with their housekeeping status, floor and room type', async () => {
    const hotel = await addHotel({ rooms: 25 });
    const { adapter } = adapterFor(sim.url, hotel);
    const a = account(hotel);
    const rooms = [...a.rooms.values()];
    rooms[0]!.is_virtual = true;
    rooms[1]!.active_to = localDay(AMSTERDAM, -3);
    const listed = await adapter.listRooms();
    expect(listed).toHaveLength(23);
    expect(listed.find((r) => r.number === '201')).toMatchObject({ floor: '2', occupied: null, roomType: expect.stringMatching(/Double|Twin|Single|Suite/) });
    const expected: Record<string, string> = { '': 'clean', inspect: 'dirty', progress: 'dirty', dirty: 'dirty', 'checked out': 'dirty' };
    for (const room of listed) expect(room.status).toBe(expected[a.rooms.get(Number(room.vendorId))!.housekeeping_status]);
    expect(new Set(listed.map((r) => r.status)).size).toBeGreaterThan(1);
  });
});

describe('HTTP Digest', () => {
  it('negotiates one nonce per API user, shared by the hotels and callers using it at once', async () => {
    const first = await addHotel({ apiUser: 'group_api', seed: 2 });
    const second = await addHotel({ apiUser: 'group_api', apiKey: String(first.credentials.apiKey), seed: 3 });
    expect(second.credentials).toMatchObject({ apiUser: 'group_api', subscriptionId: first.credentials.subscriptionId });
    const sessions = new ClockDigestSessions();
    const a = adapterFor(sim.url, first, { sessions }).adapter;
    const b = adapterFor(sim.url, second, { sessions }).adapter;
    exchanges.length = 0;

    await Promise.all([a.listRooms(), b.listRooms(), a.getGuest('510001'), b.listRooms()]);

    expect(sessions.challenges).toBe(1);
    const unsigned = exchanges.filter((e) => e.headers.authorization === undefined);
    expect(unsigned).toHaveLength(1);
    expect(unsigned[0]).toMatchObject({ method: 'GET', status: 401 });
    expect(exchanges.filter((e) => e.status === 401)).toHaveLength(1);
    // One nonce, counted up once per request.
    const counts = exchanges.filter((e) => e.headers.authorization).map((e) => /nc=([0-9a-f]{8})/.exec(e.headers.authorization!)![1]);
    expect(new Set(counts).size).toBe(counts.length);
  });

  it('signs again with the fresh nonce a 401 brings when the nonce expired, without a new challenge request', async () => {
    const shortLived = await createClockSimulator({ nonceTtlMs: 150 });
    try {
      const hotel = await new SimulatorControl(shortLived.url).addHotel({ name: 'Stale', timezone: AMSTERDAM, country: 'NL', rooms: 2, arrivalsPerDay: 0, seed: 4 });
      const { adapter, sessions } = adapterFor(shortLived.url, hotel);
      await adapter.listRooms();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const before = shortLived.limits.snapshot().requests;
      await expect(adapter.getGuest('1')).resolves.toBeNull();
      await expect(adapter.getGuest('2')).resolves.toBeNull();
      // The first refused as stale and signed again with the fresh nonce; the second signed with it at once.
      expect(shortLived.limits.snapshot().requests - before).toBe(3);
      expect(sessions.challenges).toBe(1);
    } finally {
      await shortLived.close();
    }
  });

  it('types a refused key as PmsUnauthorized after one renewal, never retried', async () => {
    const hotel = await addHotel();
    const before = (await control.stats()).requests;
    const failure = await failureOf(adapterFor(sim.url, hotel, { credentials: { apiKey: 'not-the-key' } }).adapter.getGuest('510001'));
    expect(failure).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    // The challenge, the signed call, and once more with the fresh nonce its 401 brought.
    expect(await requestsSince(before)).toBe(3);
  });

  it('types a missing right and a foreign account as PmsUnauthorized, in Clock’s words', async () => {
    const limited = await addHotel({ rights: ['pms_api_rooms_index', 'pms_api_room_types_index'] });
    const { adapter } = adapterFor(sim.url, limited);
    await expect(adapter.listRooms()).resolves.toHaveLength(6);
    const failure = await failureOf(adapter.listArrivals({ from: localDay(AMSTERDAM, 0), to: localDay(AMSTERDAM, 0) }));
    expect(failure).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    expect(failure.message).toContain("The User doesn't have pms_api_bookings_index right");

    const other = await addHotel({ seed: 9 });
    const foreign = await failureOf(adapterFor(sim.url, { ...other, credentials: limited.credentials }).adapter.listRooms());
    expect(foreign).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
  });
});

describe('failures', () => {
  it('honours a 429 with Clock’s linear back-off, then fails for Temporal to retry later, never in a burst', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    await adapter.getGuest('1'); // the nonce first: the challenge is not what this is about
    await control.setFaults({ rate429Rate: 1 });
    exchanges.length = 0;
    const asked = throttled();
    const failure = await failureOf(adapter.getGuest('2'));
    expect(failure).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
    expect(Number(failure.nextRetryDelay)).toBe(1500);
    expect(exchanges).toHaveLength(3);
    // Each attempt signed anew: a nonce-count is never sent twice.
    expect(new Set(exchanges.map((e) => /nc=(\w+)/.exec(e.headers.authorization!)![1])).size).toBe(3);
    const gaps = exchanges.slice(1).map((e, i) => e.at - exchanges[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(480);
    expect(gaps[1]).toBeGreaterThanOrEqual(980);
    expect(throttled() - asked).toBe(3);
  });

  it('waits the Retry-After Clock may name, in the call when short and through Temporal when long', async () => {
    // A stand-in for Clock that challenges unsigned requests and answers signed ones 429 with a wait, then 200.
    const waits = ['1', '30'];
    const seen: Array<{ at: number; signed: boolean }> = [];
    const server = createServer((req, res) => {
      seen.push({ at: Date.now(), signed: req.headers.authorization !== undefined });
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Digest realm="Clock PMS+ API", qop="auth", nonce="n", opaque="o"' }).end();
      } else if (seen.filter((s) => s.signed).length % 2 === 1) {
        res.writeHead(429, { 'retry-after': waits.shift() ?? '1' }).end('Retry later\n');
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 7, first_name: 'A', last_name: 'B', updated_at: '2026-01-01T00:00:00.000Z' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const standIn = { vendorPropertyId: '24001', credentials: { apiUser: 'u', apiKey: 'k', subscriptionId: '1', region: 'eu1' }, timezone: AMSTERDAM };
      const { adapter } = adapterFor(url, standIn);
      await expect(adapter.getGuest('7')).resolves.toMatchObject({ vendorId: '7' });
      const [, refusedAt, retriedAt] = seen;
      expect(retriedAt!.at - refusedAt!.at).toBeGreaterThanOrEqual(980);
      seen.length = 0;
      const failure = await failureOf(adapter.getGuest('7'));
      expect(failure).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
      expect(Number(failure.nextRetryDelay)).toBe(30_000);
      expect(seen).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stays within 5 calls a second per API user when paced by the shared limiter, and backs off when not', async () => {
    const limited = await createClockSimulator();
    try {
      const limitedControl = new SimulatorControl(limited.url);
      const hotel = await limitedControl.addHotel({ name: 'Busy', timezone: AMSTERDAM, country: 'NL', rooms: 3, arrivalsPerDay: 3, seed: 5 });
      const user = String(hotel.credentials.apiUser);
      const paced = adapterFor(limited.url, hotel, { limiter: localLimiter({ key: user, limit: 5, windowMs: 1_000 }) }).adapter;
      await Promise.all([paced.listArrivals({ from: localDay(AMSTERDAM, 0), to: localDay(AMSTERDAM, 1) }), paced.listRooms(), paced.listRooms()]);
      const scope = (await limitedControl.stats()).byScope[userScope(user)]!;
      expect(scope.requests).toBeGreaterThan(10);
      expect(scope.overLimit).toBe(0);

      // Unpaced (no shared limiter): Clock refuses the burst; the back-off still gets every call through.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const unpaced = adapterFor(limited.url, hotel).adapter;
      await expect(Promise.all([unpaced.listRooms(), unpaced.listRooms(), unpaced.listRooms()])).resolves.toHaveLength(3);
      expect((await limitedControl.stats()).byScope[userScope(user)]!.overLimit).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('waits out the firewall’s ban instead of calling into it', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    sim.firewall.ban('127.0.0.1');
    try {
      const failure = await failureOf(adapter.listRooms());
      expect(failure).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
      expect(Number(failure.nextRetryDelay)).toBe(CLOCK_BAN_MS);
      expect(failure.message).toMatch(/firewall/);
      // The ban is on the address: the core pauses every Clock call, not just this API user's.
      expect(pauseRequestOf(failure)).toEqual({ scope: 'vendor', ms: CLOCK_BAN_MS });
    } finally {
      sim.firewall.reset();
    }
  });

  it('fails retryably during an outage and on a 500', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    await control.setFaults({ outage: true });
    expect(await failureOf(adapter.listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    await control.setFaults({ error5xxRate: 1 });
    expect(await failureOf(adapter.listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
  });
});

describe('writing', () => {
  it('finds a charge whose answer was lost by its reference alone, so that it is not posted twice', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const stay = { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 2) };
    const { made } = await postLostChargeThenAnother(adapter, control, hotel, stay, 'charge-other');

    // What Clock holds: one charge per request, made for the booking, the marker in its text, the folio's printout plain.
    const charges = [...account(hotel).charges.values()].filter((c) => c.source_id === Number(made.reservationVendorId));
    expect(charges.map((c) => c.text)).toEqual(['Room service [relay:charge-lost-1]', 'Room service [relay:charge-other-1]']);
    expect(charges.map((c) => c.print_text)).toEqual(['Room service', 'Room service']);
    expect(charges[0]).toMatchObject({ price_cents: 750, qty: 1, currency: 'EUR', revenue_group: 'extra', service_date: localDay(AMSTERDAM, 0) });
  });

  it('sends the property’s revenue group and the item code as revenue category; a long reference as a stable digest', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel, { credentials: { chargeRevenueGroup: 'f&b' } });
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 1), guest: { lastName: 'Lang' } });
    const reference = `key with spaces ${'x'.repeat(300)}`;
    const posted = await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '3', currency: 'EUR' }, description: 'Wine '.repeat(80), itemCode: 'Bar', reference });
    const charge = account(hotel).charges.get(Number(posted.vendorId))!;
    expect(charge).toMatchObject({ revenue_group: 'f&b', revenue_category: 'Bar', price_cents: 300 });
    expect(charge.text.length).toBeLessThanOrEqual(255);
    expect(charge.text.endsWith(referenceMarker(reference))).toBe(true);
    expect(referenceMarker(reference)).toMatch(/^\[relay:relay-[0-9a-f]{32}\]$/);
    await expect(adapter.findCharge(made.reservationVendorId, reference)).resolves.toMatchObject({ vendorId: posted.vendorId, amount: { amount: '3.00' } });
  });

  it('refuses a charge for a booking Clock does not have, and a bad amount or currency before sending', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 1), guest: { lastName: 'Prins' } });
    const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '3.00', currency: 'EUR' }, description: 'Water', reference: 'charge-refused' };
    const missing = await failureOf(adapter.postCharge({ ...request, reservationVendorId: '999999999' }));
    expect(missing).toMatchObject({ type: PmsFailureType.NotFound, nonRetryable: true });
    const asked = throttled();
    for (const amount of ['3.005', 'ten', '']) expect((await failureOf(adapter.postCharge({ ...request, amount: { amount, currency: 'EUR' } }))).type).toBe(FailureType.InvalidInput);
    expect((await failureOf(adapter.postCharge({ ...request, amount: { amount: '3', currency: 'eur' } }))).type).toBe(FailureType.InvalidInput);
    expect(throttled()).toBe(asked);
  });

  it('posts a note as a booking to-do with its reference marker, and finds it by the marker alone', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 2), guest: { lastName: 'Hoek' } });
    await control.setFaults({ loseAnswers: 1 });
    expect((await failureOf(adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Allergic to nuts', reference: 'note-7' }))).type).toBe(FailureType.VendorOutcomeUnknown);
    await control.setFaults({});
    const found = await adapter.findNote(made.reservationVendorId, 'note-7');
    const [stored] = (await control.notes(hotel.vendorPropertyId)).filter((n) => n.reservationVendorId === made.reservationVendorId);
    expect(stored?.text).toBe('Allergic to nuts\n[relay:note-7]');
    expect(found).toEqual({ vendorId: stored?.vendorId, reference: 'note-7' });
    expect([...account(hotel).todos.values()][0]?.todo.date).toBe(localDay(AMSTERDAM, 0));
    // A longer reference that starts the same is another request.
    await expect(adapter.findNote(made.reservationVendorId, 'note-70')).resolves.toBeNull();
    await expect(adapter.findNote(made.reservationVendorId, 'note')).resolves.toBeNull();
  });

  it('updates a guest, clears what Clock can clear, reports Clock’s updated_at as the version, and refuses preferences', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 2), guest: { firstName: 'Lotte', lastName: 'Dekker', phone: '06-12345678', email: 'lotte@example.nl', language: 'nl' } });
    const before = await adapter.getGuest(made.guestVendorId);
    expect(before).toMatchObject({ firstName: 'Lotte', lastName: 'Dekker', phone: '06-12345678', email: 'lotte@example.nl', language: 'nl', preferences: [] });
    const after = await adapter.updateGuest(made.guestVendorId, { phone: '+31 6 87654321', language: 'EN-gb', email: null });
    expect(after).toMatchObject({ firstName: 'Lotte', lastName: 'Dekker', phone: '+31 6 87654321', email: null, language: 'en' });
    expect(after.version).not.toBe(before!.version);
    const guest = sim.store.subscriptions.get(Number(hotel.credentials.subscriptionId))!.guests.get(Number(made.guestVendorId))!;
    expect(guest).toMatchObject({ e_mail: null, language: 'en', updated_at: after.version });

    const asked = throttled();
    expect(await failureOf(adapter.updateGuest(made.guestVendorId, { preferences: ['SeaView'] }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await failureOf(adapter.updateGuest(made.guestVendorId, { lastName: ' ' }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await failureOf(adapter.updateGuest(made.guestVendorId, { language: 'Dutch' }))).toMatchObject({ type: FailureType.InvalidInput });
    expect(throttled()).toBe(asked);
    // Clock's own validation: an e-mail it does not take.
    expect(await failureOf(adapter.updateGuest(made.guestVendorId, { email: 'not-an-address' }))).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    await expect(adapter.updateGuest(made.guestVendorId, {})).resolves.toMatchObject({ version: after.version });
    expect((await failureOf(adapter.updateGuest('999999999', { phone: '1' }))).type).toBe(PmsFailureType.NotFound);

    // The hotel's own edit is a new version.
    await control.changeGuest(hotel.vendorPropertyId, made.guestVendorId, { firstName: 'Lot' });
    const edited = await adapter.getGuest(made.guestVendorId);
    expect(edited).toMatchObject({ firstName: 'Lot' });
    expect(edited?.version).not.toBe(after.version);
  });
});
