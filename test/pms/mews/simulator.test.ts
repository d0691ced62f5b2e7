import { createMewsSimulator, DEMO_CLIENT_TOKEN, type MewsSimulator, tokenScope } from '../../../src/integrations/pms/mews/simulator';
import { type SimHotel, type SimHotelSpec, SimulatorControl } from '../../../src/integrations/pms/simulator-control';
import { localDay } from './helpers';
import { simulatorHooks, withControl } from '../helpers/simulator-hooks';

// Wire checks that keep the simulator honest to Mews' documentation, over raw HTTP (no adapter involved).

const ZONE = 'Europe/Amsterdam';
const SPEC: SimHotelSpec = { name: 'Wire Hotel', timezone: ZONE, country: 'NL', rooms: 5, arrivalsPerDay: 3, seed: 42 };

let sim: MewsSimulator;
let control: SimulatorControl;
let hotel: SimHotel;

simulatorHooks({ start: async () => ({ sim, control } = await withControl(createMewsSimulator())), simulator: () => sim });
beforeEach(async () => {
  await control.reset();
  hotel = await control.addHotel(SPEC);
});

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function post(path: string, body: Record<string, unknown>, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...init });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function auth(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ClientToken: DEMO_CLIENT_TOKEN, AccessToken: hotel.credentials.accessToken, Client: 'Wire Test 1.0', ...extra };
}

const op = (name: string, body: Record<string, unknown>) => post(`/api/connector/v1/${name}`, body);

function expectError(answer: Answer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({ Message: expect.any(String), RequestId: answer.headers.get('request-id') });
}

test('addresses match exactly: case, trailing slash, version and method', async () => {
  const body = auth({ Limitation: { Count: 10 } });
  const ok = await op('reservations/getAll/2023-06-06', body);
  expect(ok.status).toBe(200);
  expect(ok.headers.get('request-id')).toMatch(/\S/);
  expectError(await op('reservations/GetAll/2023-06-06', body), 404);
  expectError(await op('Reservations/getAll/2023-06-06', body), 404);
  expectError(await op('reservations/getAll/2023-06-06/', body), 404);
  expectError(await op('reservations/getAll', body), 404);
  const get = await fetch(`${sim.url}/api/connector/v1/reservations/getAll/2023-06-06`);
  expect(get.status).toBe(404);
});

test('tokens and Client are checked: 401 for a wrong token, 400 without Client', async () => {
  const body = { Extent: { Resources: true }, Limitation: { Count: 10 } };
  expectError(await op('resources/getAll', auth({ ...body, ClientToken: 'nope' })), 401);
  expectError(await op('resources/getAll', auth({ ...body, AccessToken: 'nope' })), 401);
  const { Client: _client, ...noClient } = auth(body);
  expectError(await op('resources/getAll', noClient), 400);
  expect((await op('resources/getAll', auth(body))).status).toBe(200);
});

test('Limitation is required and bounded; Extent where Mews requires it', async () => {
  expectError(await op('reservations/getAll/2023-06-06', auth()), 400);
  expectError(await op('reservations/getAll/2023-06-06', auth({ Limitation: { Count: 0 } })), 400);
  expectError(await op('reservations/getAll/2023-06-06', auth({ Limitation: { Count: 1001 } })), 400);
  expectError(await op('resources/getAll', auth({ Limitation: { Count: 10 } })), 400);
  expectError(await op('customers/getAll', auth({ Extent: { Customers: true }, Limitation: { Count: 10 } })), 400);
  expectError(await op('serviceOrderNotes/getAll', auth({ Limitation: { Count: 10 } })), 400);
  expectError(await op('productServiceOrders/getAll', auth({ Limitation: { Count: 10 } })), 400);
  expectError(await op('orderItems/getAll', auth({ Limitation: { Count: 10 } })), 400);
});

test('cursor paging: newest first, Cursor names the last item, an unknown cursor is refused, null only on an empty page', async () => {
  const all: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const answer = await op('reservations/getAll/2023-06-06', auth({ Limitation: { Count: 5, Cursor: cursor } }));
    expect(answer.status).toBe(200);
    const items = answer.body.Reservations as Array<{ Id: string }>;
    if (items.length === 0) {
      expect(answer.body.Cursor).toBeNull();
      break;
    }
    expect(answer.body.Cursor).toBe(items.at(-1)!.Id);
    all.push(...items.map((r) => r.Id));
    if (items.length < 5) break;
    cursor = answer.body.Cursor as string;
  }
  expect(new Set(all).size).toBe(12);
  expect(all).toHaveLength(12);
  expectError(await op('reservations/getAll/2023-06-06', auth({ Limitation: { Count: 5, Cursor: '00000000-0000-4000-8000-000000000000' } })), 400);
});

test('time intervals are UTC, inclusive on both ends, and at most three months long', async () => {
  const e = sim.store.enterprises.get(hotel.vendorPropertyId)!;
  const [first] = [...e.reservations.values()];
  const at = first!.ScheduledStartUtc;
  const exactly = await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: at, EndUtc: at }, Limitation: { Count: 100 } }));
  expect((exactly.body.Reservations as Array<{ Id: string }>).map((r) => r.Id)).toContain(first!.Id);
  expectError(await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: '2025-01-01T00:00:00Z', EndUtc: '2025-04-01T00:00:01Z' }, Limitation: { Count: 1 } })), 400);
  expect((await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: '2025-01-01T00:00:00Z', EndUtc: '2025-04-01T00:00:00Z' }, Limitation: { Count: 1 } }))).status).toBe(200);
  expectError(await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: '2025-01-02T00:00:00Z', EndUtc: '2025-01-01T00:00:00Z' }, Limitation: { Count: 1 } })), 400);
  expectError(await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: '2025-01-01 00:00', EndUtc: '2025-01-02T00:00:00Z' }, Limitation: { Count: 1 } })), 400);
  expectError(
    await op('reservations/getAll/2023-06-06', auth({ ScheduledStartUtc: { StartUtc: at, EndUtc: at }, ActualStartUtc: { StartUtc: at, EndUtc: at }, Limitation: { Count: 1 } })),
    400,
  );
});

