/**
 * The protel adapter against its in-process simulator: the hotel's bearer token (static: a
 * refused one is an operator's matter, never retried or refreshed), paging across pages and
 * guests read in batches, protel's "not found" as nothing, a charge whose answer was lost found
 * by its reference and not posted twice, notes, guest updates with the version following every
 * change, typed failures from SOAP faults and OTA Errors, 429s honoured without bursts, and the
 * limiter asked before every request.
 */
import { FailureType } from '../../../src/domain/failure-types';
import { PmsFailureType } from '../../../src/integrations/pms/errors';
import { postNoteThenLostNote } from '../helpers/lost-answers';
import { simulatorHooks } from '../helpers/simulator-hooks';
import { failureOf, type Harness, harness, localDay } from './helpers';

describe('the hotel token', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness()), simulator: () => h.sim });

  it('is the hotel’s own: each hotel reads with its token, and a token never opens another hotel', async () => {
    const other = await h.control.addHotel({ name: 'Other', timezone: 'Europe/Berlin', country: 'DE', rooms: 3, arrivalsPerDay: 1, seed: 9 });
    expect(other.credentials.token).not.toBe(h.hotel.credentials.token);
    await expect(h.adapter().listRooms()).resolves.toHaveLength(12);
    await expect(h.adapter({ hotel: other.vendorPropertyId, credentials: { token: String(other.credentials.token) } }).listRooms()).resolves.toHaveLength(3);
    // This hotel's token naming the other hotel: protel's authorization error, not the other hotel's rooms.
    const crossed = await failureOf(h.adapter({ hotel: other.vendorPropertyId }).listRooms());
    expect(crossed).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
  });

  it('that protel no longer accepts is PmsUnauthorized after one request: protel tokens are not refreshed, an operator replaces them', async () => {
    const adapter = h.adapter();
    await adapter.listRooms();
    const replaced = (await (await fetch(`${h.sim.url}/__sim/hotels/${h.hotel.vendorPropertyId}/token`, { method: 'POST' })).json()) as { credentials: { token: string } };
    const before = await h.requests();
    const failure = await failureOf(adapter.listRooms());
    expect(failure).toMatchObject({ type: PmsFailureType.Unauthorized, nonRetryable: true });
    expect(failure.message).toContain('bearer token is not valid');
    expect((await h.requests()) - before).toBe(1);
    // The new token works, the garbage one does not.
    await expect(h.adapter({ credentials: { token: replaced.credentials.token } }).listRooms()).resolves.toHaveLength(12);
    expect((await failureOf(h.adapter({ credentials: { token: 'pio_0000000000000000' } }).listRooms())).type).toBe(PmsFailureType.Unauthorized);
  });
});

