/**
 * The OPERA adapter against its in-process simulator: the token's life (cached, renewed before it
 * expires, one request at a time, one renewal on a 401), paging, OHIP's 204s, a charge whose
 * answer was lost found and not posted twice, notes, guest updates, typed failures, and the
 * limiter asked before every request.
 */
import { FailureType } from '../../../src/domain/failure-types';
import { PmsFailureType } from '../../../src/integrations/pms/errors';
import { OperaTokenCache } from '../../../src/integrations/pms/opera-cloud/auth';
import { failureOf } from '../helpers/failures';
import { postNoteThenLostNote } from '../helpers/lost-answers';
import { simulatorHooks } from '../helpers/simulator-hooks';
import { type Harness, harness, localDay, logger } from './helpers';

describe('the token', () => {
  let h: Harness;
  simulatorHooks({ each: true, start: async () => (h = await harness()), simulator: () => h.sim });

  it('is requested once and shared by every call and every adapter of the environment', async () => {
    const a = h.adapter();
    const b = h.adapter();
    await a.listRooms();
    await b.listArrivals({ from: localDay(0), to: localDay(1) });
    await Promise.all(Array.from({ length: 8 }, () => a.getReservation('100001')));
    expect(h.tokens.requests).toBe(1);
    expect(h.sim.context.tokens.tokenStats().issued).toBe(1);
  });

  it('is requested once by callers that arrive together', async () => {
    const adapter = h.adapter();
    await Promise.all(Array.from({ length: 10 }, () => adapter.getGuest('300001')));
    expect(h.tokens.requests).toBe(1);
  });

  it('is renewed after about 50 of its 60 minutes, not before', async () => {
    let now = Date.now();
    const tokens = new OperaTokenCache(() => now);
    const adapter = h.adapter({ tokens });
    await adapter.listRooms();
    now += 49 * 60_000;
    await adapter.listRooms();
    expect(tokens.requests).toBe(1);
    now += 2 * 60_000;
    await adapter.listRooms();
    expect(tokens.requests).toBe(2);
    // Renewed ahead of time: OPERA never had to refuse a token.
    expect(h.sim.context.tokens.tokenStats().refused).toBe(0);
  });

  it('is renewed once when OPERA refuses it (401), and the call is repeated once', async () => {
    const adapter = h.adapter();
    await adapter.listRooms();
    h.sim.expireTokens();
    const rooms = await Promise.all([adapter.listRooms(), adapter.listRooms(), adapter.getGuest('300001')]);
    expect(rooms[0]).toHaveLength(12);
    expect(h.tokens.requests).toBe(2);
    expect(h.sim.context.tokens.tokenStats().refused).toBe(3);
  });

  it('that keeps being refused means the credentials are wrong: PmsUnauthorized, not retried', async () => {
    await h.sim.close();
    // Tokens expire before OPERA reads them: every data call is refused, the renewed token too.
    h = await harness({ tokenLifetimeSeconds: 1 });
    await h.control.setFaults({ latencyMs: 1100 });
    const failure = await failureOf(h.adapter().listRooms());
    expect(failure.type).toBe(PmsFailureType.Unauthorized);
    expect(failure.nonRetryable).toBe(true);
    expect(h.tokens.requests).toBe(2);
  });

  it('refused at the token endpoint (wrong secret) is PmsUnauthorized', async () => {
    const failure = await failureOf(h.adapter({ settings: { ...h.settings, clientSecret: 'wrong' } }).listRooms());
    expect(failure.type).toBe(PmsFailureType.Unauthorized);
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('reads', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness({ maxPageSize: 3 }, { rooms: 12, arrivalsPerDay: 5 })), simulator: () => h.sim });

  it('follow hasMore across pages, whatever page size OPERA grants', async () => {
    const before = (await h.control.stats()).requests;
    const arrivals = await h.adapter({ pageSize: 100 }).listArrivals({ from: localDay(0), to: localDay(1) });
    const expected = [...h.sim.context.store.hotels.get(h.hotel.vendorPropertyId)!.reservations.values()].filter((r) => r.arrival <= localDay(1));
    expect(arrivals.map((a) => a.reservation.vendorId).sort()).toEqual(expected.map((r) => r.id).sort());
    expect((await h.control.stats()).requests - before).toBeGreaterThanOrEqual(Math.ceil(expected.length / 3));
    for (const a of arrivals) expect([localDay(0), localDay(1)]).toContain(a.reservation.arrivalDate);
    expect(await h.adapter({ pageSize: 5 }).listRooms()).toHaveLength(12);
  });

  it('include cancelled arrivals as cancelled, and the guest is read from the profile', async () => {
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(3), guest: { firstName: 'Jan', lastName: 'Jansen', phone: '+31 (0)6 1234 5678', messagingConsent: true } });
    await h.control.changeReservation(h.hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled' });
    const arrival = (await h.adapter().listArrivals({ from: localDay(1), to: localDay(1) })).find((a) => a.reservation.vendorId === made.reservationVendorId);
    expect(arrival).toEqual({ reservation: expect.objectContaining({ status: 'cancelled', confirmationNumber: made.confirmationNumber, guestVendorId: made.guestVendorId }), guest: null });
    await expect(h.adapter().getGuest(made.guestVendorId)).resolves.toMatchObject({ firstName: 'Jan', lastName: 'Jansen', phone: '+31 (0)6 1234 5678', messagingConsent: true, nationality: 'NL' });
  });

  it('map OHIP’s 204s to nothing: unknown reservation and guest, a day without arrivals, a folio without postings, a hotel without rooms', async () => {
    const adapter = h.adapter();
    await expect(adapter.getReservation('999999999')).resolves.toBeNull();
    await expect(adapter.getGuest('999999999')).resolves.toBeNull();
    await expect(adapter.listArrivals({ from: localDay(300), to: localDay(301) })).resolves.toEqual([]);
    await expect(adapter.findCharge('100001', 'no-such-charge')).resolves.toBeNull();
    await expect(adapter.findNote('999999999', 'no-such-note')).resolves.toBeNull();
    const empty = await h.control.addHotel({ name: 'Empty', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 0, arrivalsPerDay: 0, seed: 1 });
    await expect(h.adapter({ hotel: empty.vendorPropertyId }).listRooms()).resolves.toEqual([]);
  });

  it('search by confirmation number and by surname', async () => {
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(2), departureDate: localDay(4), guest: { lastName: 'Zwaan' } });
    const adapter = h.adapter();
    await expect(adapter.searchReservations({ confirmationNumber: made.confirmationNumber })).resolves.toEqual([expect.objectContaining({ vendorId: made.reservationVendorId })]);
    expect((await adapter.searchReservations({ lastName: 'zwa' })).map((r) => r.vendorId)).toContain(made.reservationVendorId);
    expect((await failureOf(adapter.searchReservations({}))).type).toBe(PmsFailureType.Rejected);
  });
});

