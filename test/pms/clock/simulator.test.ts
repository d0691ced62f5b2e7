import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { churnOnce } from '../../../src/integrations/pms/clock/simulator/churn';
import { type ClockSimulator, createClockSimulator, userScope } from '../../../src/integrations/pms/clock/simulator';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { type ClockHotelSpec, localDay, md5 } from './helpers';
import { simulatorHooks, withControl } from '../helpers/simulator-hooks';

// Wire checks that keep the simulator honest to Clock's documentation, over raw HTTP with a Digest
// client written out here (no adapter involved).

const ZONE = 'Europe/Amsterdam';
const SPEC: SimHotelSpec = { name: 'Wire Hotel', timezone: ZONE, country: 'NL', rooms: 5, arrivalsPerDay: 3, seed: 42 };

let sim: ClockSimulator;
let control: SimulatorControl;
let hotel: SimHotel;

simulatorHooks({ start: async () => ({ sim, control } = await withControl(createClockSimulator({ limit: { perUser: 10_000, windowMs: 1000 } }))), simulator: () => sim });
beforeEach(async () => {
  await control.reset();
  hotel = await control.addHotel(SPEC);
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json(): unknown;
}

const base = (h = hotel) => `/pms_api/${String(h.credentials.subscriptionId)}/${h.vendorPropertyId}`;

async function raw(target: string, init: RequestInit = {}, url = sim.url): Promise<Answer> {
  const res = await fetch(`${url}${target}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

function challengeOf(answer: Answer): Record<string, string> {
  const header = answer.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Digest /);
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s,]+))/gi)) out[m[1]!] = m[2] ?? m[3]!;
  return out;
}

interface DigestOptions {
  user?: string;
  key?: string;
  nc?: string;
  cnonce?: string;
  uri?: string;
  challenge?: Record<string, string>;
}

/** A request signed as RFC 2617 says, after fetching a challenge when none is given. */
async function signed(target: string, init: RequestInit & DigestOptions = {}, url = sim.url): Promise<Answer & { challenge: Record<string, string> }> {
  const challenge = init.challenge ?? challengeOf(await raw(target, { method: init.method }, url));
  const method = init.method ?? 'GET';
  const user = init.user ?? String(hotel.credentials.apiUser);
  const uri = init.uri ?? target;
  const nc = init.nc ?? '00000001';
  const cnonce = init.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = md5(`${user}:${challenge.realm}:${init.key ?? String(hotel.credentials.apiKey)}`);
  const response = md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${md5(`${method}:${uri}`)}`);
  const authorization = `Digest username="${user}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", opaque="${challenge.opaque}"`;
  const headers = { ...(init.headers as Record<string, string> | undefined), authorization };
  return { ...(await raw(target, { method, body: init.body, headers }, url)), challenge };
}

/** A hotel spec with the Clock simulator's extensions (a shared API user, rights). */
const extended = (spec: ClockHotelSpec): SimHotelSpec => spec;

const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('HTTP Digest', () => {
  it('answers an unsigned request 401 with an MD5 qop=auth challenge, and a signed one with data', async () => {
    const refused = await raw(`${base()}/rooms/`);
    expect(refused.status).toBe(401);
    expect(refused.text).toBe('HTTP Digest: Access denied.\n');
    expect(challengeOf(refused)).toMatchObject({ realm: 'Clock PMS+ API', qop: 'auth', algorithm: 'MD5', nonce: expect.any(String), opaque: sim.digest.opaque });
    const ok = await signed(`${base()}/rooms/`);
    expect(ok.status).toBe(200);
    expect(ok.json()).toHaveLength(5);
  });

  it('refuses a wrong key, another uri than the request-target, a replayed nonce-count, a foreign opaque and Basic auth', async () => {
    const target = `${base()}/rooms/`;
    expect((await signed(target, { key: 'wrong' })).status).toBe(401);
    expect((await signed(target, { uri: `${base()}/room_types/` })).status).toBe(401);
    expect((await signed(`${target}?name=101`, { uri: target })).status).toBe(401);
    const first = await signed(target, { nc: '00000001', cnonce: 'abc12345' });
    expect(first.status).toBe(200);
    expect((await signed(target, { challenge: first.challenge, nc: '00000001', cnonce: 'abc12345' })).status).toBe(401);
    expect((await signed(target, { challenge: first.challenge, nc: '00000002', cnonce: 'abc12345' })).status).toBe(200);
    expect((await signed(target, { challenge: { ...first.challenge, opaque: 'x' }, nc: '00000003' })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`${String(hotel.credentials.apiUser)}:${String(hotel.credentials.apiKey)}`).toString('base64')}`;
    expect((await raw(target, { headers: { authorization: basic } })).status).toBe(401);
  });

  it('marks an expired nonce stale when the answer is otherwise right', async () => {
    const shortLived = await createClockSimulator({ nonceTtlMs: 100 });
    try {
      const h = await new SimulatorControl(shortLived.url).addHotel(SPEC);
      const target = `${base(h)}/rooms/`;
      const opts = { user: String(h.credentials.apiUser), key: String(h.credentials.apiKey) };
      const first = await signed(target, opts, shortLived.url);
      expect(first.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stale = await signed(target, { ...opts, challenge: first.challenge, nc: '00000002' }, shortLived.url);
      expect(stale.status).toBe(401);
      expect(challengeOf(stale).stale).toBe('true');
      const wrong = await signed(target, { ...opts, key: 'wrong', challenge: first.challenge, nc: '00000003' }, shortLived.url);
      expect(challengeOf(wrong).stale).toBeUndefined();
    } finally {
      await shortLived.close();
    }
  });
});

describe('limits, rights and the firewall', () => {
  it('answers the 6th call of a second per API user 429 and counts it over the limit, per user', async () => {
    const clock = await createClockSimulator();
    try {
      const c = new SimulatorControl(clock.url);
      const a = await c.addHotel(SPEC);
      const b = await c.addHotel({ ...SPEC, seed: 43 });
      const challenge = challengeOf(await raw(`${base(a)}/rooms/`, {}, clock.url));
      const call = (h: SimHotel, n: number) =>
        signed(`${base(h)}/rooms/`, { user: String(h.credentials.apiUser), key: String(h.credentials.apiKey), challenge, nc: n.toString(16).padStart(8, '0') }, clock.url);
      const answers = [];
      for (let n = 1; n <= 6; n++) answers.push(await call(a, n));
      expect(answers.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(answers[5]!.text).toBe('Retry later\n');
      expect(answers[5]!.headers.get('retry-after')).toBeNull();
      // Another API user has its own five.
      expect((await call(b, 1)).status).toBe(200);
      const stats = await c.stats();
      expect(stats.byScope[userScope(String(a.credentials.apiUser))]).toEqual({ requests: 6, overLimit: 1 });
      expect(stats.byScope[userScope(String(b.credentials.apiUser))]).toEqual({ requests: 1, overLimit: 0 });
      expect(stats.overLimit).toBe(1);
      // The unsigned challenge request names no user.
      expect(stats.requests).toBe(8);
    } finally {
      await clock.close();
    }
  });

  it('lets hotels of one subscription share an API user, its profiles and its limit', async () => {
    const group = await control.addHotel(extended({ ...SPEC, apiUser: 'group_api', apiKey: 'group-key' }));
    const sister = await control.addHotel(extended({ ...SPEC, seed: 7, apiUser: 'group_api' }));
    expect(sister.credentials).toEqual({ apiUser: 'group_api', apiKey: 'group-key', subscriptionId: group.credentials.subscriptionId, region: 'eu1' });
    expect(sister.vendorPropertyId).not.toBe(group.vendorPropertyId);
    const guestOfGroup = (await control.addReservation(group.vendorPropertyId, { arrivalDate: localDay(ZONE, 0), departureDate: localDay(ZONE, 1), guest: { lastName: 'Shared' } })).guestVendorId;
    const seen = await signed(`${base(sister)}/guests/${guestOfGroup}`, { user: 'group_api', key: 'group-key' });
    expect(seen.json()).toMatchObject({ last_name: 'Shared' });
    await expect(control.addHotel(extended({ ...SPEC, apiUser: 'group_api', apiKey: 'another-key' }))).rejects.toThrow(/400/);
  });

  it('refuses a missing right and a foreign account with Clock’s JSON error', async () => {
    const limited = await control.addHotel(extended({ ...SPEC, rights: ['pms_api_rooms_index'] }));
    const opts = { user: String(limited.credentials.apiUser), key: String(limited.credentials.apiKey) };
    expect((await signed(`${base(limited)}/rooms/`, opts)).status).toBe(200);
    const refused = await signed(`${base(limited)}/bookings/`, opts);
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({ error: "The User doesn't have pms_api_bookings_index right" });
    const foreign = await signed(`/pms_api/${String(limited.credentials.subscriptionId)}/${hotel.vendorPropertyId}/rooms/`, opts);
    expect(foreign.status).toBe(403);
    expect(foreign.json()).toEqual({ error: `The User doesn't have access to account ${hotel.vendorPropertyId}` });
  });

  it('bans an address that keeps calling into 429s, with the firewall’s own page, until reset', async () => {
    const clock = await createClockSimulator({ limit: { perUser: 1, windowMs: 60_000 }, firewall: { refusalsBeforeBan: 3, windowMs: 60_000, banMs: 60_000 } });
    try {
      const c = new SimulatorControl(clock.url);
      const h = await c.addHotel(SPEC);
      const challenge = challengeOf(await raw(`${base(h)}/rooms/`, {}, clock.url));
      const opts = { user: String(h.credentials.apiUser), key: String(h.credentials.apiKey), challenge };
      const statuses = [];
      for (let n = 1; n <= 5; n++) statuses.push((await signed(`${base(h)}/rooms/`, { ...opts, nc: n.toString(16).padStart(8, '0') }, clock.url)).status);
      expect(statuses).toEqual([200, 429, 429, 429, 403]);
      const banned = await raw(`${base(h)}/rooms/`, {}, clock.url);
      expect(banned.status).toBe(403);
      expect(banned.headers.get('content-type')).toMatch(/text\/html/);
      await c.reset();
      expect((await raw(`${base(h)}/rooms/`, {}, clock.url)).status).toBe(401);
    } finally {
      await clock.close();
    }
  });
});

describe('pms_api', () => {
  it('lists booking ids by page with strict and inclusive filters, equality and arrays, every status', async () => {
    const all = (await signed(`${base()}/bookings/?per_page=500`)).json() as number[];
    expect(all).toHaveLength(12);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push((await signed(`${base()}/bookings/?per_page=5&page=${page}`)).json() as number[]);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat()).toEqual(all);
    const today = localDay(ZONE, 0);
    const strict = (await signed(`${base()}/bookings/?arrival.gt=${localDay(ZONE, -1)}&arrival.lt=${localDay(ZONE, 1)}`)).json() as number[];
    const inclusive = (await signed(`${base()}/bookings/?arrival.gteq=${today}&arrival.lteq=${today}`)).json() as number[];
    expect(strict).toEqual(inclusive);
    expect(strict).toHaveLength(3);
    const account = sim.store.accounts.get(Number(hotel.vendorPropertyId))!;
    const [one, two] = strict.map((id) => account.bookings.get(id)!);
    one!.status = 'canceled';
    two!.status = 'no_show';
    expect(((await signed(`${base()}/bookings/?arrival.gteq=${today}&arrival.lteq=${today}`)).json() as number[]).length).toBe(3);
    expect((await signed(`${base()}/bookings/?status[]=canceled&status[]=no_show`)).json()).toEqual(expect.arrayContaining([one!.id, two!.id]));
    expect((await signed(`${base()}/bookings/?number=${one!.number}`)).json()).toEqual([one!.id]);
    expect((await signed(`${base()}/bookings/?arrival.gt=tomorrow`)).status).toBe(400);
    expect((await signed(`${base()}/bookings/?per_page=501`)).status).toBe(400);
  });

  it('answers a booking, its guests with their profiles, and Clock’s refusals', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 1), departureDate: localDay(ZONE, 3), guest: { firstName: 'Sanne', lastName: 'de Vries', phone: '06-12345678' }, roomNumber: '101', adults: 2 });
    const booking = await signed(`${base()}/bookings/${made.reservationVendorId}`);
    expect(booking.headers.get('content-type')).toMatch(/application\/json/);
    expect(booking.json()).toMatchObject({ id: Number(made.reservationVendorId), number: made.confirmationNumber, arrival: localDay(ZONE, 1), departure: localDay(ZONE, 3), status: 'expected', adults: 2, account_id: Number(hotel.vendorPropertyId) });
    const guests = (await signed(`${base()}/bookings/${made.reservationVendorId}/booking_guests`)).json();
    expect(guests).toEqual([expect.objectContaining({ guest_id: Number(made.guestVendorId), main_booking_guest: true, guest: expect.objectContaining({ first_name: 'Sanne', last_name: 'de Vries', phone_number: '06-12345678' }) })]);
    const missing = await signed(`${base()}/bookings/1`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: "Couldn't find Booking with 'id'=1" });
    // Routing comes before authentication, as in a Rails application.
    expect((await raw(`${base()}/no_such_thing/`)).status).toBe(404);
  });

  it('creates a charge for a booking, refuses invalid fields as Rails does, and lists what was made for the booking', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 0), departureDate: localDay(ZONE, 1), guest: { lastName: 'Smit' } });
    const target = `${base()}/bookings/${made.reservationVendorId}/charges_by_source`;
    const charge = { text: 'Minibar', price: '12.50', currency: 'EUR', revenue_group: 'extra', service_date: localDay(ZONE, 0), print_text: 'Minibar' };
    const created = await signed(target, { method: 'POST', ...json({ charge }) });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ text: 'Minibar', price_cents: 1250, qty: 1, currency: 'EUR', gross_value_cents: 1250, source_id: Number(made.reservationVendorId), source_type: 'Booking', folio_id: expect.any(Number) });
    const invalid = await signed(target, { method: 'POST', ...json({ charge: { ...charge, price: 'ten', currency: 'euro', text: '', revenue_group: 'gifts' } }) });
    expect(invalid.status).toBe(422);
    expect(invalid.json()).toEqual({ errors: { text: ["can't be blank"], price: ['is not a number'], currency: ['is not a currency'], revenue_group: ['is not included in the list'] } });
    expect((await signed(target, { method: 'POST', ...json({ text: 'no root' }) })).status).toBe(400);
    expect((await signed(target, { method: 'POST', body: JSON.stringify({ charge }), headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect((await signed(target)).json()).toEqual([expect.objectContaining({ text: 'Minibar' })]);
    expect(await control.charges(hotel.vendorPropertyId)).toEqual([{ vendorId: expect.any(String), reservationVendorId: made.reservationVendorId, reference: null, amount: '12.50', currency: 'EUR', description: 'Minibar' }]);
  });

  it('updates a guest profile, clearing with null, with a later updated_at', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 0), departureDate: localDay(ZONE, 1), guest: { lastName: 'Jansen', email: 'j@example.nl' } });
    const before = (await signed(`${base()}/guests/${made.guestVendorId}`)).json() as { updated_at: string };
    const updated = await signed(`${base()}/guests/${made.guestVendorId}`, { method: 'PUT', ...json({ guest: { e_mail: null, phone_number: '06-11112222', unknown: 'dropped' } }) });
    expect(updated.status).toBe(200);
    expect(updated.json()).toMatchObject({ e_mail: null, phone_number: '06-11112222', last_name: 'Jansen' });
    expect(Date.parse((updated.json() as { updated_at: string }).updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    expect((await signed(`${base()}/guests/${made.guestVendorId}`, { method: 'PUT', ...json({ guest: { e_mail: 'nope' } }) })).json()).toEqual({ errors: { e_mail: ['is invalid'] } });
    expect((await signed(`${base()}/guests/search?q=jans`)).json()).toEqual(expect.arrayContaining([expect.objectContaining({ id: Number(made.guestVendorId) })]));
  });

  it('lists rooms with their housekeeping status and room types', async () => {
    const rooms = (await signed(`${base()}/rooms/`)).json() as Array<{ name: string; housekeeping_status: string; floor: string; room_type_id: number }>;
    expect(rooms.map((r) => r.name)).toEqual(['101', '102', '103', '104', '105']);
    for (const r of rooms) expect(['', 'inspect', 'progress', 'dirty', 'checked out']).toContain(r.housekeeping_status);
    const types = (await signed(`${base()}/room_types/`)).json() as Array<{ id: number; name: string }>;
    expect(types.map((t) => t.name)).toEqual(['Double', 'Twin', 'Single', 'Suite']);
    expect(types.map((t) => t.id)).toEqual(expect.arrayContaining(rooms.map((r) => r.room_type_id)));
    expect((await signed(`${base()}/rooms/?name=103`)).json()).toEqual([expect.objectContaining({ name: '103' })]);
  });
});