describe('reads', () => {
  let h: Harness;
  // 30 arrivals a day: three pages of 20 for two days, and profiles in two batches of at most 50.
  simulatorHooks({ start: async () => (h = await harness({}, { arrivalsPerDay: 30, rooms: 40 })), simulator: () => h.sim });

  it('follow MoreDataEchoToken across pages and read the guests in batches of profiles', async () => {
    const before = await h.requests();
    const arrivals = await h.adapter().listArrivals({ from: localDay(0), to: localDay(1) });
    const hotel = h.sim.store.hotels.get(h.hotel.vendorPropertyId)!;
    const expected = [...hotel.reservations.values()].filter((r) => r.arrival >= localDay(0) && r.arrival <= localDay(1));
    expect(expected).toHaveLength(60);
    expect(arrivals.map((a) => a.reservation.vendorId).sort()).toEqual(expected.map((r) => r.id).sort());
    // 3 pages of reservations, 2 batches of profiles: no query per guest.
    expect((await h.requests()) - before).toBe(5);
    for (const a of arrivals) {
      expect([localDay(0), localDay(1)]).toContain(a.reservation.arrivalDate);
      expect(a.guest?.vendorId).toBe(a.reservation.guestVendorId);
    }
  });

  it('with a smaller page than protel grants, still every reservation once', async () => {
    const arrivals = await h.adapter({ pageSize: 7 }).listArrivals({ from: localDay(0), to: localDay(0) });
    expect(new Set(arrivals.map((a) => a.reservation.vendorId)).size).toBe(30);
    expect(arrivals).toHaveLength(30);
  });

  it('include cancelled arrivals as cancelled, with the guest as the front desk typed it', async () => {
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, {
      arrivalDate: localDay(1),
      departureDate: localDay(3),
      guest: { firstName: 'Jan', lastName: 'Jansen', phone: '+31 (0)6 1234 5678', email: 'jan@example.nl', language: 'nl', messagingConsent: true },
    });
    await h.control.changeReservation(h.hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled' });
    const arrival = (await h.adapter().listArrivals({ from: localDay(1), to: localDay(1) })).find((a) => a.reservation.vendorId === made.reservationVendorId);
    expect(arrival?.reservation).toMatchObject({ status: 'cancelled', confirmationNumber: made.confirmationNumber, guestVendorId: made.guestVendorId, arrivalDate: localDay(1), departureDate: localDay(3) });
    // protel has no consent field: Relay's own record decides.
    expect(arrival?.guest).toMatchObject({ firstName: 'Jan', lastName: 'Jansen', phone: '+31 (0)6 1234 5678', email: 'jan@example.nl', language: 'nl', nationality: 'NL', messagingConsent: null });
  });

  it('map protel’s “not found” to nothing: unknown reservation and guest, a day without arrivals, a folio of an unknown reservation, a hotel without rooms', async () => {
    const adapter = h.adapter();
    await expect(adapter.getReservation('999999')).resolves.toBeNull();
    await expect(adapter.getGuest('999999')).resolves.toBeNull();
    await expect(adapter.listArrivals({ from: localDay(300), to: localDay(301) })).resolves.toEqual([]);
    await expect(adapter.findCharge('999999', 'no-such-charge')).resolves.toBeNull();
    await expect(adapter.findNote('999999', 'no-such-note')).resolves.toBeNull();
    const empty = await h.control.addHotel({ name: 'Empty', timezone: 'Europe/Amsterdam', country: 'NL', rooms: 0, arrivalsPerDay: 0, seed: 1 });
    await expect(h.adapter({ hotel: empty.vendorPropertyId, credentials: { token: String(empty.credentials.token) } }).listRooms()).resolves.toEqual([]);
  });

  it('search by confirmation number, by the beginning of the surname and by arrival dates', async () => {
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(5), departureDate: localDay(7), guest: { lastName: 'Zwaan' } });
    const adapter = h.adapter();
    await expect(adapter.searchReservations({ confirmationNumber: made.confirmationNumber })).resolves.toEqual([expect.objectContaining({ vendorId: made.reservationVendorId })]);
    expect((await adapter.searchReservations({ lastName: 'zwa' })).map((r) => r.vendorId)).toEqual([made.reservationVendorId]);
    expect((await adapter.searchReservations({ arrivalFrom: localDay(5), arrivalTo: localDay(5) })).map((r) => r.vendorId)).toEqual([made.reservationVendorId]);
    await expect(adapter.getReservation(made.reservationVendorId)).resolves.toMatchObject({ vendorId: made.reservationVendorId, status: 'confirmed', adults: 1, children: 0, updatedAt: expect.any(String) });
    expect((await failureOf(adapter.searchReservations({}))).type).toBe(PmsFailureType.Rejected);
    expect((await failureOf(adapter.searchReservations({ arrivalFrom: 'tomorrow' }))).type).toBe(PmsFailureType.Rejected);
  });

  it('list every room with its housekeeping status and occupancy', async () => {
    const rooms = await h.adapter().listRooms();
    const held = h.sim.store.hotels.get(h.hotel.vendorPropertyId)!.rooms;
    expect(rooms).toHaveLength(held.length);
    const expected = { Clean: 'clean', Dirty: 'dirty', Inspected: 'inspected', Pickup: 'pickup', OutOfService: 'out_of_service', OutOfOrder: 'out_of_order' } as const;
    for (const room of held) {
      expect(rooms.find((r) => r.vendorId === room.id)).toEqual({ vendorId: room.id, number: room.id, status: expected[room.status], occupied: room.occupied, roomType: room.roomType, floor: room.floor });
    }
  });
});

