/**
 * Wire checks: every request Relay's OPERA adapter sends to the simulator, and every answer the
 * simulator gives, validated against Oracle's OHIP 25.5 OpenAPI specifications (operation, query
 * parameters, required headers, request and answer bodies, declared statuses). The simulator is
 * written from the specs and the adapter is not its source, so a misunderstanding on either side
 * shows here.
 */
import { operaCloudVendor } from '../../../src/integrations/pms/opera-cloud';
import type { SimExchange } from '../../../src/integrations/pms/opera-cloud/simulator/context';
import { OPERA_DEMO } from '../../../src/integrations/pms/opera-cloud/simulator/demo';
import { type Harness, harness, localDay, logger } from './helpers';
import { OhipSpecs } from './ohip-spec';

const specs = new OhipSpecs(['rsv', 'crm', 'csh', 'hsk']);
/** Marks the requests this test sends wrong on purpose (`x-originating-application` is an optional OHIP header). */
const DELIBERATE = 'relay-wire-check-bad-request';
const exchanges: SimExchange[] = [];
let h: Harness;

beforeAll(async () => {
  // Small pages, so that paging parameters and answers are exercised too.
  h = await harness({ record: (e) => exchanges.push(e), maxPageSize: 3 }, { rooms: 7, arrivalsPerDay: 3 });
});
afterAll(async () => {
  await h?.sim.close();
});

const dataExchanges = () => exchanges.filter((e) => !e.path.startsWith('/oauth/'));

test('the specs are the version the adapter pins', () => {
  expect(specs.versions()).toEqual([operaCloudVendor.apiVersion]);
});

