import { ApplicationFailure } from '@temporalio/common';
import type { PmsAdapter } from '../../src/integrations/pms/adapter';
import { PmsFailureType } from '../../src/integrations/pms/errors';
import { PMS_OPERATIONS } from '../../src/integrations/pms/operations';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { type SimHotel, SimulatorControl } from '../../src/integrations/pms/simulator-control';
import type { AnyPmsVendor } from '../../src/integrations/pms/vendor';
import { localLimiter } from './fixtures/local-limiter';
import { failureOf } from './helpers/failures';
import { testLogger } from './helpers/logger';
import { localDay, TIMEZONE } from './helpers/test-hotel';

/**
 * The PMS contract: every registered vendor's adapter against its own simulator (which speaks
 * the vendor's wire format from its own definitions) behaves the same through the common
 * interface. A new vendor joins by its registry line; nothing here names one.
 */

const logger = testLogger('pms-contract');

test('the registry holds the launch vendors, each with a full capability table and a pinned API version', () => {
  expect(PMS_VENDORS.map((v) => v.key)).toEqual(expect.arrayContaining(['mews', 'opera-cloud']));
  expect(new Set(PMS_VENDORS.map((v) => v.key)).size).toBe(PMS_VENDORS.length);
  for (const vendor of PMS_VENDORS) {
    expect(Object.keys(vendor.capabilities).sort()).toEqual([...PMS_OPERATIONS].sort());
    expect(vendor.apiVersion).toMatch(/\S/);
    // What a vendor cannot do is explained to operators, not just marked.
    for (const op of PMS_OPERATIONS) if (!vendor.capabilities[op].supported) expect(vendor.capabilities[op].note).toMatch(/\S/);
  }
});

