import request from 'supertest';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { RELAY_MODULES } from '../../src/modules';
import { loadModules } from '../../src/modules/load';
import { pmsArrivalsWorkflow } from '../../src/workflows/pms/arrivals';
import { appWith, bearer, testConfig, testEnv, uniqueId } from '../helpers/relay';
import { type TestProperty, addArrival, addProperty, localDay, usePmsRelay } from '../helpers/pms';
import { waitFor } from '../helpers/wait';
import { TEST_PUSH_TOKEN, withTestPush } from './fixtures/test-push';

/**
 * The arrivals sync over every registered vendor: today's and tomorrow's arrivals compared with
 * what was announced, events once per change under their deterministic keys (a repeated poll, a
 * push and a poll seeing one change announce it once), phones normalised with the hotel's
 * country, freshness recorded. Pushes use a test format (fixtures/test-push.ts).
 */
describe.each(PMS_VENDORS.map((v) => [v.key]))('PMS arrivals: %s', (key) => {
  const pms = usePmsRelay({ vendors: PMS_VENDORS.map(withTestPush) });
  const relay = () => pms.relay();
  const control = () => pms.sim(key).control;

  const poll = (p: TestProperty) =>
    relay().env.client.workflow.execute(pmsArrivalsWorkflow, { taskQueue: relay().taskQueues.pms!, workflowId: uniqueId(`poll-${p.id}`), args: [{ propertyId: p.id }] });
  const events = (p: TestProperty) => relay().prisma.pmsEvent.findMany({ where: { propertyId: p.id }, orderBy: { id: 'asc' } });
  const guest = (p: TestProperty, vendorId: string) => relay().prisma.pmsGuest.findUniqueOrThrow({ where: { propertyId_vendorId: { propertyId: p.id, vendorId } } });
  const push = (p: TestProperty, reservationVendorIds: string[], token = TEST_PUSH_TOKEN) =>
    request(relay().app)
      .post(`/v1/webhooks/${key}`)
      .set('x-test-push-token', token)
      .send({ hints: [{ vendorPropertyId: p.hotel.vendorPropertyId, reservationVendorIds, guestVendorIds: [] }] });

  it('announces today’s and tomorrow’s new arrivals once, with phones read in the hotel’s country or flagged', async () => {
    const p = await addProperty(relay(), pms.sim(key));
    const a = await addArrival(p, 0, { firstName: 'Anna', lastName: 'Peters', phone: '06-12345678' });
    const b = await addArrival(p, 1, { lastName: 'Bos', phone: '+31 (0)6 1234 5678' });
    const c = await addArrival(p, 1, { lastName: 'Claes', phone: '06-1234' });
    await addArrival(p, 3, { lastName: 'Later' });

    expect(await poll(p)).toMatchObject({ listed: 3, events: 3, dispatched: 3 });
    const announced = await events(p);
    expect(announced.map((e) => [e.type, e.reservationVendorId])).toEqual(
      expect.arrayContaining([
        ['arrival.new', a.reservationVendorId],
        ['arrival.new', b.reservationVendorId],
        ['arrival.new', c.reservationVendorId],
      ]),
    );
    expect(announced).toHaveLength(3);
    const ofA = announced.find((e) => e.reservationVendorId === a.reservationVendorId)!;
    expect(ofA.eventKey).toBe(`${key}:${p.hotel.vendorPropertyId}:${a.reservationVendorId}:${localDay(0)}:1`);
    expect(ofA.payload).toMatchObject({ confirmationNumber: a.confirmationNumber, arrivalDate: localDay(0), status: 'confirmed' });
    expect(ofA.dispatchedAt).not.toBeNull();

    expect(await guest(p, a.guestVendorId)).toMatchObject({ phoneE164: '+31612345678', phoneInvalid: false });
    expect(await guest(p, b.guestVendorId)).toMatchObject({ phoneE164: '+31612345678', phoneInvalid: false });
    expect(await guest(p, c.guestVendorId)).toMatchObject({ phoneE164: null, phoneInvalid: true, phoneProblem: expect.stringMatching(/^phone number /) });

    expect(await poll(p)).toMatchObject({ listed: 3, events: 0 });
    expect(await events(p)).toHaveLength(3);
    const freshness = (await request(relay().app).get(`/v1/properties/${p.id}`).set('authorization', bearer('service'))).body.freshness;
    expect(freshness).toMatchObject({ lastError: null, lagSeconds: expect.any(Number) });
    expect(freshness.lagSeconds).toBeLessThan(60);
  });

  it('announces a change, a cancellation and an arrival moved out of the window, then nothing more', async () => {
    const p = await addProperty(relay(), pms.sim(key));
    const moved = await addArrival(p, 0, { lastName: 'Vos' });
    const changed = await addArrival(p, 1, { lastName: 'de Wit' });
    const cancelled = await addArrival(p, 1, { lastName: 'Maas' });
    await poll(p);

    await control().changeReservation(p.hotel.vendorPropertyId, changed.reservationVendorId, { adults: 3 });
    await control().changeReservation(p.hotel.vendorPropertyId, cancelled.reservationVendorId, { status: 'cancelled' });
    await control().changeReservation(p.hotel.vendorPropertyId, moved.reservationVendorId, { arrivalDate: localDay(4), departureDate: localDay(6) });
    expect(await poll(p)).toMatchObject({ events: 3 });
    const latest = (await events(p)).slice(3);
    expect(latest.map((e) => [e.type, e.reservationVendorId, e.stateVersion]).sort()).toEqual(
      [
        ['arrival.changed', changed.reservationVendorId, 2],
        ['arrival.cancelled', cancelled.reservationVendorId, 2],
        ['arrival.changed', moved.reservationVendorId, 2],
      ].sort(),
    );
    expect(latest.find((e) => e.reservationVendorId === moved.reservationVendorId)?.eventKey).toBe(`${key}:${p.hotel.vendorPropertyId}:${moved.reservationVendorId}:${localDay(4)}:2`);
    expect(latest.find((e) => e.reservationVendorId === changed.reservationVendorId)?.payload).toMatchObject({ adults: 3 });

    expect(await poll(p)).toMatchObject({ events: 0 });
    // A cancelled reservation is announced cancelled once, whatever changes on it later.
    await control().changeReservation(p.hotel.vendorPropertyId, cancelled.reservationVendorId, { adults: 4 }).catch(() => undefined);
    expect(await poll(p)).toMatchObject({ events: 0 });
  });

  it('takes a push as a hint: 202 at once, the change announced by the refresh, and neither the poll nor a repeated push announce it again', async () => {
    const p = await addProperty(relay(), pms.sim(key));
    const stay = await addArrival(p, 1, { lastName: 'Koster' });
    await poll(p);
    await control().changeReservation(p.hotel.vendorPropertyId, stay.reservationVendorId, { adults: 2 + 1 });

    const started = Date.now();
    const pushed = await push(p, [stay.reservationVendorId]).expect(202);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pushed.body.refreshing).toHaveLength(1);
    await relay().env.client.workflow.getHandle(pushed.body.refreshing[0]).result();
    const changed = (await events(p)).filter((e) => e.type === 'arrival.changed');
    expect(changed.map((e) => e.reservationVendorId)).toEqual([stay.reservationVendorId]);
    expect((await relay().prisma.pmsProperty.findUniqueOrThrow({ where: { id: p.id } })).lastPushAt).not.toBeNull();

    const again = await push(p, [stay.reservationVendorId]).expect(202);
    await relay().env.client.workflow.getHandle(again.body.refreshing[0]).result();
    expect(await poll(p)).toMatchObject({ events: 0 });
    expect((await events(p)).filter((e) => e.type === 'arrival.changed')).toHaveLength(1);
  });

  it('refuses a push without the vendor’s proof (401) or with a body it cannot read (400), and ignores unknown hotels', async () => {
    const p = await addProperty(relay(), pms.sim(key));
    expect((await push(p, ['r-1'], 'wrong-token')).status).toBe(401);
    expect((await request(relay().app).post(`/v1/webhooks/${key}`).send({ hints: [] })).status).toBe(401);
    expect((await request(relay().app).post(`/v1/webhooks/${key}`).set('x-test-push-token', TEST_PUSH_TOKEN).send({ nope: 1 })).status).toBe(400);
    const unknown = await request(relay().app)
      .post(`/v1/webhooks/${key}`)
      .set('x-test-push-token', TEST_PUSH_TOKEN)
      .send({ hints: [{ vendorPropertyId: 'no-such-hotel', reservationVendorIds: ['r-1'], guestVendorIds: [] }] })
      .expect(202);
    expect(unknown.body).toEqual({ refreshing: [], ignored: 1 });
  });

  it('records a failed poll on the property (freshness) and clears it with the next success', async () => {
    const p = await addProperty(relay(), pms.sim(key));
    await control().setFaults({ outage: true });
    const run = poll(p);
    const failed = await waitFor('the failed poll on record', async () => {
      const row = await relay().prisma.pmsProperty.findUniqueOrThrow({ where: { id: p.id } });
      return row.lastError ? row : undefined;
    });
    expect(failed).toMatchObject({ lastPollOkAt: null, lastErrorAt: expect.any(Date) });
    await control().setFaults({});
    await run;
    expect(await relay().prisma.pmsProperty.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ lastError: null, lastPollOkAt: expect.any(Date) });
  });
});

describe('PMS pushes with the vendors’ own proof', () => {
  const pms = usePmsRelay({ withWorker: false });

  it.each(PMS_VENDORS.filter((v) => v.webhook).map((v) => [v.key]))('refuses a %s push without its proof (401)', async (key) => {
    const env = Object.fromEntries(pms.sims().map((s) => [s.vendor.simulator.portVariable, new URL(s.url).port]));
    const app = appWith({ ...pms.relay(), modules: loadModules(RELAY_MODULES, testConfig(env), testEnv(env)) }, {});
    expect((await request(app).post(`/v1/webhooks/${key}`).send({})).status).toBe(401);
    expect((await request(app).post(`/v1/webhooks/${key}?token=wrong&Token=wrong`).send({})).status).toBe(401);
  });
});