test('every operation Relay uses, its requests and the simulator’s answers, validate against the OHIP specs', async () => {
  const adapter = h.adapter({ pageSize: 3 });
  const hotel = h.hotel.vendorPropertyId;
  const made = await h.control.addReservation(hotel, {
    arrivalDate: localDay(0),
    departureDate: localDay(2),
    guest: { firstName: 'Sanne', lastName: 'de Vries', phone: '06-12345678', email: 'sanne@example.nl', language: 'nl', messagingConsent: true },
  });
  const cancelled = await h.control.addReservation(hotel, { arrivalDate: localDay(1), departureDate: localDay(2), guest: { lastName: 'Jansen' } });
  await h.control.changeReservation(hotel, cancelled.reservationVendorId, { status: 'cancelled' });

  await adapter.listArrivals({ from: localDay(0), to: localDay(1) });
  await adapter.searchReservations({ confirmationNumber: made.confirmationNumber });
  await adapter.searchReservations({ lastName: 'de Vr', arrivalFrom: localDay(0), arrivalTo: localDay(2) });
  await adapter.getReservation(made.reservationVendorId);
  await adapter.getReservation('999999999');
  await adapter.getGuest(made.guestVendorId);
  await adapter.getGuest('999999999');
  await adapter.updateGuest(made.guestVendorId, { firstName: 'Sanna', phone: '+31 6 33334444', email: 'sanna@example.nl', language: 'en', preferences: ['ROOM:HF', 'PILLOW:FOAM'] });
  await adapter.updateGuest(made.guestVendorId, { preferences: ['ROOM:HF'] });
  await adapter.findCharge(made.reservationVendorId, 'nothing-yet');
  for (let i = 1; i <= 4; i++) {
    await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: `${i}.50`, currency: 'EUR' }, description: `Minibar ${i}`, reference: `wire-charge-${i}` });
  }
  await adapter.findCharge(made.reservationVendorId, 'wire-charge-4');
  await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Late arrival', reference: 'wire-note-1' });
  await adapter.findNote(made.reservationVendorId, 'wire-note-1');
  await adapter.listRooms();
  // OPERA's refusals: a charge to a cancelled reservation (400), to one that does not exist (404).
  await expect(adapter.postCharge({ reservationVendorId: cancelled.reservationVendorId, amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'wire-refused' })).rejects.toThrow();
  await expect(adapter.postCharge({ reservationVendorId: '999999999', amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'wire-missing' })).rejects.toThrow();
  // The gateway's refusals: no x-hotelid (400 with a body), a wrong application key (401 without one).
  const token = await h.tokens.token(h.settings, { logger, withinLimit: (send) => send() });
  const base = { authorization: `Bearer ${token}`, 'x-app-key': OPERA_DEMO.appKey, 'x-hotelid': hotel, 'x-originating-application': DELIBERATE };
  const { 'x-hotelid': _omitted, ...noHotel } = base;
  expect((await fetch(`${h.sim.url}/hsk/v1/hotels/${hotel}/housekeepingOverview`, { headers: noHotel })).status).toBe(400);
  expect((await fetch(`${h.sim.url}/hsk/v1/hotels/${hotel}/housekeepingOverview`, { headers: { ...base, 'x-app-key': '00000000-0000-4000-8000-000000000000' } })).status).toBe(401);

  const used = new Set<string>();
  const failures: string[] = [];
  for (const exchange of dataExchanges()) {
    const result = specs.check(exchange);
    if (result.operationId) used.add(result.operationId);
    // The deliberately bad requests break the request rules on purpose; their answers must still be OHIP's.
    const deliberate = exchange.headers['x-originating-application'] === DELIBERATE;
    const problems = [...(deliberate ? [] : result.request), ...result.response];
    if (problems.length > 0) failures.push(`${exchange.method} ${exchange.path} → ${exchange.status}: ${problems.join('; ')}`);
  }
  expect(failures).toEqual([]);
  expect([...used].sort()).toEqual(
    ['deletePreference', 'getFolio', 'getHotelReservations', 'getHousekeepingOverview', 'getProfile', 'getReservation', 'postBillingCharges', 'putProfile', 'putReservation'].sort(),
  );
  // Paging and OHIP's empty answers were on the wire, not only the happy path.
  expect(dataExchanges().filter((e) => e.path.endsWith('/reservations') && e.query.offset !== undefined && e.query.offset !== '0').length).toBeGreaterThan(0);
  expect(dataExchanges().some((e) => e.status === 204)).toBe(true);
  expect(dataExchanges().some((e) => e.status === 404 && typeof e.responseBody === 'object')).toBe(true);
});

test('the token request and answer are OHIP’s: form-encoded client credentials with the app key and enterprise, a bearer JWT for 3600 s', () => {
  const token = exchanges.find((e) => e.path === '/oauth/v1/tokens');
  expect(token).toBeDefined();
  expect(token!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  expect(token!.requestBody).toEqual({ grant_type: 'client_credentials', scope: 'urn:opc:hgbu:ws:__myscopes__' });
  expect(token!.headers.authorization).toBe(`Basic ${Buffer.from(`${OPERA_DEMO.clientId}:${OPERA_DEMO.clientSecret}`).toString('base64')}`);
  expect(token!.headers['x-app-key']).toBe(OPERA_DEMO.appKey);
  expect(token!.headers.enterpriseid).toBe(OPERA_DEMO.enterpriseId);
  expect(token!.status).toBe(200);
  expect(token!.responseBody).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
});

test('every data request carries the bearer token, the app key, the hotel, a request id and the external system code', () => {
  const sent = dataExchanges().filter((e) => e.headers['x-originating-application'] !== DELIBERATE);
  expect(sent.length).toBeGreaterThan(20);
  for (const e of sent) {
    expect(e.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(e.headers['x-hotelid']).toBe(h.hotel.vendorPropertyId);
    expect(e.headers['x-request-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(e.headers['x-externalsystem']).toBe(OPERA_DEMO.externalSystem);
  }
  // A fresh request id per request.
  expect(new Set(sent.map((e) => e.headers['x-request-id'])).size).toBe(sent.length);
});
