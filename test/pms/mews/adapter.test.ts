import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { FailureType } from '../../../src/domain/failure-types';
import { PmsFailureType } from '../../../src/integrations/pms/errors';
import { MewsClient } from '../../../src/integrations/pms/mews/client';
import { localDayWindows } from '../../../src/integrations/pms/mews/time';
import { demoMewsSettings } from '../../../src/integrations/pms/mews/settings';
import { createMewsSimulator, DEMO_CLIENT_TOKEN, type MewsSimulator, tokenScope } from '../../../src/integrations/pms/mews/simulator';
import { type SimHotel, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { adapterFor, failureOf, localDay, localInstant, logger } from './helpers';
import { postLostChargeThenAnother } from '../helpers/lost-answers';
import { simulatorHooks, withControl } from '../helpers/simulator-hooks';

// The adapter against the simulator over real HTTP; the simulator's in-process store is read (and, for boundary
// cases, edited) directly where the control protocol has no words for it.

const AMSTERDAM = 'Europe/Amsterdam';
const AUCKLAND = 'Pacific/Auckland';

let sim: MewsSimulator;
let control: SimulatorControl;

simulatorHooks({ start: async () => ({ sim, control } = await withControl(createMewsSimulator())), simulator: () => sim, faultsOf: () => control });

function addHotel(spec: Partial<Parameters<SimulatorControl['addHotel']>[0]> = {}): Promise<SimHotel> {
  return control.addHotel({ name: 'Hotel Mews', timezone: AMSTERDAM, country: 'NL', rooms: 6, arrivalsPerDay: 0, seed: 1, ...spec });
}

function enterprise(hotel: SimHotel) {
  return sim.store.enterprises.get(hotel.vendorPropertyId)!;
}

describe('reading', () => {
  it('follows the cursor across pages and lists every arrival of the local days once, with its guest', async () => {
    const hotel = await addHotel({ arrivalsPerDay: 7, seed: 11 });
    const { adapter, throttled } = adapterFor(sim.url, hotel, { pageSize: 3 });
    const days = [localDay(AMSTERDAM, 0), localDay(AMSTERDAM, 1)];
    const expected = [...enterprise(hotel).reservations.values()].filter((r) => days.includes(DateTime.fromISO(r.ScheduledStartUtc).setZone(AMSTERDAM).toISODate()!));
    expect(expected.length).toBe(14);
    const before = (await control.stats()).requests;

    const arrivals = await adapter.listArrivals({ from: days[0]!, to: days[1]! });

    expect(arrivals.map((a) => a.reservation.vendorId).sort()).toEqual(expected.map((r) => r.Id).sort());
    for (const a of arrivals) {
      expect(days).toContain(a.reservation.arrivalDate);
      expect(a.guest?.vendorId).toBe(a.reservation.guestVendorId);
      expect(a.guest?.messagingConsent).toBeNull();
    }
    // 14 reservations at 3 a page: five pages (the last one short), plus guests, rooms and age categories.
    const sent = (await control.stats()).requests - before;
    expect(sent).toBeGreaterThanOrEqual(5 + 5);
    expect(throttled()).toBe(sent);
  });

  it('turns local days into UTC windows through the hotel’s zone, both ends inclusive (Auckland)', async () => {
    const hotel = await addHotel({ timezone: AUCKLAND, country: 'NZ' });
    const { adapter } = adapterFor(sim.url, hotel);
    const day = localDay(AUCKLAND, 3);
    const [before, next] = [localDay(AUCKLAND, 2), localDay(AUCKLAND, 4)];
    const at = async (startDay: string, time: string) => {
      const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: startDay, departureDate: localDay(AUCKLAND, 6), guest: { lastName: `At ${time}` } });
      const r = enterprise(hotel).reservations.get(made.reservationVendorId)!;
      r.ScheduledStartUtc = r.StartUtc = localInstant(AUCKLAND, startDay, time);
      return made.reservationVendorId;
    };
    const midnight = await at(day, '00:00:00');
    const lastSecond = await at(day, '23:59:59');
    await at(before, '23:59:59');
    await at(next, '00:00:00');

    const arrivals = await adapter.listArrivals({ from: day, to: day });

    expect(arrivals.map((a) => a.reservation.vendorId).sort()).toEqual([midnight, lastSecond].sort());
    expect(arrivals.map((a) => a.reservation.arrivalDate)).toEqual([day, day]);
    // Auckland is ahead of UTC: its midnight is the previous day in UTC.
    expect(localInstant(AUCKLAND, day, '00:00:00').slice(0, 10)).not.toBe(day);
  });

  it('cuts a long range into windows Mews accepts (at most three months each, no gaps)', async () => {
    const windows = localDayWindows({ from: '2025-01-01', to: '2025-12-31' }, AMSTERDAM);
    expect(windows.length).toBeGreaterThanOrEqual(4);
    expect(new Date(windows[0]!.start).toISOString()).toBe('2024-12-31T23:00:00.000Z');
    expect(new Date(windows.at(-1)!.end).toISOString()).toBe('2025-12-31T22:59:59.000Z');
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.start).toBe(windows[i - 1]!.end + 1000);
    // Measured in UTC, as Mews does, also across a change from summer to winter time.
    for (const w of windows) expect(w.end).toBeLessThanOrEqual(DateTime.fromMillis(w.start, { zone: 'utc' }).plus({ months: 3 }).toMillis());

    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    // The simulator refuses a window longer than three months with 400: none is sent.
    await expect(adapter.listArrivals({ from: '2025-05-21', to: '2026-02-28' })).resolves.toEqual([]);
    await expect(adapter.listArrivals({ from: '2027-08-21', to: '2028-03-31' })).resolves.toEqual([]);
  });

  it('maps Mews states, a no-show and the people counts to the common model', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const e = enterprise(hotel);
    const cases = [
      ['Confirmed', null, 'confirmed'],
      ['Started', null, 'checked_in'],
      ['Processed', null, 'checked_out'],
      ['Canceled', 'RequestedByGuest', 'cancelled'],
      ['Canceled', 'NoShow', 'no_show'],
      ['Optional', null, 'tentative'],
      ['Inquired', null, 'tentative'],
      ['Requested', null, 'tentative'],
    ] as const;
    for (const [state, reason, status] of cases) {
      const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 2), guest: { lastName: state }, roomNumber: '101', adults: 2 });
      const r = e.reservations.get(made.reservationVendorId)!;
      r.State = state;
      r.CancellationReason = reason;
      r.PersonCounts.push({ AgeCategoryId: e.ageCategories.find((a) => a.Classification === 'Child')!.Id, Count: 1 });
      await expect(adapter.getReservation(made.reservationVendorId)).resolves.toMatchObject({ status, adults: 2, children: 1, roomNumber: '101', confirmationNumber: made.confirmationNumber });
    }
  });

  it('answers null for ids Mews cannot have, without asking it', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    await expect(adapter.getReservation('not-a-guid')).resolves.toBeNull();
    await expect(adapter.getGuest('42')).resolves.toBeNull();
    expect(throttled()).toBe(0);
    await expect(adapter.getReservation('00000000-0000-4000-8000-000000000000')).resolves.toBeNull();
    await expect(adapter.getGuest('00000000-0000-4000-8000-000000000000')).resolves.toBeNull();
  });

  it('searches by confirmation number, by last name and by arrival days', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 5), departureDate: localDay(AMSTERDAM, 7), guest: { lastName: 'Zwart' } });
    await expect(adapter.searchReservations({ confirmationNumber: made.confirmationNumber })).resolves.toMatchObject([{ vendorId: made.reservationVendorId }]);
    await expect(adapter.searchReservations({ lastName: 'Zwart' })).resolves.toMatchObject([{ vendorId: made.reservationVendorId }]);
    await expect(adapter.searchReservations({ lastName: 'Zwart', arrivalFrom: localDay(AMSTERDAM, 6) })).resolves.toEqual([]);
    await expect(adapter.searchReservations({ arrivalFrom: localDay(AMSTERDAM, 5), arrivalTo: localDay(AMSTERDAM, 5) })).resolves.toMatchObject([{ vendorId: made.reservationVendorId }]);
    expect((await failureOf(adapter.searchReservations({}))).type).toBe(PmsFailureType.Rejected);
  });

  it('lists the rooms with their housekeeping state and floor', async () => {
    const hotel = await addHotel({ rooms: 25 });
    const { adapter } = adapterFor(sim.url, hotel, { pageSize: 10 });
    const rooms = await adapter.listRooms();
    expect(rooms).toHaveLength(25);
    expect(rooms.find((r) => r.number === '201')).toMatchObject({ floor: '2', occupied: null });
    const states = new Map([...enterprise(hotel).resources.values()].map((r) => [r.Id, r.State]));
    const expected = { Clean: 'clean', Dirty: 'dirty', Inspected: 'inspected', OutOfService: 'out_of_service', OutOfOrder: 'out_of_order' } as const;
    for (const room of rooms) expect(room.status).toBe(expected[states.get(room.vendorId)!]);
  });
});