describe.each(PMS_VENDORS.map((v) => [v.key, v] as const))('PMS contract: %s', (_key, vendor: AnyPmsVendor) => {
  let sim: { url: string; close(): Promise<void> };
  let control: SimulatorControl;
  let hotel: SimHotel;
  let adapter: PmsAdapter;
  const supports = (operation: (typeof PMS_OPERATIONS)[number]) => vendor.capabilities[operation].supported;

  /** A simulator with one hotel, and an adapter for it; `asked` hears every call of its throttle. */
  async function connect(asked: () => void = () => undefined) {
    const sim = await vendor.simulator.start({});
    const control = new SimulatorControl(sim.url);
    const hotel = await control.addHotel({ name: 'Hotel Contract', timezone: TIMEZONE, country: 'NL', rooms: 12, arrivalsPerDay: 4, seed: 7 });
    const settings = vendor.settings.demo(sim.url);
    const credentials = vendor.credentials.parse(hotel.credentials);
    // As Relay's shared limiter does: strict vendors (Cloudbeds' 5 per second per key) refuse a burst.
    const limit = localLimiter(vendor.rateScope(settings, { vendorPropertyId: hotel.vendorPropertyId, credentials }));
    const adapter = vendor.createAdapter({
      settings,
      property: { propertyId: 'contract-property', vendorPropertyId: hotel.vendorPropertyId, timezone: TIMEZONE, credentials },
      logger,
      withinLimit: (send) => {
        asked();
        return limit(send);
      },
    });
    return { sim, control, hotel, adapter };
  }

  beforeAll(async () => {
    ({ sim, control, hotel, adapter } = await connect());
  });
  afterAll(async () => {
    await sim?.close();
  });
  afterEach(async () => {
    await control.setFaults({});
  });

  it('lists today’s and tomorrow’s arrivals with their guests, in the hotel’s local days', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, {
      arrivalDate: localDay(1),
      departureDate: localDay(3),
      guest: { firstName: 'Sanne', lastName: 'de Vries', phone: '06-12345678', email: 'sanne@example.nl', messagingConsent: true },
    });
    const arrivals = await adapter.listArrivals({ from: localDay(0), to: localDay(1) });
    expect(arrivals.length).toBeGreaterThanOrEqual(5);
    for (const a of arrivals) expect([localDay(0), localDay(1)]).toContain(a.reservation.arrivalDate);
    const ours = arrivals.find((a) => a.reservation.vendorId === made.reservationVendorId);
    expect(ours?.reservation).toMatchObject({ confirmationNumber: made.confirmationNumber, status: 'confirmed', arrivalDate: localDay(1), departureDate: localDay(3), guestVendorId: made.guestVendorId });
    const guest = ours?.guest ?? (await adapter.getGuest(made.guestVendorId));
    expect(guest).toMatchObject({ vendorId: made.guestVendorId, lastName: 'de Vries', phone: expect.stringContaining('12345678') });
  });

  it('shows a cancelled arrival as cancelled, not as gone', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { lastName: 'Jansen' } });
    await control.changeReservation(hotel.vendorPropertyId, made.reservationVendorId, { status: 'cancelled' });
    const arrivals = await adapter.listArrivals({ from: localDay(0), to: localDay(0) });
    expect(arrivals.find((a) => a.reservation.vendorId === made.reservationVendorId)?.reservation.status).toBe('cancelled');
  });

  it('reads one reservation and one guest by their vendor ids, and null for ids it does not know', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(2), guest: { firstName: 'Pieter', lastName: 'Bakker', language: 'nl' } });
    await expect(adapter.getReservation(made.reservationVendorId)).resolves.toMatchObject({ vendorId: made.reservationVendorId, confirmationNumber: made.confirmationNumber });
    await expect(adapter.getGuest(made.guestVendorId)).resolves.toMatchObject({ vendorId: made.guestVendorId, firstName: 'Pieter', lastName: 'Bakker' });
    const unknown = await adapter.getReservation('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(unknown === null || (unknown instanceof ApplicationFailure && unknown.type === PmsFailureType.NotFound)).toBe(true);
  });

  it('finds a reservation by its confirmation number', async () => {
    if (!supports('searchReservations')) return expect((await failureOf(adapter.searchReservations({}))).type).toBe(PmsFailureType.Unsupported);
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(4), guest: { lastName: 'Visser' } });
    const found = await adapter.searchReservations({ confirmationNumber: made.confirmationNumber });
    expect(found.map((r) => r.vendorId)).toEqual([made.reservationVendorId]);
  });

  it('posts a charge once, finds it by its reference alone, and finds nothing for another reference', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(2), guest: { lastName: 'Smit' } });
    const request = { reservationVendorId: made.reservationVendorId, amount: { amount: '12.50', currency: 'EUR' }, description: 'Minibar', reference: 'ct-charge-1' };
    const posted = await adapter.postCharge(request);
    expect(posted).toMatchObject({ reference: 'ct-charge-1', amount: { amount: '12.50', currency: 'EUR' } });
    await expect(adapter.findCharge(made.reservationVendorId, 'ct-charge-1')).resolves.toMatchObject({ vendorId: posted.vendorId });
    // Same amount and text, another request: never taken for this one.
    await expect(adapter.findCharge(made.reservationVendorId, 'ct-charge-2')).resolves.toBeNull();
    const folio = (await control.charges(hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === made.reservationVendorId);
    expect(folio).toHaveLength(1);
    expect(folio[0]).toMatchObject({ amount: expect.stringMatching(/^12\.50?$/), currency: 'EUR' });
  });

  it('finds a charge whose answer was lost, so that it is not posted again', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(0), departureDate: localDay(1), guest: { lastName: 'Mulder' } });
    await control.setFaults({ loseAnswers: 1 });
    const lost = await failureOf(adapter.postCharge({ reservationVendorId: made.reservationVendorId, amount: { amount: '4.00', currency: 'EUR' }, description: 'Parking', reference: 'ct-lost-1' }));
    expect(lost.nonRetryable).toBe(false);
    await control.setFaults({});
    await expect(adapter.findCharge(made.reservationVendorId, 'ct-lost-1')).resolves.toMatchObject({ reference: 'ct-lost-1' });
    expect((await control.charges(hotel.vendorPropertyId)).filter((c) => c.reservationVendorId === made.reservationVendorId)).toHaveLength(1);
  });

  it('posts a note and finds it by its reference', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(2), guest: { lastName: 'de Boer' } });
    if (!supports('postNote')) return expect((await failureOf(adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'x', reference: 'n' }))).type).toBe(PmsFailureType.Unsupported);
    await expect(adapter.findNote(made.reservationVendorId, 'ct-note-1')).resolves.toBeNull();
    const note = await adapter.postNote({ reservationVendorId: made.reservationVendorId, text: 'Late arrival, around 23:00', reference: 'ct-note-1' });
    await expect(adapter.findNote(made.reservationVendorId, 'ct-note-1')).resolves.toMatchObject({ vendorId: note.vendorId });
    const notes = (await control.notes(hotel.vendorPropertyId)).filter((n) => n.reservationVendorId === made.reservationVendorId);
    expect(notes.map((n) => n.text).join('\n')).toContain('Late arrival, around 23:00');
  });

  it('updates a guest profile and reports the new version; a hotel’s own edit changes the version too', async () => {
    const made = await control.addReservation(hotel.vendorPropertyId, { arrivalDate: localDay(1), departureDate: localDay(2), guest: { firstName: 'Emma', lastName: 'Meijer', phone: '06-11112222' } });
    const before = await adapter.getGuest(made.guestVendorId);
    const after = await adapter.updateGuest(made.guestVendorId, { phone: '+31 6 33334444', language: 'en' });
    expect(after).toMatchObject({ vendorId: made.guestVendorId, lastName: 'Meijer', phone: expect.stringContaining('33334444') });
    expect(after.version).not.toBe(before?.version);
    await expect(adapter.getGuest(made.guestVendorId)).resolves.toMatchObject({ phone: expect.stringContaining('33334444'), version: after.version });
    await control.changeGuest(hotel.vendorPropertyId, made.guestVendorId, { firstName: 'Emmy' });
    const edited = await adapter.getGuest(made.guestVendorId);
    expect(edited?.firstName).toBe('Emmy');
    expect(edited?.version).not.toBe(after.version);
  });

  it('lists the hotel’s rooms with a status from the common model', async () => {
    const rooms = await adapter.listRooms();
    expect(rooms).toHaveLength(12);
    for (const room of rooms) expect(['clean', 'dirty', 'inspected', 'pickup', 'out_of_service', 'out_of_order']).toContain(room.status);
    expect(new Set(rooms.map((r) => r.number)).size).toBe(12);
  });

  it('fails a read during an outage with a retryable failure', async () => {
    await control.setFaults({ outage: true });
    const failure = await failureOf(adapter.listRooms());
    expect(failure.nonRetryable).toBe(false);
  });

  it('asks the shared limiter before every request it sends', async () => {
    // A simulator and an adapter of their own, counted from their start (so a session's first
    // request, such as a Digest challenge, counts too). On the shared simulator a request an
    // earlier test left waiting in the limiter (the sibling of a parallel read whose other half
    // failed) arrives whenever its turn comes, inside this test's count but asked for before it.
    let throttled = 0;
    const own = await connect(() => throttled++);
    try {
      await own.adapter.listArrivals({ from: localDay(0), to: localDay(1) });
      await own.adapter.listRooms();
      const sent = (await own.control.stats()).requests;
      expect(sent).toBeGreaterThan(0);
      expect(throttled).toBeGreaterThanOrEqual(sent);
    } finally {
      await own.sim.close();
    }
  });
});
