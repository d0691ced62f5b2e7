import { type ClockExchange, type ClockSimulator, createClockSimulator } from '../../../src/integrations/pms/clock/simulator';
import { encodeQuery } from '../../../src/integrations/pms/clock/client';
import { type SimHotel, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { adapterFor, localDay, md5 } from './helpers';

// Wire checks: every request the adapter sends in a full session, and how it is signed, checked
// against HTTP Digest as RFC 7616/2617 compute it (written out here, not taken from the adapter)
// and against the shapes Clock's documentation gives.

const ZONE = 'Europe/Amsterdam';

let sim: ClockSimulator;
let hotel: SimHotel;
const exchanges: ClockExchange[] = [];

function fields(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s,]+))/gi)) out[m[1]!.toLowerCase()] = m[2] ?? m[3]!;
  return out;
}

beforeAll(async () => {
  sim = await createClockSimulator({ limit: { perUser: 10_000, windowMs: 1000 }, record: (e) => exchanges.push(e) });
  const control = new SimulatorControl(sim.url);
  hotel = await control.addHotel({ name: 'Wire Hotel', timezone: ZONE, country: 'NL', rooms: 4, arrivalsPerDay: 3, seed: 42 });
  const { adapter } = adapterFor(sim.url, hotel, { pageSize: 2 });
  const arrivals = await adapter.listArrivals({ from: localDay(ZONE, 0), to: localDay(ZONE, 1) });
  const booking = arrivals[0]!.reservation;
  await adapter.searchReservations({ confirmationNumber: booking.confirmationNumber });
  await adapter.postCharge({ reservationVendorId: booking.vendorId, amount: { amount: '4.20', currency: 'EUR' }, description: 'Parking', itemCode: 'Garage', reference: 'wire-charge-1' });
  await adapter.findCharge(booking.vendorId, 'wire-charge-1');
  await adapter.postNote({ reservationVendorId: booking.vendorId, text: 'Wheelchair access', reference: 'wire-note-1' });
  await adapter.findNote(booking.vendorId, 'wire-note-1');
  await adapter.updateGuest(booking.guestVendorId!, { email: 'wire@example.nl', phone: null });
  await adapter.getGuest(booking.guestVendorId!);
  await adapter.listRooms();
});
afterAll(async () => {
  await sim.close();
});

test('one unsigned request asks for the challenge (answered 401), the only one of the session', () => {
  const unsigned = exchanges.filter((e) => e.headers.authorization === undefined);
  expect(unsigned).toHaveLength(1);
  expect(unsigned[0]).toMatchObject({ method: 'GET', target: `/pms_api/${String(hotel.credentials.subscriptionId)}/${hotel.vendorPropertyId}`, status: 401 });
});

test('every other request carries Digest credentials that RFC 2617’s computation confirms, for exactly that request-target', () => {
  const signed = exchanges.filter((e) => e.headers.authorization !== undefined);
  expect(signed.length).toBeGreaterThan(15);
  const seen = new Set<string>();
  for (const e of signed) {
    expect(e.headers.authorization).toMatch(/^Digest /);
    const f = fields(e.headers.authorization!);
    expect(f).toMatchObject({ username: String(hotel.credentials.apiUser), realm: 'Clock PMS+ API', uri: e.target, qop: 'auth', algorithm: 'MD5', opaque: sim.digest.opaque });
    expect(f.nc).toMatch(/^[0-9a-f]{8}$/);
    expect(f.cnonce).toMatch(/\S{8,}/);
    const ha1 = md5(`${f.username}:${f.realm}:${String(hotel.credentials.apiKey)}`);
    const ha2 = md5(`${e.method}:${e.target}`);
    expect(f.response).toBe(md5(`${ha1}:${f.nonce}:${f.nc}:${f.cnonce}:auth:${ha2}`));
    // A nonce-count is never used twice with one nonce.
    expect(seen.has(`${f.nonce}:${f.nc}`)).toBe(false);
    seen.add(`${f.nonce}:${f.nc}`);
    expect(e.status).not.toBe(401);
  }
});

test('reads are GETs on the account’s pms_api paths, collections with a trailing slash', () => {
  const base = `/pms_api/${String(hotel.credentials.subscriptionId)}/${hotel.vendorPropertyId}/`;
  const paths = new Set(exchanges.filter((e) => e.method === 'GET' && e.headers.authorization).map((e) => new URL(e.target, sim.url).pathname.replace(base, '').replace(/\d+/g, ':id')));
  expect([...paths].sort()).toEqual(
    ['bookings/', 'bookings/:id', 'bookings/:id/booking_guests', 'bookings/:id/booking_self_service_to_dos', 'bookings/:id/charges_by_source', 'guests/:id', 'room_types/', 'rooms/'].sort(),
  );
  for (const e of exchanges) expect(e.body === '' || e.method !== 'GET').toBe(true);
});

test('the booking index is asked with Clock’s strict filters and pages', () => {
  const pages = exchanges.filter((e) => new URL(e.target, sim.url).pathname.endsWith('/bookings/')).map((e) => new URL(e.target, sim.url).searchParams);
  const arrivals = pages.filter((p) => p.has('arrival.gt'));
  expect(arrivals.length).toBeGreaterThanOrEqual(3);
  expect(arrivals.map((p) => p.get('page'))).toEqual(arrivals.map((_, i) => String(i + 1)));
  for (const p of arrivals) expect(Object.fromEntries(p)).toMatchObject({ 'arrival.gt': localDay(ZONE, -1), 'arrival.lt': localDay(ZONE, 2), per_page: '2' });
  expect(pages.some((p) => p.has('number') && !p.has('arrival.gt'))).toBe(true);
});

test('writes are JSON under Clock’s root keys', () => {
  const writes = exchanges.filter((e) => e.method !== 'GET');
  expect(writes.map((e) => `${e.method} ${new URL(e.target, sim.url).pathname.replace(/\d+/g, ':id')}`)).toEqual([
    'POST /pms_api/:id/:id/bookings/:id/charges_by_source',
    'POST /pms_api/:id/:id/bookings/:id/booking_self_service_to_dos',
    'PUT /pms_api/:id/:id/guests/:id',
  ]);
  for (const e of writes) expect(e.headers['content-type']).toBe('application/json');
  const [charge, todo, guest] = writes.map((e) => JSON.parse(e.body) as Record<string, Record<string, unknown>>);
  expect(charge).toEqual({
    charge: { text: 'Parking [relay:wire-charge-1]', print_text: 'Parking', price: '4.20', currency: 'EUR', qty: 1, revenue_group: 'extra', revenue_category: 'Garage', service_date: localDay(ZONE, 0) },
  });
  expect(todo).toEqual({ self_service_to_do: { text: 'Wheelchair access\n[relay:wire-note-1]', date: localDay(ZONE, 0) } });
  expect(guest).toEqual({ guest: { e_mail: 'wire@example.nl', phone_number: null } });
});

test('array parameters go out as repeated key[]= pairs', () => {
  expect(encodeQuery({ 'status': ['expected', 'canceled'], page: 1, skipped: undefined })).toBe('status[]=expected&status[]=canceled&page=1');
  expect(encodeQuery({ 'arrival.gt': '2026-01-01' })).toBe('arrival.gt=2026-01-01');
});