describe('writes', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness()), simulator: () => h.sim, faultsOf: () => h.control });
  const reservation = () =>
    h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222', email: 'emma@example.nl' } });
  const folio = async (reservationId: string) => (await h.control.charges(h.hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === reservationId);

  it('post a charge with the reference as ReferenceID and the property’s article; the request’s item code wins', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const posted = await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar & <snacks> "large"', reference: 'ref-1' });
    expect(posted).toMatchObject({ reference: 'ref-1', amount: { amount: '12.50', currency: 'EUR' }, postedAt: expect.any(String) });
    expect(await folio(made.reservationVendorId)).toEqual([{ vendorId: posted.vendorId, reservationVendorId: made.reservationVendorId, reference: 'ref-1', amount: '12.50', currency: 'EUR', description: 'Minibar & <snacks> "large"' }]);
    const stored = () => h.sim.store.hotels.get(h.hotel.vendorPropertyId)!.postings;
    expect(stored().at(-1)!.itemId).toBe(h.hotel.credentials.chargeItemId);
    await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '3', currency: 'EUR' }, description: 'Spa', itemCode: '7100', reference: 'ref-2' });
    expect(stored().at(-1)).toMatchObject({ itemId: '7100', amount: '3', referenceId: 'ref-2' });
  });

  it('never post a charge twice: an answer lost after protel applied it is found by its reference, and the retry posts nothing', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '4.00', currency: 'EUR' }, description: 'Parking', reference: 'lost-1' };
    await h.control.setFaults({ loseAnswers: 1 });
    const lost = await failureOf(adapter.postCharge(request));
    expect(lost).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    await h.control.setFaults({});
    // The check before a retry: found by the reference alone, so the request is done.
    const found = await adapter.findCharge(made.reservationVendorId, 'lost-1');
    expect(found).toMatchObject({ reference: 'lost-1', amount: { amount: '4.00', currency: 'EUR' } });
    // Same amount and text, another request: never taken for this one.
    await expect(adapter.findCharge(made.reservationVendorId, 'lost-2')).resolves.toBeNull();
    expect(await folio(made.reservationVendorId)).toEqual([expect.objectContaining({ vendorId: found!.vendorId, reference: 'lost-1' })]);
  });

  it('send a reference longer than ReferenceID holds as a stable 32-character digest, found the same way', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const long = `key-${'x'.repeat(100)}`;
    const posted = await adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '2.00', currency: 'EUR' }, description: 'Long', reference: long });
    const reference = (await folio(made.reservationVendorId))[0]!.reference!;
    expect(reference).toMatch(/^relay-[0-9a-f]{26}$/);
    expect(posted.reference).toBe(long);
    await expect(adapter.findCharge(made.reservationVendorId, long)).resolves.toMatchObject({ vendorId: posted.vendorId, reference: long });
    await expect(adapter.findCharge(made.reservationVendorId, `${long}y`)).resolves.toBeNull();
  });

  it('post a note as an internal comment and find it by its marker, also after a lost answer', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    await expect(adapter.findNote(made.reservationVendorId, 'note-1')).resolves.toBeNull();
    await postNoteThenLostNote(adapter, h.control, h.hotel, made.reservationVendorId);
  });

  it('update a guest: name, phone, e-mail, language and preferences; the version follows every change, the hotel’s too', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const before = (await adapter.getGuest(made.guestVendorId))!;
    const after = await adapter.updateGuest(made.guestVendorId, { firstName: 'Emmy', phone: '+31 6 33334444', email: 'emmy@example.nl', language: 'EN', preferences: ['High floor', 'Feather-free pillow'] });
    expect(after).toMatchObject({ firstName: 'Emmy', lastName: 'Meijer', phone: '+31 6 33334444', email: 'emmy@example.nl', language: 'en', preferences: ['High floor', 'Feather-free pillow'] });
    expect(after.version).not.toBe(before.version);
    // Preferences are replaced as a whole; what the patch leaves out stays.
    const trimmed = await adapter.updateGuest(made.guestVendorId, { preferences: ['Feather-free pillow'] });
    expect(trimmed).toMatchObject({ firstName: 'Emmy', phone: '+31 6 33334444', preferences: ['Feather-free pillow'] });
    await expect(adapter.getGuest(made.guestVendorId)).resolves.toEqual(trimmed);
    expect((await adapter.updateGuest(made.guestVendorId, { preferences: [] })).preferences).toEqual([]);
    await h.control.changeGuest(h.hotel.vendorPropertyId, made.guestVendorId, { lastName: 'Meyer' });
    const edited = (await adapter.getGuest(made.guestVendorId))!;
    expect(edited.lastName).toBe('Meyer');
    expect(edited.version).not.toBe(trimmed.version);
  });

  it('refuse what protel’s profile update cannot do, and a profile that does not exist', async () => {
    const made = await reservation();
    const adapter = h.adapter();
    const before = await h.requests();
    for (const patch of [{ email: null }, { phone: null }, { language: null }, { lastName: ' ' }, { language: 'english' }]) {
      expect((await failureOf(adapter.updateGuest(made.guestVendorId, patch))).type).toBe(PmsFailureType.Rejected);
    }
    // Refused before anything was sent.
    expect(await h.requests()).toBe(before);
    expect((await failureOf(adapter.updateGuest('999999', { firstName: 'X' }))).type).toBe(PmsFailureType.NotFound);
  });
});

