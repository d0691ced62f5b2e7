import { keyScope } from '../../../src/integrations/pms/cloudbeds/simulator/limits';
import { DUPLICATE_REFERENCE_NOTICE } from '../../../src/integrations/pms/cloudbeds/simulator/operations';
import { CLOUDBEDS_DEMO } from '../../../src/integrations/pms/cloudbeds/simulator/demo';
import { type Harness, harness, localDay, raw } from './helpers';

/**
 * The Cloudbeds simulator's wire rules, asked by hand: form bodies only on writes, known field
 * names only, the envelope, referenceID deduplication, paging, credentials and the limits at
 * their scopes, the token endpoint, lost answers.
 */

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

let h: Harness;
let key: string;
let property: string;
const pause = () => new Promise((resolve) => setTimeout(resolve, 1100));

beforeAll(async () => {
  h = await harness();
  key = (h.hotel.credentials as { apiKey: string }).apiKey;
  property = h.hotel.vendorPropertyId;
});
afterAll(() => h.sim.close());
// Each test starts with the key's second unspent.
beforeEach(pause);

const api = (path: string, init: RequestInit = {}) => raw(h.sim, path, { ...init, headers: { 'x-api-key': key, ...(init.headers as Record<string, string>) } });

async function reservation(): Promise<string> {
  const made = await h.control.addReservation(property, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { lastName: 'Smit' } });
  return made.reservationVendorId;
}

describe('writes', () => {
  it('refuses a JSON body and posts nothing', async () => {
    const id = await reservation();
    const answer = await api('/api/v1.3/postCustomItem', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ propertyID: property, reservationID: id, referenceID: 'json-1', items: [{ itemName: 'Minibar', itemPrice: '4.00', itemQuantity: '1' }] }),
    });
    expect(answer).toEqual({ status: 415, body: { success: false, message: expect.stringContaining('application/x-www-form-urlencoded') } });
    expect((await h.control.charges(property)).filter((c) => c.reservationVendorId === id)).toEqual([]);
  });

  it('refuses a field name it does not know, naming it as sent, and parameters of a write in the query', async () => {
    const id = await reservation();
    const misspelt = await api('/api/v1.3/postCustomItem', { method: 'POST', headers: FORM, body: form({ reservationID: id, 'items[0][itemname]': 'Minibar', 'items[0][itemPrice]': '4.00' }) });
    expect(misspelt).toEqual({ status: 400, body: { success: false, message: 'Unknown parameter items[0][itemname]' } });
    const inQuery = await api(`/api/v1.3/postReservationNote?reservationID=${id}`, { method: 'POST', headers: FORM, body: form({ reservationNote: 'x' }) });
    expect(inQuery.status).toBe(400);
    const unknownRead = await api(`/api/v1.3/getReservations?checkinFrom=${localDay(0)}`);
    expect(unknownRead.body).toEqual({ success: false, message: 'Unknown parameter checkinFrom' });
  });

  it('posts a referenceID once: a repeat creates nothing and answers the notice with the first posting', async () => {
    const id = await reservation();
    const body = form({ propertyID: property, reservationID: id, referenceID: 'ref-repeat-1', 'items[0][itemName]': 'Minibar', 'items[0][itemPrice]': '12.50', 'items[0][itemQuantity]': '1' });
    const first = await api('/api/v1.3/postCustomItem', { method: 'POST', headers: FORM, body });
    const second = await api('/api/v1.3/postCustomItem', { method: 'POST', headers: FORM, body });
    expect(first).toEqual({ status: 200, body: { success: true, data: { soldProductID: expect.any(String), transactionID: expect.any(String) } } });
    expect(second.body).toEqual({ success: true, data: { ...(first.body.data as object), notice: DUPLICATE_REFERENCE_NOTICE } });
    const folio = (await h.control.charges(property)).filter((c) => c.reservationVendorId === id);
    expect(folio).toEqual([expect.objectContaining({ reference: 'ref-repeat-1', amount: '12.50', currency: 'EUR', description: 'Minibar' })]);
  });

  it('keeps a card charge (postCharge) off the custom items', async () => {
    const id = await reservation();
    const answer = await api('/api/v1.3/postCharge', { method: 'POST', headers: FORM, body: form({ reservationID: id, amount: '10.00', currency: 'EUR', paymentMethodId: 'pm-1' }) });
    expect(answer.body).toMatchObject({ success: true });
    expect((await h.control.charges(property)).filter((c) => c.reservationVendorId === id)).toEqual([]);
  });

  it('answers the note id of postReservationNote beside success, not under data', async () => {
    const id = await reservation();
    const answer = await api('/api/v1.3/postReservationNote', { method: 'POST', headers: FORM, body: form({ reservationID: id, reservationNote: 'Late arrival' }) });
    expect(answer.body).toEqual({ success: true, reservationNoteID: expect.any(String) });
  });

  it('applies a write whose answer it then loses', async () => {
    const id = await reservation();
    await h.control.setFaults({ loseAnswers: 1 });
    const lost = await api('/api/v1.3/postCustomItem', { method: 'POST', headers: FORM, body: form({ reservationID: id, referenceID: 'lost-1', 'items[0][itemName]': 'Parking', 'items[0][itemPrice]': '4.00' }) }).catch((e: unknown) => e);
    // fetch's TypeError comes from another realm than the test's.
    expect(String(lost)).toMatch(/fetch failed/);
    expect((await h.control.charges(property)).filter((c) => c.reference === 'lost-1')).toHaveLength(1);
    await h.control.setFaults({});
  });
});