describe('control protocol', () => {
  it('seeds the same hotel from the same seed, with arrivals on its local days and national-format phones', async () => {
    const account = () => sim.store.accounts.get(Number(hotel.vendorPropertyId))!;
    const snapshot = () => {
      const a = account();
      const guests = sim.store.subscriptionOf(a).guests;
      return [...a.bookings.values()].map((b) => ({ id: b.id, number: b.number, arrival: b.arrival, status: b.status, guest: guests.get(a.bookingGuests.get(b.id)![0]!.guest_id)!.phone_number }));
    };
    const first = snapshot();
    await control.reset();
    hotel = await control.addHotel(SPEC);
    expect(snapshot()).toEqual(first);
    const days = new Set(first.map((b) => b.arrival));
    expect([...days].sort()).toEqual([-1, 0, 1, 2].map((n) => localDay(ZONE, n)));
    expect(first.filter((b) => b.arrival === localDay(ZONE, -1)).every((b) => b.status === 'checked_in')).toBe(true);

    const phones = [];
    const big = await control.addHotel({ ...SPEC, arrivalsPerDay: 40, seed: 5 });
    const a = sim.store.accounts.get(Number(big.vendorPropertyId))!;
    for (const g of sim.store.subscriptionOf(a).guests.values()) phones.push(g.phone_number);
    expect(phones.some((p) => p !== null && /^06-\d{8}$/.test(p))).toBe(true);
    expect(phones.some((p) => p !== null && /^\+31 \(0\)6 \d{4} \d{4}$/.test(p))).toBe(true);
    expect(phones.some((p) => p !== null && !/\d{6}/.test(p))).toBe(true);
  });

  it('changes reservations and guests as the staff do, each change a new updated_at', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 0), departureDate: localDay(ZONE, 2), guest: { lastName: 'Bakker' } });
    const booking = sim.store.accounts.get(Number(hotel.vendorPropertyId))!.bookings.get(Number(made.reservationVendorId))!;
    const was = booking.updated_at;
    await control.changeReservation(hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled', roomNumber: '102', arrivalDate: localDay(ZONE, 1), departureDate: localDay(ZONE, 3) });
    expect(booking).toMatchObject({ status: 'canceled', arrival: localDay(ZONE, 1), departure: localDay(ZONE, 3) });
    expect(booking.updated_at > was).toBe(true);
    await control.changeReservation(hotel.vendorPropertyId, made.reservationVendorId, { status: 'checked_in' });
    expect(booking.status).toBe('checked_in');
    await control.changeGuest(hotel.vendorPropertyId, made.guestVendorId, { email: 'b@example.nl', phone: '' });
    const guest = (await signed(`${base()}/guests/${made.guestVendorId}`)).json();
    expect(guest).toMatchObject({ e_mail: 'b@example.nl', phone_number: null });
    await expect(control.changeReservation(hotel.vendorPropertyId, '1', { status: 'cancelled' })).rejects.toThrow(/404/);
  });

  it('applies a write whose answer it then loses, and answers 503 in an outage', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 0), departureDate: localDay(ZONE, 1), guest: { lastName: 'Vos' } });
    const target = `${base()}/bookings/${made.reservationVendorId}/booking_self_service_to_dos`;
    const challenge = challengeOf(await raw(target));
    await control.setFaults({ loseAnswers: 1 });
    await expect(signed(target, { method: 'POST', challenge, nc: '00000001', ...json({ self_service_to_do: { text: 'Late', date: localDay(ZONE, 0) } }) })).rejects.toThrow();
    expect(await control.notes(hotel.vendorPropertyId)).toEqual([{ vendorId: expect.any(String), reservationVendorId: made.reservationVendorId, text: 'Late' }]);
    await control.setFaults({ outage: true });
    expect((await raw(target)).status).toBe(503);
    await expect(control.setFaults({ outage: 'yes' } as never)).rejects.toThrow(/400/);
    await control.setFaults({});
  });

  it('churns: new, moved, re-roomed or canceled arrivals, each a change the next poll sees', async () => {
    const account = sim.store.accounts.get(Number(hotel.vendorPropertyId))!;
    const before = JSON.stringify([...account.bookings.values()]);
    for (let i = 0; i < 10; i++) churnOnce(sim.store, account);
    expect(JSON.stringify([...account.bookings.values()])).not.toBe(before);
  });

  it('runs on its own from main.ts with --port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('src/integrations/pms/clock/simulator/main.ts'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = /listening on (\S+)/.exec(line.toString())![1]!;
      expect((await raw('/__sim/stats', {}, url)).json()).toEqual({ requests: 0, overLimit: 0, byScope: {} });
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