describe('failures', () => {
  let h: Harness;
  simulatorHooks({ start: async () => (h = await harness()), simulator: () => h.sim, faultsOf: () => h.control });
  const charge = { amount: { amount: '1.00', currency: 'EUR' }, description: 'x', reference: 'refused' };

  it('protel’s OTA Errors are typed and never retried: a cancelled booking, an unknown one, another currency', async () => {
    const adapter = h.adapter();
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Visser' } });
    await h.control.changeReservation(h.hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled' });
    const cancelled = await failureOf(adapter.postCharge({ ...charge, reservationVendorId: made.reservationVendorId }));
    expect(cancelled).toMatchObject({ type: PmsFailureType.Rejected, nonRetryable: true });
    expect(cancelled.message).toContain('cancelled');
    expect(cancelled.details?.[0]).toMatchObject({ message: 'HTNG_ChargePostingRQ', errors: [{ type: '3', code: '95' }] });
    expect(await failureOf(adapter.postCharge({ ...charge, reservationVendorId: '999999' }))).toMatchObject({ type: PmsFailureType.NotFound, nonRetryable: true });
    const open = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Bos' } });
    expect(await failureOf(adapter.postCharge({ ...charge, amount: { amount: '1.00', currency: 'USD' }, reservationVendorId: open.reservationVendorId }))).toMatchObject({ type: PmsFailureType.Rejected });
    // Refused here already: no article, not an amount, not a currency.
    const before = await h.requests();
    expect(await failureOf(h.adapter({ credentials: { chargeItemId: undefined } }).postCharge({ ...charge, reservationVendorId: open.reservationVendorId }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await failureOf(adapter.postCharge({ ...charge, amount: { amount: '1,00', currency: 'EUR' }, reservationVendorId: open.reservationVendorId }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await failureOf(adapter.postCharge({ ...charge, amount: { amount: '1.00', currency: 'eur' }, reservationVendorId: open.reservationVendorId }))).toMatchObject({ type: PmsFailureType.Rejected });
    expect(await h.requests()).toBe(before);
    expect(await h.control.charges(h.hotel.vendorPropertyId)).toEqual([]);
  });

  it('protel failing is retryable: an outage, a 5xx', async () => {
    const adapter = h.adapter();
    await h.control.setFaults({ outage: true });
    expect(await failureOf(adapter.listRooms())).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    await h.control.setFaults({ error5xxRate: 1 });
    expect((await failureOf(adapter.getGuest('880001'))).nonRetryable).toBe(false);
  });

  it('honours a 429’s Retry-After: the wait becomes the retry delay, and nothing else is sent meanwhile', async () => {
    const adapter = h.adapter();
    await h.control.setFaults({ rate429Rate: 1 });
    const before = await h.requests();
    const failure = await failureOf(adapter.listArrivals({ from: localDay(0), to: localDay(1) }));
    expect(failure).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
    expect(Number(failure.nextRetryDelay)).toBe(1000);
    // No burst of retries inside the adapter: Temporal retries after the delay.
    expect((await h.requests()) - before).toBe(1);
  });

  it('asks the limiter before every request it sends', async () => {
    const adapter = h.adapter();
    const before = { throttled: h.throttled.count, requests: await h.requests() };
    const made = await h.control.addReservation(h.hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Smit' } });
    await adapter.listArrivals({ from: localDay(0), to: localDay(2) });
    await adapter.listRooms();
    await adapter.updateGuest(made.guestVendorId, { firstName: 'Anna' });
    await adapter.postCharge({ ...charge, reference: 'limiter', reservationVendorId: made.reservationVendorId });
    await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'x', reference: 'limiter' });
    const sent = (await h.requests()) - before.requests;
    expect(sent).toBeGreaterThanOrEqual(7);
    expect(h.throttled.count - before.throttled).toBe(sent);
  });
});

test('over the hotel token’s limit, protel answers 429 with the wait left in its window, and the adapter keeps it as the retry delay', async () => {
  const h = await harness({ limit: { requests: 3, windowMs: 60_000 } });
  try {
    const adapter = h.adapter();
    for (let i = 0; i < 3; i++) await adapter.listRooms();
    const failure = await failureOf(adapter.listRooms());
    expect(failure.type).toBe(FailureType.VendorRateLimited);
    expect(Number(failure.nextRetryDelay)).toBeGreaterThan(50_000);
    expect(Number(failure.nextRetryDelay)).toBeLessThanOrEqual(60_000);
    const stats = await h.control.stats();
    expect(Object.values(stats.byScope)).toEqual([{ requests: 4, overLimit: 1 }]);
  } finally {
    await h.sim.close();
  }
});