describe('reads', () => {
  it('answers an unknown record with success false whatever the status, and refuses a page over 100', async () => {
    expect(await api('/api/v1.3/getReservation?reservationID=999')).toEqual({ status: 200, body: { success: false, message: 'Reservation not found' } });
    expect(await api('/api/v1.3/getGuest?guestID=999')).toEqual({ status: 200, body: { success: false, message: 'Guest not found' } });
    expect((await api('/api/v1.3/getReservations?pageSize=101')).status).toBe(400);
  });

  it('pages with pageNumber and pageSize, and counts the page and the total', async () => {
    const first = await api(`/api/v1.3/getReservations?checkInFrom=${localDay(-1)}&checkInTo=${localDay(2)}&pageSize=5&pageNumber=1`);
    const last = await api(`/api/v1.3/getReservations?checkInFrom=${localDay(-1)}&checkInTo=${localDay(2)}&pageSize=5&pageNumber=4`);
    expect(first.body).toMatchObject({ success: true, count: 5, total: expect.any(Number) });
    expect(Number(first.body.total)).toBeGreaterThanOrEqual(16);
    expect((last.body.data as unknown[]).length).toBe(Math.min(5, Number(first.body.total) - 15));
  });

  it('keeps getTransactions in v1.2 only', async () => {
    expect((await api('/api/v1.3/getTransactions')).status).toBe(404);
    expect((await api('/api/v1.2/getTransactions')).body).toMatchObject({ success: true, data: expect.any(Array) });
  });

  it('seeds phones as staff type them, mobile in either field, and a language custom field', async () => {
    const rows = (await api(`/api/v1.3/getReservations?checkInFrom=${localDay(0)}&checkInTo=${localDay(2)}&includeGuestsDetails=true`)).body.data as Array<{ guestList: Record<string, { guestPhone: string; guestCellPhone: string; customFields: unknown[] }> }>;
    const guests = rows.flatMap((r) => Object.values(r.guestList));
    expect(guests.length).toBeGreaterThan(5);
    expect(guests.some((g) => /^0|\(0\)/.test(g.guestCellPhone || g.guestPhone))).toBe(true);
    expect(guests.some((g) => g.customFields.length > 0)).toBe(true);
  });
});

describe('credentials and limits', () => {
  it('refuses a missing or unknown key (401) and another property (403)', async () => {
    expect((await raw(h.sim, '/api/v1.3/getHotelDetails')).status).toBe(401);
    expect((await raw(h.sim, '/api/v1.3/getHotelDetails', { headers: { 'x-api-key': 'cbat_unknown_key_0000' } })).body).toMatchObject({ success: false });
    expect(await api('/api/v1.3/getHotelDetails?propertyID=1')).toEqual({ status: 403, body: { success: false, message: 'Access to property 1 is not granted' } });
  });

  it('answers the sixth request of a second with a property key 429 with Retry-After, counted at the key', async () => {
    const before = (await h.control.stats()).byScope[keyScope(key)]?.overLimit ?? 0;
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(new URL('/api/v1.3/getHotelDetails', h.sim.url), { headers: { 'x-api-key': key } })));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect((await h.control.stats()).byScope[keyScope(key)]?.overLimit).toBe(before + 1);
  });

  it('issues access tokens for a refresh token; counts the OAuth client’s 10 per second across its hotels', async () => {
    const a = await h.control.addHotel({ name: 'A', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 1, arrivalsPerDay: 0, seed: 1, auth: 'oauth' } as never);
    const b = await h.control.addHotel({ name: 'B', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 1, arrivalsPerDay: 0, seed: 2, auth: 'oauth' } as never);
    const token = async (refreshToken: string) =>
      (await raw(h.sim, '/api/v1.3/access_token', { method: 'POST', headers: FORM, body: form({ grant_type: 'refresh_token', client_id: CLOUDBEDS_DEMO.clientId, client_secret: CLOUDBEDS_DEMO.clientSecret, refresh_token: refreshToken }) })).body;
    const ta = await token((a.credentials as { refreshToken: string }).refreshToken);
    const tb = await token((b.credentials as { refreshToken: string }).refreshToken);
    expect(ta).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, resources: [{ type: 'property', id: a.vendorPropertyId }] });
    await pause();
    const call = (t: Record<string, unknown>) => fetch(new URL('/api/v1.3/getHotelDetails', h.sim.url), { headers: { authorization: `Bearer ${String(t.access_token)}` } });
    const answers = await Promise.all([...Array.from({ length: 6 }, () => call(ta)), ...Array.from({ length: 6 }, () => call(tb))]);
    expect(answers.filter((x) => x.status === 429)).toHaveLength(2);
    expect((await h.control.stats()).byScope[`client:${CLOUDBEDS_DEMO.clientId}`]?.overLimit).toBe(2);
  });

  it('refuses a bad client secret, an unknown refresh token and a JSON token request', async () => {
    const post = (fields: Record<string, string>) => raw(h.sim, '/api/v1.3/access_token', { method: 'POST', headers: FORM, body: form(fields) });
    expect(await post({ grant_type: 'refresh_token', client_id: CLOUDBEDS_DEMO.clientId, client_secret: 'wrong', refresh_token: 'x' })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await post({ grant_type: 'refresh_token', client_id: CLOUDBEDS_DEMO.clientId, client_secret: CLOUDBEDS_DEMO.clientSecret, refresh_token: 'rt_unknown' })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const json = await raw(h.sim, '/api/v1.3/access_token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
  });
});