describe('failures', () => {
  it('honours Retry-After on a 429: the wait becomes the retry delay, and nothing else is sent meanwhile', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    await control.setFaults({ rate429Rate: 1 });
    const before = (await control.stats()).requests;
    const failure = await failureOf(adapter.listRooms());
    expect(failure).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
    expect(Number(failure.nextRetryDelay)).toBe(1000);
    // No burst of retries inside the adapter: Temporal retries after the delay.
    expect((await control.stats()).requests - before).toBe(1);
  });

  it('is refused at the token scope once 200 requests in 30 s are spent, and the wait Mews names is kept', async () => {
    const hotel = await addHotel();
    const token = String(hotel.credentials.accessToken);
    const body = JSON.stringify({ ClientToken: DEMO_CLIENT_TOKEN, AccessToken: token, Client: 'Test 1', Extent: { Resources: true }, Limitation: { Count: 1 } });
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${sim.url}/api/connector/v1/resources/getAll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const { adapter } = adapterFor(sim.url, hotel);
    const failure = await failureOf(adapter.listRooms());
    expect(failure.type).toBe(FailureType.VendorRateLimited);
    const delay = Number(failure.nextRetryDelay);
    expect(delay % 1000).toBe(0);
    expect(delay).toBeGreaterThanOrEqual(1000);
    expect(delay).toBeLessThanOrEqual(30_000);
    const scope = (await control.stats()).byScope[tokenScope(token)];
    expect(scope).toEqual({ requests: 201, overLimit: 1 });
  });

  it('types refused credentials as PmsUnauthorized, never retried', async () => {
    const hotel = await addHotel();
    for (const override of [{ credentials: { accessToken: 'not-a-token' } }, { settings: { clientToken: 'not-our-client' } }]) {
      const failure = await failureOf(adapterFor(sim.url, hotel, override).adapter.listRooms());
      expect(failure).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    }
  });

  it('treats a wrong operation address as a bug (404, not retried) and an outage as retryable', async () => {
    const hotel = await addHotel();
    const client = new MewsClient({ settings: demoMewsSettings(sim.url), credentials: { accessToken: String(hotel.credentials.accessToken) }, logger, withinLimit: (send) => send() });
    const wrong = await failureOf(client.call('resources/GetAll', { Extent: { Resources: true }, Limitation: { Count: 1 } }));
    expect(wrong).toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true });
    await control.setFaults({ outage: true });
    const down = await failureOf(adapterFor(sim.url, hotel).adapter.listRooms());
    expect(down).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
  });
  it('asks again in halves when Mews finds a window too heavy (408), down to an hour', async () => {
    // A stand-in for Mews that answers 408 to any reservation window longer than six hours.
    const windows: Array<{ StartUtc: string; EndUtc: string }> = [];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const w = (JSON.parse(raw) as { ScheduledStartUtc: { StartUtc: string; EndUtc: string } }).ScheduledStartUtc;
        windows.push(w);
        const heavy = Date.parse(w.EndUtc) - Date.parse(w.StartUtc) > 6 * 3_600_000;
        res.writeHead(heavy ? 408 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(heavy ? { Message: 'Request timeout.', RequestId: 'r' } : { Reservations: [], Cursor: null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const hotel = { vendorPropertyId: '00000000-0000-4000-8000-00000000000a', credentials: { accessToken: 't' }, timezone: AMSTERDAM };
      await expect(adapterFor(url, hotel).adapter.listArrivals({ from: '2025-03-03', to: '2025-03-03' })).resolves.toEqual([]);
      const answered = windows.filter((w) => Date.parse(w.EndUtc) - Date.parse(w.StartUtc) <= 6 * 3_600_000);
      // The answered halves cover the day exactly, without gaps or overlaps.
      const sorted = answered.map((w) => [Date.parse(w.StartUtc), Date.parse(w.EndUtc)] as const).sort((a, b) => a[0] - b[0]);
      expect(new Date(sorted[0]![0]).toISOString()).toBe('2025-03-02T23:00:00.000Z');
      expect(new Date(sorted.at(-1)![1]).toISOString()).toBe('2025-03-03T22:59:59.000Z');
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBe(sorted[i - 1]![1] + 1000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('writing', () => {
  it('finds a charge whose answer was lost by its reference alone, so that it is not posted twice', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const stay = { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 2) };
    const { made, request } = await postLostChargeThenAnother(adapter, control, hotel, stay, 'charge-never');

    // What Mews holds: one order item per request, the reference as ExternalIdentifier, linked to the reservation.
    const folio = (await control.charges(hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === made.reservationVendorId);
    expect(folio.map((c) => c.reference).sort()).toEqual(['charge-lost-1', 'charge-other-1']);
    const e = enterprise(hotel);
    const item = [...e.orderItems.values()].find((i) => i.ExternalIdentifier === request.reference)!;
    expect(e.orders.get(item.ServiceOrderId)).toMatchObject({ LinkedReservationId: made.reservationVendorId, AccountId: made.guestVendorId, ServiceId: e.additional.Id });
  });

  it('refuses a charge Mews refuses (403) and one for a reservation it does not have', async () => {
    const hotel = await addHotel();
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 0), departureDate: localDay(AMSTERDAM, 1), guest: { lastName: 'Prins' } });
    const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '3.00', currency: 'EUR' }, description: 'Water', reference: 'charge-403' };
    // The accommodation service is not orderable.
    const bookable = enterprise(hotel).bookable.Id;
    const refused = await failureOf(adapterFor(sim.url, hotel, { credentials: { chargeServiceId: bookable } }).adapter.postCharge(request));
    expect(refused).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    const missing = await failureOf(adapterFor(sim.url, hotel).adapter.postCharge({ ...request, reservationVendorId: '00000000-0000-4000-8000-000000000001' }));
    expect(missing.type).toBe(PmsFailureType.NotFound);
  });

  it('posts a note with its reference marker and finds it by the marker alone', async () => {
    const hotel = await addHotel();
    const { adapter } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 2), guest: { lastName: 'Hoek' } });
    const note = await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Allergic to nuts', reference: 'note-7' });
    const [stored] = (await control.notes(hotel.vendorPropertyId)).filter((n) => n.reservationVendorId === made.reservationVendorId);
    expect(stored?.text).toBe('Allergic to nuts\n[relay:note-7]');
    await expect(adapter.findNote(made.reservationVendorId, 'note-7')).resolves.toEqual({ vendorId: note.vendorId, reference: 'note-7' });
    // A longer reference that starts the same is another request.
    await expect(adapter.findNote(made.reservationVendorId, 'note-70')).resolves.toBeNull();
    await expect(adapter.findNote(made.reservationVendorId, 'note')).resolves.toBeNull();
  });

  it('updates a guest, reports Mews’ new UpdatedUtc as the version, and refuses what Mews cannot do', async () => {
    const hotel = await addHotel();
    const { adapter, throttled } = adapterFor(sim.url, hotel);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(AMSTERDAM, 1), departureDate: localDay(AMSTERDAM, 2), guest: { firstName: 'Lotte', lastName: 'Dekker', phone: '06-12345678', email: 'lotte@example.nl' } });
    const before = await adapter.getGuest(made.guestVendorId);
    const after = await adapter.updateGuest(made.guestVendorId, { phone: '+31 6 87654321', language: 'en', email: 'lotte.dekker@example.nl' });
    expect(after).toMatchObject({ firstName: 'Lotte', lastName: 'Dekker', phone: '+31 6 87654321', email: 'lotte.dekker@example.nl', language: 'en' });
    expect(after.version).not.toBe(before!.version);
    const customer = enterprise(hotel).customers.get(made.guestVendorId)!;
    expect(customer.UpdatedUtc).toBe(after.version);
    expect(customer.PreferredLanguageCode).toBe('en-US');

    // Mews keeps a field whose new value is blank: clearing is refused before anything is sent.
    const sentBefore = throttled();
    for (const patch of [{ email: null }, { phone: '' }, { language: null }, { preferences: ['SeaView'] }]) {
      expect(await failureOf(adapter.updateGuest(made.guestVendorId, patch))).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    }
    expect(throttled()).toBe(sentBefore);
    expect(customer.UpdatedUtc).toBe(after.version);
    await expect(adapter.updateGuest(made.guestVendorId, {})).resolves.toMatchObject({ version: after.version });
  });
});
