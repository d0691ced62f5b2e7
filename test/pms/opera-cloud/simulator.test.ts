/**
 * The OPERA simulator on its own: seeded data (deterministic, national-format phones, arrivals in
 * the hotel's own days), the gateway's checks and OHIP's refusals, the environment's throttle, lost
 * answers, the control protocol and the stand-alone entry point.
 */
import { OPERA_DEMO } from '../../../src/integrations/pms/opera-cloud/simulator/demo';
import { type OperaSimulator, startOperaSimulator } from '../../../src/integrations/pms/opera-cloud/simulator/server';
import { SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { withMainRunning } from '../helpers/main-entry';
import { simulatorHooks, simulatorPool, withControl } from '../helpers/simulator-hooks';
import { localDay } from './helpers';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const spec = { name: 'Hotel Sim', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 10, arrivalsPerDay: 40, seed: 42 };

async function token(url: string, overrides: { headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${url}/oauth/v1/tokens`, {
    method: 'POST',
    headers: { authorization: basic(OPERA_DEMO.clientId, OPERA_DEMO.clientSecret), 'x-app-key': OPERA_DEMO.appKey, enterpriseId: OPERA_DEMO.enterpriseId, 'content-type': 'application/x-www-form-urlencoded', ...overrides.headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'urn:opc:hgbu:ws:__myscopes__', ...overrides.form }).toString(),
  });
}

async function bearer(url: string): Promise<string> {
  return ((await (await token(url)).json()) as { access_token: string }).access_token;
}

describe('seeded hotels', () => {
  const start = simulatorPool(() => startOperaSimulator());

  it('are the same for the same seed and differ for another', async () => {
    const snapshot = async (seed: number) => {
      const sim = await start();
      const hotel = await new SimulatorControl(sim.url).addHotel({ ...spec, seed });
      const h = sim.context.store.hotels.get(hotel.vendorPropertyId)!;
      const guests = [...h.reservations.values()].map((r) => {
        const p = sim.context.store.profiles.get(r.profileId)!;
        return [r.id, r.confirmation, r.arrival, r.departure, r.status, p.givenName, p.surname, p.phone, p.email];
      });
      return { guests, rooms: h.rooms };
    };
    const [a, b, c] = [await snapshot(42), await snapshot(42), await snapshot(43)];
    expect(b).toEqual(a);
    expect(c.guests).not.toEqual(a.guests);
  });

  it('have guests’ phones as front desks type them: national formats and some unparseable', async () => {
    const sim = await start();
    const hotel = await new SimulatorControl(sim.url).addHotel(spec);
    const h = sim.context.store.hotels.get(hotel.vendorPropertyId)!;
    const phones = [...h.reservations.values()].map((r) => sim.context.store.profiles.get(r.profileId)!.phone).filter((p): p is string => p !== null);
    expect(phones.some((p) => /^06-\d{8}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^\+31 \(0\)6 \d{4} \d{4}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^(06-\d{4}|ask at check-in|\d{3})$/.test(p))).toBe(true);
  });

  it('arrive today and the next days in the hotel’s own calendar', async () => {
    const sim = await start();
    const zone = 'Pacific/Kiritimati';
    const hotel = await new SimulatorControl(sim.url).addHotel({ ...spec, timezone: zone, arrivalsPerDay: 2 });
    const days = [...sim.context.store.hotels.get(hotel.vendorPropertyId)!.reservations.values()].map((r) => r.arrival);
    expect([...new Set(days)].sort()).toEqual([localDay(0, zone), localDay(1, zone), localDay(2, zone)]);
  });
});

describe('the gateway', () => {
  let sim: OperaSimulator;
  let hotel: string;
  beforeAll(async () => {
    sim = await startOperaSimulator();
    hotel = (await new SimulatorControl(sim.url).addHotel({ ...spec, arrivalsPerDay: 2 })).vendorPropertyId;
  });
  afterAll(async () => {
    await sim.close();
  });

  it('issues tokens for the registered client, app key, enterprise and scope only', async () => {
    const ok = await token(sim.url);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, oracle_tk_context: expect.any(String) });
    expect((await token(sim.url, { headers: { authorization: basic(OPERA_DEMO.clientId, 'wrong') } })).status).toBe(401);
    expect((await token(sim.url, { headers: { 'x-app-key': '00000000-0000-4000-8000-000000000000' } })).status).toBe(401);
    expect((await token(sim.url, { headers: { enterpriseId: 'OTHER' } })).status).toBe(401);
    expect((await token(sim.url, { form: { scope: 'other' } })).status).toBe(401);
    const grant = await token(sim.url, { form: { grant_type: 'password' } });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('checks x-app-key, the bearer token and x-hotelid on every data call, as OHIP answers them', async () => {
    const t = await bearer(sim.url);
    const url = `${sim.url}/hsk/v1/hotels/${hotel}/housekeepingOverview`;
    const headers = { authorization: `Bearer ${t}`, 'x-app-key': OPERA_DEMO.appKey, 'x-hotelid': hotel };
    expect((await fetch(url, { headers })).status).toBe(200);
    const noKey = await fetch(url, { headers: { ...headers, 'x-app-key': '' } });
    expect([noKey.status, await noKey.text()]).toEqual([401, '']);
    expect((await fetch(url, { headers: { ...headers, authorization: 'Bearer nope' } })).status).toBe(401);
    const { 'x-hotelid': _h, ...noHotel } = headers;
    const missing = await fetch(url, { headers: noHotel });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ type: expect.any(String), title: 'Bad Request', status: 400, detail: 'x-hotelid header is required' });
    expect((await fetch(url, { headers: { ...headers, 'x-hotelid': 'OTHER' } })).status).toBe(403);
    sim.expireTokens();
    expect((await fetch(url, { headers })).status).toBe(401);
  });

  it('holds the 51st and later requests of a second per environment about a second, and counts them', async () => {
    await new SimulatorControl(sim.url).reset();
    hotel = (await new SimulatorControl(sim.url).addHotel({ ...spec, arrivalsPerDay: 2 })).vendorPropertyId;
    const t = await bearer(sim.url);
    const headers = { authorization: `Bearer ${t}`, 'x-app-key': OPERA_DEMO.appKey, 'x-hotelid': hotel };
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 60 }, () => fetch(`${sim.url}/hsk/v1/hotels/${hotel}/housekeepingOverview`, { headers }).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const stats = await new SimulatorControl(sim.url).stats();
    expect(stats.byScope[`env:${OPERA_DEMO.enterpriseId}`]).toEqual({ requests: 61, overLimit: 11 });
    expect(stats).toMatchObject({ requests: 61, overLimit: 11 });
  });
});

describe('faults and controls', () => {
  let sim: OperaSimulator;
  let control: SimulatorControl;
  simulatorHooks({ each: true, start: async () => ({ sim, control } = await withControl(startOperaSimulator())), simulator: () => sim });

  it('lose a write’s answer after applying it', async () => {
    const hotel = (await control.addHotel({ ...spec, arrivalsPerDay: 1 })).vendorPropertyId;
    const made = await control.addReservation(hotel, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Bos' } });
    await control.setFaults({ loseAnswers: 1 });
    const t = await bearer(sim.url);
    const post = fetch(`${sim.url}/csh/v1/hotels/${hotel}/reservations/${made.reservationVendorId}/charges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}`, 'x-app-key': OPERA_DEMO.appKey, 'x-hotelid': hotel, 'content-type': 'application/json' },
      body: JSON.stringify({ criteria: { hotelId: hotel, reservationId: { id: made.reservationVendorId, type: 'Reservation' }, charges: [{ transactionCode: '2000', price: { amount: 3, currencyCode: 'EUR' }, postingReference: 'lost' }] } }),
    });
    await expect(post).rejects.toThrow();
    expect(await control.charges(hotel)).toEqual([expect.objectContaining({ reference: 'lost', reservationVendorId: made.reservationVendorId })]);
  });

  it('reset forgets hotels, tokens, faults and counters', async () => {
    const hotel = (await control.addHotel(spec)).vendorPropertyId;
    await token(sim.url);
    await control.setFaults({ outage: true });
    await control.reset();
    await expect(control.charges(hotel)).rejects.toThrow(/404/);
    expect(await control.stats()).toEqual({ requests: 0, overLimit: 0, byScope: {} });
    expect((await token(sim.url)).status).toBe(200);
  });

  it('churn books, changes and cancels arrivals while it runs', async () => {
    const hotel = await control.addHotel({ ...spec, arrivalsPerDay: 2, churn: { everyMs: 10 } });
    const h = sim.context.store.hotels.get(hotel.vendorPropertyId)!;
    const before = JSON.stringify([...h.reservations.values()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(JSON.stringify([...h.reservations.values()])).not.toBe(before);
  });

  it('refuse faults they do not know', async () => {
    await expect(control.setFaults({ outage: 'yes' } as never)).rejects.toThrow(/400/);
    await expect(control.setFaults({ sometimes: true } as never)).rejects.toThrow(/400/);
  });
});

test('main.ts runs the simulator on the port it is given', async () => {
  await withMainRunning('src/integrations/pms/opera-cloud/simulator/main.ts', async (url) => {
    expect((await fetch(`${url}/__sim/stats`)).status).toBe(200);
  });
}, 30_000);
