import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { spawnSimulator, waitForSimulator } from '../../scripts/lib/simulators';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { RELAY_MODULES, relayConfigVariables } from '../../src/modules';
import { loadModules } from '../../src/modules/load';
import { ensureSchedules } from '../../src/temporal/schedules';
import { greetingsModule } from '../fixtures/greetings/module';
import { type RelayHarness, appWith, bearer, startRelay, testConfig, testEnv, uniqueId } from '../helpers/relay';

/**
 * Adding an integration is declaring a module and passing it with Relay's own: its route,
 * queue, callback, schedule, readiness probe and demo simulator come up with no edit elsewhere.
 */
describe('a fixture integration module', () => {
  const scheduleId = uniqueId('greetings-hourly');
  const fixture = greetingsModule({ scheduleId });
  let relay: RelayHarness;
  let simulator: ChildProcess | undefined;

  beforeAll(async () => {
    const env = { GREETINGS_SIMULATOR_PORT: String(await freePort()) };
    relay = await startRelay({ env, extraModules: [fixture.module], workflowsPath: require.resolve('../fixtures/greetings/bundle') });
    // Its demo simulator, started the way `npm start` starts every module's.
    const [sim, ...others] = relay.modules.find((m) => m.name === 'greetings')!.enabled!.simulators();
    expect(others).toEqual([]);
    simulator = spawnSimulator(path.join(__dirname, '..', '..'), sim!, process.env);
    await waitForSimulator(sim!, 30_000, () => simulator?.exitCode !== null);
  }, 120_000);

  afterAll(async () => {
    simulator?.kill('SIGTERM');
    await relay.env.client.schedule.getHandle(scheduleId).delete().catch(() => undefined);
    await relay.stop();
  });

  it('serves its route through its own queue, against its demo simulator', async () => {
    const res = await request(relay.app).post('/v1/greetings').set('authorization', bearer('service')).send({ name: 'Ada' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ greeting: 'Hello, Ada' });
    expect(relay.taskQueues.greetings).toMatch(/^relay-greetings-test-/);
  });

  it('publishes its OpenAPI paths, its readiness probe and its state', async () => {
    const openapi = await request(relay.app).get('/openapi.json').expect(200);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/greetings', '/v1/notifications']));
    const ready = await request(relay.app).get('/readyz').expect(200);
    expect(ready.body.checks).toMatchObject({ database: 'ok', temporal: 'ok', greeter: 'ok' });
    expect(ready.body.integrations).toEqual({ core: 'live', notifications: 'demo', 'company-sync': 'demo', pms: 'demo', greetings: 'demo' });
  });

  it('mounts its vendor callback under /v1/webhooks/<vendor>, outside API-key authentication', async () => {
    await request(relay.app).post('/v1/webhooks/greeter').send({ hello: 'there' }).expect(204);
    expect(fixture.received).toEqual([{ hello: 'there' }]);
  });

  it('gets its schedule created, and a run of it completes on its queue', async () => {
    const schedules = relay.modules.flatMap((m) => m.enabled?.schedules(relay.taskQueues) ?? []);
    expect(schedules.map((s) => s.scheduleId)).toEqual(expect.arrayContaining(['notifications-purge', scheduleId]));
    await ensureSchedules(relay.env.client, schedules.filter((s) => s.scheduleId === scheduleId));
    const handle = relay.env.client.schedule.getHandle(scheduleId);
    await handle.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && !workflowId; i++) {
      workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(workflowId).toBeDefined();
    expect(await relay.env.client.workflow.getHandle(workflowId!).result()).toBe('Hello, world');
  });

  it('has its variables in the configuration checks and, in production without credentials, is disabled', async () => {
    expect(relayConfigVariables([...RELAY_MODULES, fixture.module])).toEqual(expect.arrayContaining(['GREETINGS_TOKEN', 'TWILIO_AUTH_TOKEN', 'DATABASE_URL']));
    const production = testConfig({ NODE_ENV: 'production' });
    const modules = loadModules([...RELAY_MODULES, fixture.module], production, testEnv({ NODE_ENV: 'production' }));
    expect(modules.find((m) => m.name === 'greetings')?.state).toEqual({ mode: 'disabled', missing: ['GREETINGS_TOKEN'] });
    const app = appWith({ ...relay, config: production }, { modules });
    const res = await request(app).post('/v1/greetings').set('authorization', bearer('service')).send({ name: 'Ada' });
    expect(res.status).toBe(503);
    expect(res.body.message).toContain('GREETINGS_TOKEN');
    await request(app).post('/v1/webhooks/greeter').send({}).expect(503);
    // With its credential it is live, whatever the environment.
    const live = loadModules([...RELAY_MODULES, fixture.module], production, testEnv({ NODE_ENV: 'production', GREETINGS_TOKEN: 't' }));
    expect(live.find((m) => m.name === 'greetings')?.state).toEqual({ mode: 'live' });
  });
});
