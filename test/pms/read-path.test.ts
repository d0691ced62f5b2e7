import request from 'supertest';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { bearer } from '../helpers/relay';
import { type TestProperty, addArrival, addProperty, localDay, usePmsRelay } from '../helpers/pms';

/**
 * The read path over every registered vendor: a fresh cached copy answers without a PMS call,
 * an old one is read again, an outage is answered from the cache marked stale, and only with
 * nothing cached does the caller get the problem.
 */
describe.each(PMS_VENDORS.map((v) => [v.key]))('PMS read path: %s', (key) => {
  const pms = usePmsRelay();
  const get = (path: string) => request(pms.relay().app).get(path).set('authorization', bearer('service'));
  const requests = async () => (await pms.sim(key).control.stats()).requests;
  let p: TestProperty;
  let made: Awaited<ReturnType<typeof addArrival>>;

  beforeAll(async () => {
    p = await addProperty(pms.relay(), pms.sim(key), { rooms: 8 });
    made = await addArrival(p, 1, { firstName: 'Sanne', lastName: 'de Vries', phone: '06-12345678', email: 'sanne@example.nl' });
  });
  afterEach(async () => {
    await pms.sim(key).control.setFaults({});
  });

  /** Makes the cached copies look older than any TTL. */
  const age = async () => {
    const old = new Date(Date.now() - 86_400_000);
    await pms.relay().prisma.pmsGuest.updateMany({ where: { propertyId: p.id }, data: { syncedAt: old } });
    await pms.relay().prisma.pmsReservation.updateMany({ where: { propertyId: p.id }, data: { syncedAt: old } });
    await pms.relay().prisma.pmsProperty.update({ where: { id: p.id }, data: { roomsSyncedAt: old } });
  };

  it('reads a guest from the PMS on a miss, then from the cache while fresh, with its phone in E.164', async () => {
    const first = await get(`/v1/properties/${p.id}/guests/${made.guestVendorId}`).expect(200);
    expect(first.body).toMatchObject({ stale: false, guest: { vendorId: made.guestVendorId, lastName: 'de Vries', phoneE164: '+31612345678', phoneInvalid: false } });
    const before = await requests();
    const again = await get(`/v1/properties/${p.id}/guests/${made.guestVendorId}`).expect(200);
    expect(again.body).toMatchObject({ stale: false, syncedAt: first.body.syncedAt });
    expect(await requests()).toBe(before);
    // Relay's own id names the same guest.
    expect((await get(`/v1/properties/${p.id}/guests/${first.body.guest.id}`).expect(200)).body.guest.vendorId).toBe(made.guestVendorId);
  });

  it('reads an expired copy again from the PMS', async () => {
    await get(`/v1/properties/${p.id}/guests/${made.guestVendorId}`).expect(200);
    await pms.sim(key).control.changeGuest(p.hotel.vendorPropertyId, made.guestVendorId, { firstName: 'Sanna' });
    expect((await get(`/v1/properties/${p.id}/guests/${made.guestVendorId}`)).body.guest.firstName).toBe('Sanne');
    await age();
    const before = await requests();
    const fresh = await get(`/v1/properties/${p.id}/guests/${made.guestVendorId}`).expect(200);
    expect(fresh.body).toMatchObject({ stale: false, guest: { firstName: 'Sanna' } });
    expect(await requests()).toBeGreaterThan(before);
  });

  it('answers the cached copy marked stale while the PMS is down, and 503 for what was never cached', async () => {
    await get(`/v1/properties/${p.id}/reservations/${made.reservationVendorId}`).expect(200);
    await age();
    await pms.sim(key).control.setFaults({ outage: true });
    const stale = await get(`/v1/properties/${p.id}/reservations/${made.reservationVendorId}`).expect(200);
    expect(stale.body).toMatchObject({ stale: true, reservation: { vendorId: made.reservationVendorId, confirmationNumber: made.confirmationNumber, arrivalDate: localDay(1) } });
    expect(new Date(stale.body.syncedAt).getTime()).toBeLessThan(Date.now() - 3_600_000);
    expect(stale.body.staleReason).toMatch(/\S/);

    const other = await addArrival(p, 0, { lastName: 'Bakker' });
    const none = await get(`/v1/properties/${p.id}/reservations/${other.reservationVendorId}`);
    expect(none.status).toBe(503);
    expect(none.body).toMatchObject({ error: 'pms_unavailable' });
    expect(none.body.message).toMatch(/nothing of it is cached yet/);
  });

  it('answers 404 for a reservation the PMS does not have', async () => {
    const res = await get(`/v1/properties/${p.id}/reservations/00000000-0000-4000-8000-000000000000`);
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/No reservation 00000000-0000-4000-8000-000000000000 at Hotel Test/);
  });

  it('searches by confirmation number (the cache answers a fresh one) and lists the rooms, stale in an outage', async () => {
    const found = await get(`/v1/properties/${p.id}/reservations?confirmationNumber=${encodeURIComponent(made.confirmationNumber)}`).expect(200);
    expect(found.body.items.map((r: { vendorId: string }) => r.vendorId)).toEqual([made.reservationVendorId]);
    const rooms = await get(`/v1/properties/${p.id}/rooms`).expect(200);
    expect(rooms.body).toMatchObject({ stale: false });
    expect(rooms.body.items).toHaveLength(8);
    await age();
    await pms.sim(key).control.setFaults({ outage: true });
    const stale = await get(`/v1/properties/${p.id}/rooms`).expect(200);
    expect(stale.body).toMatchObject({ stale: true });
    expect(stale.body.items).toHaveLength(8);
    expect((await get(`/v1/properties/${p.id}/reservations?arrivalFrom=2020-02-01&arrivalTo=2020-01-01`)).status).toBe(400);
  });

  it('refreshes the property on demand: arrivals (with their events) and rooms', async () => {
    const arriving = await addArrival(p, 0, { firstName: 'Pieter', lastName: 'Jansen', phone: '+31 (0)6 1234 5679' });
    const res = await request(pms.relay().app).post(`/v1/properties/${p.id}/refresh`).set('authorization', bearer('service')).expect(200);
    expect(res.body).toMatchObject({ rooms: 8, events: expect.any(Number) });
    expect(res.body.reservations).toBeGreaterThanOrEqual(2);
    const cached = await pms.relay().prisma.pmsReservation.findUnique({ where: { propertyId_vendorId: { propertyId: p.id, vendorId: arriving.reservationVendorId } } });
    expect(cached?.announcedVersion).toBe(1);
    const guest = await pms.relay().prisma.pmsGuest.findUnique({ where: { propertyId_vendorId: { propertyId: p.id, vendorId: arriving.guestVendorId } } });
    expect(guest?.phoneE164).toBe('+31612345679');
    const property = (await get(`/v1/properties/${p.id}`)).body;
    expect(property.freshness.lastPollOkAt).not.toBeNull();
    expect(property.freshness.lagSeconds).toBeLessThan(60);
  });
});