describe('writes', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness()), simulator: () => h.sim, faultsOf: () => h.control });
  const reservation = () => h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222', email: 'emma@example.nl' } });
  const folio = async (reservationId: string) => (await h.control.charges(h.hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === reservationId);

  it('post a charge with the reference as postingReference and the property’s transaction code', async () => {
    const made = await reservation();
    const posted = await h.adapter().postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar', reference: 'ref-1' });
    expect(posted).toMatchObject({ reference: 'ref-1', amount: { amount: '12.50', currency: 'EUR' }, postedAt: expect.any(String) });
    expect(await folio(made.reservationVendorId)).toEqual([expect.objectContaining({ vendorId: posted.vendorId, reference: 'ref-1', amount: '12.5', description: 'Minibar' })]);
    const posting = h.sim.context.store.hotels.get(h.hotel.vendorPropertyId)!.postings.find((p) => String(p.transactionNo) === posted.vendorId)!;
    expect(posting.transactionCode).toBe(h.hotel.credentials.chargeTransactionCode);
  });

  it('find a charge whose answer was lost, so that it is not posted twice', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    await h.control.setFaults({ loseAnswers: 1 });
    const lost = await failureOf(adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '4.00', currency: 'EUR' }, description: 'Parking', reference: 'lost-1' }));
    expect(lost.nonRetryable).toBe(false);
    expect(lost.type).toBe(FailureType.VendorOutcomeUnknown);
    // Check before retry: found by its reference alone; another request's reference finds nothing.
    await expect(adapter.findCharge(made.reservationVendorId, 'lost-1')).resolves.toMatchObject({ reference: 'lost-1', amount: { amount: '4.00', currency: 'EUR' } });
    await expect(adapter.findCharge(made.reservationVendorId, 'lost-2')).resolves.toBeNull();
    expect(await folio(made.reservationVendorId)).toHaveLength(1);
  });

  it('find a charge among many, across folio windows and pages', async () => {
    await h.sim.close();
    h = await harness({ maxPageSize: 2 });
    const made = await reservation();
    const adapter = h.adapter({ pageSize: 2 });
    for (let i = 1; i <= 5; i++) await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '1.00', currency: 'EUR' }, description: 'Same text', reference: `many-${i}` });
    const fifth = (await folio(made.reservationVendorId)).find((c) => c.reference === 'many-5')!;
    await expect(adapter.findCharge(made.reservationVendorId, 'many-5')).resolves.toMatchObject({ vendorId: fifth.vendorId });
  });

  it('send a reference longer than postingReference holds as a stable digest, found the same way', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const long = `key-${'x'.repeat(2100)}`;
    const posted = await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '2.00', currency: 'EUR' }, description: 'Long', reference: long });
    expect((await folio(made.reservationVendorId))[0]!.reference).toMatch(/^relay-[0-9a-f]{32}$/);
    await expect(adapter.findCharge(made.reservationVendorId, long)).resolves.toMatchObject({ vendorId: posted.vendorId, reference: long });
  });

  it('post a note as a reservation comment and find it by its marker, also after a lost answer', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    await postNoteThenLostNote(adapter, h.control, h.hotel, made.reservationVendorId);
  });

  it('update a guest: name, phone, e-mail, language and preferences; the version follows every change, the hotel’s too', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const before = (await adapter.getGuest(made.guestVendorId))!;
    const after = await adapter.updateGuest(made.guestVendorId, { firstName: 'Emmy', phone: '+31 6 33334444', email: 'emmy@example.nl', language: 'en', preferences: ['ROOM:HF', 'PILLOW:FOAM'] });
    expect(after).toMatchObject({ firstName: 'Emmy', lastName: 'Meijer', phone: '+31 6 33334444', email: 'emmy@example.nl', language: 'en', preferences: ['ROOM:HF', 'PILLOW:FOAM'] });
    expect(after.version).not.toBe(before.version);
    // The phone and e-mail entries were changed in place, not added.
    const profile = h.sim.context.store.profiles.get(made.guestVendorId)!;
    expect(profile.phoneId).not.toBeNull();
    const trimmed = await adapter.updateGuest(made.guestVendorId, { preferences: ['PILLOW:FOAM'] });
    expect(trimmed.preferences).toEqual(['PILLOW:FOAM']);
    await expect(adapter.getGuest(made.guestVendorId)).resolves.toEqual(trimmed);
    await h.control.changeGuest(h.hotel.vendorPropertyId, made.guestVendorId, { lastName: 'Meyer' });
    expect((await adapter.getGuest(made.guestVendorId))!.version).not.toBe(trimmed.version);
  });

  it('refuse what OPERA’s profile update cannot do, and a profile that does not exist', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    expect((await failureOf(adapter.updateGuest(made.guestVendorId, { email: null }))).type).toBe(PmsFailureType.Rejected);
    expect((await failureOf(adapter.updateGuest(made.guestVendorId, { preferences: ['high floor'] }))).type).toBe(PmsFailureType.Rejected);
    expect((await failureOf(adapter.updateGuest('999999999', { firstName: 'X' }))).type).toBe(PmsFailureType.NotFound);
  });
});

