import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import request from 'supertest';
import { pausePmsCalls, vendorPauseKey } from '../../src/db/pms/call-pauses';
import { RelayChannel, RelayEntityId, RelayIntegration } from '../../src/domain/search-attributes';
import { PMS_OPERATIONS } from '../../src/integrations/pms/operations';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { RELAY_MODULES } from '../../src/modules';
import { loadModules } from '../../src/modules/load';
import { createPmsModule } from '../../src/modules/pms';
import { pmsScheduleReconcileWorkflow } from '../../src/workflows/pms/reconcile';
import { appWith, bearer, testConfig, testEnv, uniqueId } from '../helpers/relay';
import { waitFor } from '../helpers/wait';
import { addProperty, usePmsRelay } from '../helpers/pms';
import { configuredVendor } from './fixtures/configured-vendor';

/** Properties through /v1/properties: operators manage them, their schedules follow, keys see only their own. */
describe('PMS properties', () => {
  const pms = usePmsRelay();
  const app = () => pms.relay().app;
  const as = (role: 'service' | 'operator') => ({ authorization: bearer(role) });
  const schedules = () => pms.relay().env.client.schedule;

  it('lists the registered vendors with their pinned API version, whether configured, and the capability table', async () => {
    const res = await request(app()).get('/v1/pms/vendors').set(as('service')).expect(200);
    expect(res.body.items.map((v: { key: string }) => v.key)).toEqual(PMS_VENDORS.map((v) => v.key));
    for (const v of res.body.items) {
      expect(v).toMatchObject({ enabled: true, apiVersion: expect.stringMatching(/\S/), callsPaused: null });
      expect(Object.keys(v.capabilities).sort()).toEqual([...PMS_OPERATIONS].sort());
    }
    const paths = Object.keys((await request(app()).get('/openapi.json').expect(200)).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/properties', '/v1/properties/{id}/reservations/{reservationId}/charges', '/v1/properties/{id}/guests/{guestId}', '/v1/pms/vendors']));
  });

  it.each(PMS_VENDORS.map((v) => [v.key]))('creates a %s property (operator), never answers its credentials, and creates its arrivals schedule', async (key) => {
    const sim = pms.sim(key);
    const p = await addProperty(pms.relay(), sim, { property: { pollIntervalSeconds: 600, welcomeTemplate: 'Hi {{firstName}}' } });
    const got = await request(app()).get(`/v1/properties/${p.id}`).set(as('service')).expect(200);
    expect(got.body).toMatchObject({ id: p.id, vendor: key, vendorPropertyId: p.hotel.vendorPropertyId, timezone: 'Europe/Amsterdam', country: 'NL', pollIntervalSeconds: 600, pollEnabled: true, scheduleId: `pms-arrivals-${p.id}` });
    expect(got.body.freshness).toMatchObject({ lastPollOkAt: null, lagSeconds: null });
    expect(JSON.stringify(got.body)).not.toContain('credentials');
    for (const secret of Object.values(p.hotel.credentials)) expect(JSON.stringify(got.body)).not.toContain(String(secret));
    // Sealed at rest: the stored column is not the credentials in clear.
    const row = await pms.relay().prisma.pmsProperty.findUniqueOrThrow({ where: { id: p.id } });
    expect(row.credentials).toMatch(/^sealed:v1:/);

    const described = await schedules().getHandle(`pms-arrivals-${p.id}`).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(600_000);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.state.paused).toBe(false);
    const attrs = (described.action.type === 'startWorkflow' ? described.action.typedSearchAttributes : undefined) as TypedSearchAttributes | undefined;
    expect(attrs?.get(RelayIntegration)).toBe('pms');
    expect(attrs?.get(RelayEntityId)).toBe(p.id);
    expect(attrs?.get(RelayChannel)).toBe(key);
  });

  it('changes a property and its schedule; pause, resume and trigger go through the API', async () => {
    const p = await addProperty(pms.relay(), pms.sims()[0]!);
    const patched = await request(app()).patch(`/v1/properties/${p.id}`).set(as('operator')).send({ name: 'Hotel Renamed', pollIntervalSeconds: 120, pollEnabled: false }).expect(200);
    expect(patched.body).toMatchObject({ name: 'Hotel Renamed', pollIntervalSeconds: 120, pollEnabled: false });
    let described = await schedules().getHandle(`pms-arrivals-${p.id}`).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(120_000);
    expect(described.state.paused).toBe(true);

    const resumed = await request(app()).post(`/v1/properties/${p.id}/schedule/resume`).set(as('operator')).send({ note: 'season opens' }).expect(200);
    expect(resumed.body).toMatchObject({ scheduleId: `pms-arrivals-${p.id}`, paused: false, note: 'season opens' });
    expect((await request(app()).get(`/v1/properties/${p.id}`).set(as('service'))).body.pollEnabled).toBe(true);
    const paused = await request(app()).post(`/v1/properties/${p.id}/schedule/pause`).set(as('operator')).send({}).expect(200);
    expect(paused.body.paused).toBe(true);
    described = await schedules().getHandle(`pms-arrivals-${p.id}`).describe();
    expect(described.state.note).toBe('paused by alice');
    // A service key reads the schedule but does not operate it.
    await request(app()).get(`/v1/properties/${p.id}/schedule`).set(as('service')).expect(200);
    await request(app()).post(`/v1/properties/${p.id}/schedule/resume`).set(as('service')).send({}).expect(403);

    await request(app()).post(`/v1/properties/${p.id}/schedule/trigger`).set(as('operator')).expect(202);
    const run = await waitForRun(p.id);
    expect(run).toMatch(new RegExp(`^pms-arrivals-${p.id}`));
  });

  async function waitForRun(propertyId: string): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const d = await schedules().getHandle(`pms-arrivals-${propertyId}`).describe();
      const last = d.info.recentActions.at(-1);
      if (last) return last.action.workflow.workflowId;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the triggered poll did not start');
  }

  it('exposes each property’s sync lag as a metric (since creation until it first syncs)', async () => {
    const p = await addProperty(pms.relay(), pms.sims()[0]!);
    const metrics = (await request(app()).get('/metrics').set(as('service')).expect(200)).text;
    const lag = new RegExp(`^relay_pms_sync_lag_seconds\\{property="${p.id}",vendor="${p.sim.vendor.key}"\\} (\\S+)$`, 'm').exec(metrics);
    expect(Number(lag?.[1])).toBeLessThan(60);
    expect(metrics).toMatch(new RegExp(`^relay_pms_properties\\{vendor="${p.sim.vendor.key}",polling="true"\\} \\d+$`, 'm'));
    expect(metrics).toMatch(/^relay_pms_events_undispatched \d+$/m);
  });

  it('deletes a property with its schedule; creating the hotel again restores it', async () => {
    const p = await addProperty(pms.relay(), pms.sims()[0]!);
    await request(app()).delete(`/v1/properties/${p.id}`).set(as('operator')).expect(204);
    await request(app()).get(`/v1/properties/${p.id}`).set(as('service')).expect(404);
    await expect(schedules().getHandle(`pms-arrivals-${p.id}`).describe()).rejects.toThrow();
    const again = await request(app()).post('/v1/properties').set(as('operator')).send(p.body).expect(201);
    expect(again.body.id).toBe(p.id);
    await schedules().getHandle(`pms-arrivals-${p.id}`).describe();
    // One property per hotel.
    const twice = await request(app()).post('/v1/properties').set(as('operator')).send(p.body).expect(409);
    expect(twice.body.propertyId).toBe(p.id);
  });

  it('reconciles the schedules with the properties: a lost one is made again, a deleted property’s is removed', async () => {
    const kept = await addProperty(pms.relay(), pms.sims()[0]!);
    const gone = await addProperty(pms.relay(), pms.sims()[0]!);
    await schedules().getHandle(`pms-arrivals-${kept.id}`).delete();
    // Deleted while Temporal was unreachable: the row says deleted, the schedule is still there.
    await pms.relay().prisma.pmsProperty.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    await waitFor('the schedule listed', async () => {
      for await (const s of schedules().list()) if (s.scheduleId === `pms-arrivals-${gone.id}`) return true;
      return undefined;
    });
    const summary = await pms.relay().env.client.workflow.execute(pmsScheduleReconcileWorkflow, { taskQueue: pms.relay().taskQueues.pms!, workflowId: uniqueId('pms-reconcile') });
    expect(summary.recreated).toContain(kept.id);
    expect(summary.removed).toContain(gone.id);
    expect((await schedules().getHandle(`pms-arrivals-${kept.id}`).describe()).spec.intervals?.[0]?.every).toBe(kept.body.pollIntervalSeconds === undefined ? 300_000 : Number(kept.body.pollIntervalSeconds) * 1000);
    await expect(schedules().getHandle(`pms-arrivals-${gone.id}`).describe()).rejects.toThrow();
  });

  it('refuses bad input with 4xx naming the problem, and creation without the operator role', async () => {
    const sim = pms.sims()[0]!;
    const p = await addProperty(pms.relay(), sim);
    const valid = { ...p.body, vendorPropertyId: `${p.hotel.vendorPropertyId}-other` };
    const post = (body: object, role: 'service' | 'operator' = 'operator') => request(app()).post('/v1/properties').set(as(role)).send(body);
    expect((await post(valid, 'service')).status).toBe(403);
    const cases: Array<[object, RegExp]> = [
      [{ ...valid, vendor: 'no-such-pms' }, /vendor: is not a PMS vendor of this Relay; known: /],
      [{ ...valid, timezone: 'Mars/Olympus' }, /timezone: is not an IANA time zone/],
      [{ ...valid, country: 'XX' }, /country: must be an ISO 3166-1 alpha-2/],
      [{ ...valid, credentials: {} }, /credentials\./],
      [{ ...valid, pollIntervalSeconds: 5 }, /pollIntervalSeconds/],
      [{ ...valid, welcomeChannel: 'fax' }, /welcomeChannel/],
      [{ ...valid, extra: 1 }, /extra|Unrecognized/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message: expect.stringMatching(message) });
    }
    expect((await request(app()).get('/v1/properties/not-a-uuid').set(as('service'))).body.message).toMatch(/id: must be a property id/);
    expect((await request(app()).patch(`/v1/properties/${p.id}`).set(as('operator')).send({ timezone: 'Nowhere' })).status).toBe(400);
  });

  it('limits a key to its properties: the others answer 404, as if they did not exist', async () => {
    const [mine, theirs] = [await addProperty(pms.relay(), pms.sims()[0]!), await addProperty(pms.relay(), pms.sims().at(-1)!)];
    const env = { RELAY_API_KEY_PROPERTIES: `ci:${mine.id}` };
    const config = testConfig(env);
    const scoped = appWith({ ...pms.relay(), config, modules: loadModules(RELAY_MODULES, config, testEnv(env)) }, {});
    const list = await request(scoped).get('/v1/properties').set(as('service')).expect(200);
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([mine.id]);
    await request(scoped).get(`/v1/properties/${mine.id}`).set(as('service')).expect(200);
    for (const path of [`/v1/properties/${theirs.id}`, `/v1/properties/${theirs.id}/rooms`, `/v1/properties/${theirs.id}/guests/g1`, `/v1/properties/${theirs.id}/events`]) {
      expect({ path, status: (await request(scoped).get(path).set(as('service'))).status }).toEqual({ path, status: 404 });
    }
    const charge = await request(scoped).post(`/v1/properties/${theirs.id}/reservations/r1/charges`).set(as('service')).set('idempotency-key', 'k1').send({ amount: { amount: '1.00', currency: 'EUR' }, description: 'x' });
    expect(charge.status).toBe(404);
    expect(charge.body.message).toBe(`No property ${theirs.id}`);
    // The unscoped operator key still sees both.
    const all = (await request(scoped).get('/v1/properties').set(as('operator'))).body.items.map((p: { id: string }) => p.id);
    expect(all).toEqual(expect.arrayContaining([mine.id, theirs.id]));
  });

  it('answers the audit log of a hotel where the company sync is disabled (the log is Relay’s, not a module’s)', async () => {
    const p = await addProperty(pms.relay(), pms.sim(PMS_VENDORS[0]!.key));
    const modules = pms.relay().modules.map((m) => (m.name === 'company-sync' ? { ...m, state: { mode: 'disabled' as const, missing: ['EXACT_CLIENT_ID'] }, enabled: undefined } : m));
    const live = appWith({ ...pms.relay(), modules }, {});
    await request(live).get('/v1/companies').set(as('operator')).expect(503);
    const res = await request(live).get('/v1/audit').query({ entity: 'pms_property', entityId: p.id }).set(as('operator')).expect(200);
    expect(res.body.items.map((a: { action: string }) => a.action)).toContain('pms_property.created');
    await request(live).get('/v1/audit').set(as('service')).expect(403);
  });

  it('shows a vendor-wide pause of calls, and lets an operator lift it', async () => {
    // A vendor of its own, so that the pause reaches no other test's calls.
    const modules = loadModules([...RELAY_MODULES.filter((m) => m.name !== 'pms'), createPmsModule([configuredVendor, ...PMS_VENDORS])], testConfig(), testEnv());
    const live = appWith({ ...pms.relay(), modules }, {});
    const key = configuredVendor.key;
    const listed = async () => (await request(live).get('/v1/pms/vendors').set(as('service')).expect(200)).body.items as Array<{ key: string; callsPaused: { until: string; reason: string } | null }>;
    await pausePmsCalls(pms.relay().prisma, vendorPauseKey(key), 3_600_000, 'firewall refuses this address');
    const paused = (await listed()).find((v) => v.key === key)!;
    expect(paused.callsPaused).toEqual({ until: expect.any(String), reason: 'firewall refuses this address' });
    expect(Date.parse(paused.callsPaused!.until)).toBeGreaterThan(Date.now() + 3_500_000);
    await request(live).delete(`/v1/pms/vendors/${key}/pause`).set(as('service')).expect(403);
    await request(live).delete('/v1/pms/vendors/no-such-vendor/pause').set(as('operator')).expect(404);
    await request(live).delete(`/v1/pms/vendors/${key}/pause`).set(as('operator')).expect(204);
    expect((await listed()).find((v) => v.key === key)!.callsPaused).toBeNull();
  });

  it('names the variables of a vendor that is not configured while another one is', async () => {
    const config = testConfig();
    const modules = loadModules([...RELAY_MODULES.filter((m) => m.name !== 'pms'), createPmsModule([configuredVendor, ...PMS_VENDORS])], config, testEnv());
    expect(modules.find((m) => m.name === 'pms')?.state).toEqual({ mode: 'live' });
    const live = appWith({ ...pms.relay(), modules }, {});
    const vendors = (await request(live).get('/v1/pms/vendors').set(as('service'))).body.items;
    const other = PMS_VENDORS[0]!;
    expect(vendors.find((v: { key: string }) => v.key === other.key)).toMatchObject({ enabled: false, missing: expect.arrayContaining([...other.settings.variables].slice(0, 1)) });
    const res = await request(live)
      .post('/v1/properties')
      .set(as('operator'))
      .send({ vendor: other.key, name: 'H', vendorPropertyId: 'h-1', credentials: {}, timezone: 'Europe/Amsterdam', country: 'NL' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ reason: 'vendor_disabled', vendor: other.key });
    expect(res.body.message).toContain(other.settings.variables[0]);
  });
});
