import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../src/domain/failure-types';
import { PmsFailureType } from '../../../src/integrations/pms/errors';
import { CloudbedsTokenCache } from '../../../src/integrations/pms/cloudbeds/auth';
import type { CloudbedsCredentials } from '../../../src/integrations/pms/cloudbeds/credentials';
import { type Harness, harness, localDay } from './helpers';

/**
 * The Cloudbeds adapter against its simulator: what goes on the wire (form bodies, field names,
 * referenceID, never postCharge), the envelope, paging, both credentials (API key; OAuth tokens
 * refreshed once for everyone, renewed once on a 401), typed failures and the limiter.
 */

async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('with a property API key', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.sim.close());
  afterEach(() => h.control.setFaults({}));

  const reservation = () => h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222', language: 'nl' } });

  it('sends every write as a form with the documented fields, the reference as referenceID, and never postCharge', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    h.exchanges.length = 0;
    await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar', itemCode: 'MINIBAR', reference: 'wire-1' });
    await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Quiet room', reference: 'wire-note-1' });
    await adapter.updateGuest(made.guestVendorId, { phone: '+31 6 33334444', language: 'en' });
    const writes = h.exchanges.filter((e) => e.method !== 'GET');
    expect(writes.map((e) => `${e.method} ${e.operation}`)).toEqual(['POST postCustomItem', 'POST postReservationNote', 'PUT putGuest']);
    for (const w of writes) {
      expect(w.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(w.url).not.toContain('?');
      expect(w.status).toBe(200);
    }
    expect(Object.fromEntries(new URLSearchParams(writes[0]!.body))).toEqual({
      propertyID: h.hotel.vendorPropertyId,
      reservationID: made.reservationVendorId,
      referenceID: 'wire-1',
      'items[0][itemSKU]': 'MINIBAR',
      'items[0][itemName]': 'Minibar',
      'items[0][itemQuantity]': '1',
      'items[0][itemPrice]': '12.50',
      'items[0][itemNote]': '[relay:wire-1]',
      itemPaid: 'false',
    });
    expect(Object.fromEntries(new URLSearchParams(writes[2]!.body))).toEqual({
      propertyID: h.hotel.vendorPropertyId,
      guestID: made.guestVendorId,
      guestCellPhone: '+31 6 33334444',
      'guestCustomFields[0][customFieldName]': 'language',
      'guestCustomFields[0][customFieldValue]': 'en',
    });
    expect(h.sim.calls.get('postCharge')).toBeUndefined();
    for (const e of h.exchanges) expect(e.headers['x-api-key']).toBe((h.hotel.credentials as { apiKey: string }).apiKey);
  });

  it('posts a retried charge once: the repeat carries the same referenceID and reports the first posting', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '8.00', currency: 'EUR' }, description: 'Breakfast', reference: 'retry-1' };
    await h.control.setFaults({ loseAnswers: 1 });
    const lost = await failureOf(adapter.postCharge(request));
    expect(lost).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    await h.control.setFaults({});
    const again = await adapter.postCharge(request);
    const found = await adapter.findCharge(made.reservationVendorId, 'retry-1');
    expect(found).toMatchObject({ vendorId: again.vendorId, reference: 'retry-1', amount: { amount: '8.00', currency: 'EUR' } });
    const folio = (await h.control.charges(h.hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === made.reservationVendorId);
    expect(folio).toEqual([expect.objectContaining({ reference: 'retry-1', amount: '8.00' })]);
  });

  it('refuses a charge in another currency than the property’s before posting anything', async () => {
    const made = await reservation();
    const failure = await failureOf(h.adapter().postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '5.00', currency: 'USD' }, description: 'Parking', reference: 'usd-1' }));
    expect(failure).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    expect((await h.control.charges(h.hotel.vendorPropertyId)).filter((c) => c.reference === 'usd-1')).toEqual([]);
  });

  it('reads success:false answered with HTTP 200 as the refusal it is', async () => {
    const failure = await failureOf(h.adapter().postNote({ reservationVendorId: '4242', text: 'x', reference: 'nf-1' }));
    expect(failure).toMatchObject({ type: PmsFailureType.NotFound, nonRetryable: true });
    await expect(h.adapter().getGuest('4242')).resolves.toBeNull();
  });

  it('follows pageNumber until the total, with guests and rooms from the listing', async () => {
    const adapter = h.adapter({ pageSize: 3 });
    h.exchanges.length = 0;
    const arrivals = await adapter.listArrivals({ from: localDay(-1), to: localDay(2) });
    const pages = h.exchanges.filter((e) => e.operation === 'getReservations');
    // The read ends at a short page or once `total` rows came: never an extra empty page.
    expect(pages.length).toBe(Math.ceil(arrivals.length / 3));
    expect(arrivals.length).toBeGreaterThan(6);
    expect(new Set(arrivals.map((a) => a.reservation.vendorId)).size).toBe(arrivals.length);
    expect(arrivals.every((a) => a.guest !== null && a.guest.vendorId === a.reservation.guestVendorId)).toBe(true);
    expect(arrivals.some((a) => a.reservation.status === 'checked_in' && a.reservation.roomNumber !== null)).toBe(true);
  });

  it('gives a listed guest the same version getGuest gives, and reads Cloudbeds’ local times as UTC instants', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const listed = (await adapter.listArrivals({ from: localDay(0), to: localDay(0) })).find((a) => a.reservation.vendorId === made.reservationVendorId)!;
    const read = await adapter.getGuest(made.guestVendorId);
    expect(listed.guest).toEqual(read);
    expect(read).toMatchObject({ firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222', language: 'nl', nationality: 'NL', messagingConsent: null, preferences: [] });
    const updatedAt = Date.parse(listed.reservation.updatedAt!);
    expect(Math.abs(updatedAt - Date.now())).toBeLessThan(60_000);
  });

  it('refuses what putGuest cannot do: clearing a field, preferences, a language without the property’s field', async () => {
    const made = await reservation();
    expect(await failureOf(h.adapter().updateGuest(made.guestVendorId, { email: null }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await failureOf(h.adapter().updateGuest(made.guestVendorId, { preferences: ['QUIET'] }))).toMatchObject({ type: PmsFailureType.Rejected });
    const noField = { apiKey: (h.hotel.credentials as { apiKey: string }).apiKey } as CloudbedsCredentials;
    expect(await failureOf(h.adapter({ credentials: noField }).updateGuest(made.guestVendorId, { language: 'en' }))).toMatchObject({ type: PmsFailureType.Rejected });
  });

  it('turns a refused key into PmsUnauthorized, 429 into a retryable failure with Cloudbeds’ delay, and an outage into a retryable one', async () => {
    const wrong = await failureOf(h.adapter({ credentials: { apiKey: 'cbat_not_a_key_of_this_sim' } }).listRooms());
    expect(wrong).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    await h.control.setFaults({ rate429Rate: 1 });
    const limited = await failureOf(h.adapter().listRooms());
    expect(limited).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false, nextRetryDelay: 1000 });
    await h.control.setFaults({ outage: true });
    expect(await failureOf(h.adapter().getReservation('1'))).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
  });

  it('maps housekeeping: condition, blocked rooms out of service, occupancy', async () => {
    const rooms = await h.adapter().listRooms();
    expect(rooms).toHaveLength(12);
    expect(rooms.some((r) => r.occupied === true)).toBe(true);
    for (const r of rooms) expect(['clean', 'dirty', 'inspected', 'out_of_service']).toContain(r.status);
  });

  it('keeps the shared limit: a burst of reads spends no request over the key’s 5 per second', async () => {
    const before = (await h.control.stats()).overLimit;
    const adapter = h.adapter();
    await Promise.all(Array.from({ length: 12 }, () => adapter.getReservation('1')));
    expect((await h.control.stats()).overLimit).toBe(before);
  });
});