test('the limit is 200 requests per AccessToken in 30 s: the 201st gets 429 with Retry-After and is counted at the token scope only', async () => {
  const other = await control.addHotel({ ...SPEC, seed: 43 });
  const body = auth({ Extent: { Resources: true }, Limitation: { Count: 1 } });
  for (let i = 0; i < 200; i++) expect((await op('resources/getAll', body)).status).toBe(200);
  const refused = await op('resources/getAll', body);
  expectError(refused, 429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(30);
  // Another hotel's token has its own budget.
  expect((await op('resources/getAll', { ...body, AccessToken: other.credentials.accessToken })).status).toBe(200);
  const stats = await control.stats();
  expect(stats.overLimit).toBe(1);
  expect(stats.byScope[tokenScope(String(hotel.credentials.accessToken))]).toEqual({ requests: 201, overLimit: 1 });
  expect(stats.byScope[tokenScope(String(other.credentials.accessToken))]).toEqual({ requests: 1, overLimit: 0 });
  expect(Object.keys(stats.byScope).every((k) => /^token:[0-9a-f]{16}$/.test(k))).toBe(true);
});

test('hotels sharing a portfolio token share its limit and see each other only through EnterpriseIds', async () => {
  const portfolio = 'PORTFOLIO0000000000000000000000-0000000000000000000000000000000';
  const a = await control.addHotel({ ...SPEC, seed: 1, accessToken: portfolio } as SimHotelSpec);
  const b = await control.addHotel({ ...SPEC, seed: 2, accessToken: portfolio } as SimHotelSpec);
  const both = await op('resources/getAll', { ...auth(), AccessToken: portfolio, Extent: { Resources: true }, Limitation: { Count: 100 } });
  expect(both.body.Resources).toHaveLength(10);
  const onlyA = await op('resources/getAll', { ...auth(), AccessToken: portfolio, EnterpriseIds: [a.vendorPropertyId], Extent: { Resources: true }, Limitation: { Count: 100 } });
  expect((onlyA.body.Resources as Array<{ EnterpriseId: string }>).every((r) => r.EnterpriseId === a.vendorPropertyId)).toBe(true);
  expect(b.credentials.accessToken).toBe(portfolio);
});

test('faults: an outage answers 503, a lost answer applies the write and drops the connection', async () => {
  await control.setFaults({ outage: true });
  expectError(await op('resources/getAll', auth({ Extent: { Resources: true }, Limitation: { Count: 1 } })), 503);
  await control.setFaults({ loseAnswers: 1 });
  const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 1), departureDate: localDay(ZONE, 2), guest: { lastName: 'Lost' } });
  await expect(op('customers/update', auth({ CustomerId: made.guestVendorId, Phone: '06-99999999' }))).rejects.toThrow();
  expect(sim.store.enterprises.get(hotel.vendorPropertyId)!.customers.get(made.guestVendorId)!.Phone).toBe('06-99999999');
  // Only the next write: the one after answers again.
  expect((await op('customers/update', auth({ CustomerId: made.guestVendorId, Phone: '06-88888888' }))).status).toBe(200);
  await expect(control.setFaults({ bogus: true } as never)).rejects.toThrow(/400/);
});

test('customers/update leaves blank fields alone and keeps UpdatedUtc moving', async () => {
  const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(ZONE, 1), departureDate: localDay(ZONE, 2), guest: { firstName: 'Bram', lastName: 'Kuipers', email: 'bram@example.nl' } });
  const first = await op('customers/update', auth({ CustomerId: made.guestVendorId, Email: '', FirstName: 'Abraham' }));
  expect(first.body).toMatchObject({ Id: made.guestVendorId, FirstName: 'Abraham', Email: 'bram@example.nl' });
  const second = await op('customers/update', auth({ CustomerId: made.guestVendorId, FirstName: 'Bram' }));
  expect(second.body.UpdatedUtc).not.toBe(first.body.UpdatedUtc);
  expect(String(second.body.UpdatedUtc)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  expectError(await op('customers/update', auth({ CustomerId: '00000000-0000-4000-8000-000000000000', FirstName: 'X' })), 400);
});

test('the seed is deterministic and writes phones in national formats, some unparseable', async () => {
  const twin = await createMewsSimulator();
  try {
    const again = await new SimulatorControl(twin.url).addHotel(SPEC);
    expect(again.vendorPropertyId).toBe(hotel.vendorPropertyId);
    const names = (s: MewsSimulator, id: string) => [...s.store.enterprises.get(id)!.customers.values()].map((c) => [c.Id, c.LastName, c.Phone]);
    expect(names(twin, again.vendorPropertyId)).toEqual(names(sim, hotel.vendorPropertyId));
  } finally {
    await twin.close();
  }
  const big = await control.addHotel({ ...SPEC, arrivalsPerDay: 40, seed: 5 });
  const phones = [...sim.store.enterprises.get(big.vendorPropertyId)!.customers.values()].map((c) => c.Phone).filter((p): p is string => p !== null);
  expect(phones.some((p) => /^06-\d{8}$/.test(p))).toBe(true);
  expect(phones.some((p) => /^\+31 \(0\)6 \d{4} \d{4}$/.test(p))).toBe(true);
  expect(phones.some((p) => !/\d{8}/.test(p.replace(/\D/g, '')))).toBe(true);
});