describe('failures', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness()), simulator: () => h.sim, faultsOf: () => h.control });

  it('OPERA’s refusals are typed and never retried: 400 → rejected with OPERA’s message, 404 → not found, 403 → unauthorized', async () => {
    const adapter = h.adapter();
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Visser' } });
    await h.control.changeReservation(h.hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled' });
    const charge = { amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'refused' };
    const rejected = await failureOf(adapter.postCharge({ ...charge, reservationVendorId: made.reservationVendorId }));
    expect(rejected).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    expect(rejected.message).toContain('Cancelled');
    expect(rejected.details?.[0]).toMatchObject({ status: 400, operation: 'postBillingCharges', errorCode: 'RESERVATION_CLOSED' });
    expect(await failureOf(adapter.postCharge({ ...charge, reservationVendorId: '999999999' }))).toMatchObject({ type: PmsFailureType.NotFound, nonRetryable: true });
    expect(await failureOf(h.adapter({ hotel: 'NOSUCHHOTEL' }).listRooms())).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    // Without a transaction code there is nothing to post with.
    expect(await failureOf(h.adapter({ credentials: {} }).postCharge({ ...charge, reservationVendorId: '100001' }))).toMatchObject({ type: PmsFailureType.Rejected });
  });

  it('OPERA failing is retryable: outage, 5xx, 429', async () => {
    const adapter = h.adapter();
    await adapter.listRooms();
    await h.control.setFaults({ outage: true });
    expect(await failureOf(adapter.listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    await h.control.setFaults({ error5xxRate: 1 });
    expect((await failureOf(adapter.getGuest('300001'))).nonRetryable).toBe(false);
    await h.control.setFaults({ rate429Rate: 1 });
    expect(await failureOf(adapter.getGuest('300001'))).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
  });

  it('asks the limiter before every request it sends, token requests included', async () => {
    const adapter = h.adapter({ tokens: new OperaTokenCache() });
    const before = { throttled: h.throttled.count, requests: (await h.control.stats()).requests };
    await adapter.listArrivals({ from: localDay(0), to: localDay(2) });
    await adapter.listRooms();
    await adapter.getGuest('300001');
    const sent = (await h.control.stats()).requests - before.requests;
    expect(sent).toBeGreaterThanOrEqual(4);
    expect(h.throttled.count - before.throttled).toBe(sent);
  });
});

test('a token request that fails for a passing reason leaves the current token in use until it expires', async () => {
  const h = await harness();
  try {
    let now = Date.now();
    const tokens = new OperaTokenCache(() => now);
    const adapter = h.adapter({ tokens });
    await adapter.listRooms();
    now += 55 * 60_000;
    // The renewal answers 503; the token OPERA issued is still good for five minutes.
    const seen: string[] = [];
    await h.control.setFaults({ error5xxRate: 1 });
    const renewal = tokens.token(h.settings, { logger, withinLimit: (send) => send() }).then((t) => seen.push(t));
    await renewal;
    expect(seen).toHaveLength(1);
    expect(tokens.requests).toBe(2);
  } finally {
    await h.sim.close();
  }
});