describe('with an OAuth refresh token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ tokenLifetimeSeconds: 3600 }, { auth: 'oauth' });
  });
  afterAll(() => h.sim.close());

  it('refreshes once for callers arriving together, sends the bearer token, and asks the limiter for the refresh too', async () => {
    const adapter = h.adapter();
    h.throttled.count = 0;
    h.exchanges.length = 0;
    await Promise.all(Array.from({ length: 5 }, () => adapter.getReservation('1')));
    expect(h.tokens.requests).toBe(1);
    expect(h.sim.tokens.issued).toBe(1);
    expect(h.throttled.count).toBe(6);
    const calls = h.exchanges.filter((e) => e.operation === 'getReservation');
    expect(calls.every((e) => /^Bearer \S+$/.test(String(e.headers.authorization)) && e.headers['x-api-key'] === undefined)).toBe(true);
    const refresh = h.exchanges.find((e) => e.operation === 'access_token')!;
    expect(refresh.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(refresh.body).keys()].sort()).toEqual(['client_id', 'client_secret', 'grant_type', 'refresh_token']);
  });

  it('renews a refused token once and repeats the call', async () => {
    const adapter = h.adapter();
    await adapter.listRooms();
    const issued = h.sim.tokens.issued;
    h.sim.tokens.expireAll();
    await expect(adapter.listRooms()).resolves.toHaveLength(12);
    expect(h.sim.tokens.issued).toBe(issued + 1);
  });

  it('renews before expiry, never per call', async () => {
    let now = Date.now();
    const tokens = new CloudbedsTokenCache(() => now);
    const adapter = h.adapter({ tokens });
    await adapter.getReservation('1');
    await adapter.getReservation('1');
    expect(tokens.requests).toBe(1);
    now += 51 * 60_000;
    await adapter.getReservation('1');
    expect(tokens.requests).toBe(2);
  });

  it('turns a refused refresh token into PmsUnauthorized, and a missing OAuth client too', async () => {
    const refused = await failureOf(h.adapter({ credentials: { refreshToken: 'rt_revoked_token_123' } }).listRooms());
    expect(refused).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    const noClient = await failureOf(h.adapter({ settings: { ...h.settings, oauth: null } }).listRooms());
    expect(noClient).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
  });

  it('works through the common interface as with a key', async () => {
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(3), guest: { lastName: 'Visser' } });
    const adapter = h.adapter();
    await expect(adapter.searchReservations({ confirmationNumber: made.confirmationNumber })).resolves.toEqual([expect.objectContaining({ vendorId: made.reservationVendorId, status: 'confirmed' })]);
    await expect(adapter.searchReservations({ lastName: 'Visser', arrivalFrom: localDay(1), arrivalTo: localDay(1) })).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ vendorId: made.reservationVendorId })]),
    );
  });
});
