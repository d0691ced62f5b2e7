import { Writable } from 'node:stream';
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { twilioSignature } from '../../src/integrations/twilio/simulator/signature';
import { TWILIO_DEMO } from '../../src/integrations/twilio/config';
import { createLogger } from '../../src/logger';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { RELAY_MODULES } from '../../src/modules';
import { loadModules } from '../../src/modules/load';
import { logModuleStates } from '../../src/modules/log-states';
import { createDataConverter } from '../../src/temporal/data-converter';
import { createWorkers } from '../../src/temporal/workers';
import { bearer, testConfig, testEnv, uniqueId, useRelay, workflowBundle } from '../helpers/relay';

const PRODUCTION = { NODE_ENV: 'production' };
const MISSING = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_SENDERS'];

/** A production build without Twilio credentials: notifications are disabled, never demo mode. */
describe('an integration without credentials in production', () => {
  const relay = useRelay({ env: PRODUCTION, withWorker: false });

  it('is disabled, not demo, unless RELAY_DEMO=true opts in', () => {
    const states = Object.fromEntries(relay().modules.map((m) => [m.name, m.state]));
    expect(states).toEqual({
      core: { mode: 'live' },
      notifications: { mode: 'disabled', missing: MISSING },
      'company-sync': { mode: 'disabled', missing: ['EXACT_CLIENT_ID', 'EXACT_CLIENT_SECRET'] },
      pms: { mode: 'disabled', missing: [...new Set(PMS_VENDORS.flatMap((v) => v.settings.variables))] },
    });
    const optIn = loadModules(RELAY_MODULES, testConfig({ ...PRODUCTION, RELAY_DEMO: 'true' }), testEnv({ ...PRODUCTION, RELAY_DEMO: 'true' }));
    expect(optIn.find((m) => m.name === 'notifications')?.state).toEqual({ mode: 'demo' });
    // Development keeps demo mode without any opt-in.
    const dev = loadModules(RELAY_MODULES, testConfig({ NODE_ENV: 'development' }), testEnv({ NODE_ENV: 'development' }));
    expect(dev.find((m) => m.name === 'notifications')?.state).toEqual({ mode: 'demo' });
  });

  it('says so at start-up: a warning naming what to set, and one on every start of an opted-in demo', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().trim().split('\n')), done()) });
    const logger = createLogger({ level: 'info', name: 'relay-worker' }, sink);
    logModuleStates(logger, relay().config, relay().modules);
    const disabled = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.integration === 'notifications');
    expect(disabled).toMatchObject({ level: 40, missing: MISSING });
    expect(disabled?.msg).toContain('Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_SENDERS to enable it');

    lines.length = 0;
    const config = testConfig({ ...PRODUCTION, RELAY_DEMO: 'true' });
    logModuleStates(logger, config, loadModules(RELAY_MODULES, config, testEnv({ ...PRODUCTION, RELAY_DEMO: 'true' })));
    expect(lines.some((l) => l.includes('"level":40') && l.includes('RELAY_DEMO=true'))).toBe(true);
  });

  it('answers 503 naming the missing variables, and queues nothing', async () => {
    const key = uniqueId('prod-disabled');
    const res = await request(relay().app)
      .post('/v1/notifications')
      .set('authorization', bearer('service'))
      .send({ idempotencyKey: key, channel: 'sms', recipient: '+33612000001', body: 'hello' });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'integration_disabled', integration: 'notifications', missing: MISSING });
    expect(res.body.message).toContain('TWILIO_ACCOUNT_SID');
    expect(await relay().prisma.notification.findUnique({ where: { id: key } })).toBeNull();
    await expect(relay().env.client.workflow.getHandle(`notification-${key}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // Every route of the module, reads included; a caller without a key still gets 401 first.
    for (const path of ['/v1/notifications', '/v1/appointments/a1', '/v1/dossiers/d1', '/v1/webhook-endpoints']) {
      expect((await request(relay().app).get(path).set('authorization', bearer('operator'))).status).toBe(503);
    }
    expect((await request(relay().app).get('/v1/notifications')).status).toBe(401);
  });

  it('refuses vendor callbacks, even one signed with the public demo token', async () => {
    const base = relay().notifications.callbackBaseUrl;
    const params = { From: '+33612000009', Body: 'STOP', To: TWILIO_DEMO.senders[0].address };
    const res = await request(relay().app)
      .post('/v1/webhooks/twilio/inbound')
      .set('x-twilio-signature', twilioSignature(TWILIO_DEMO.authToken, `${base}/v1/webhooks/twilio/inbound`, params))
      .type('form')
      .send(params);
    expect(res.status).toBe(503);
    expect(await relay().prisma.recipientConsent.findUnique({ where: { recipient: params.From } })).toBeNull();
    const status = { MessageSid: `SM${'a'.repeat(32)}`, MessageStatus: 'delivered', To: '+33612000001' };
    const url = `${base}/v1/webhooks/twilio/status?notification=n1`;
    const receipt = await request(relay().app)
      .post('/v1/webhooks/twilio/status?notification=n1')
      .set('x-twilio-signature', twilioSignature(TWILIO_DEMO.authToken, url, status))
      .type('form')
      .send(status);
    expect(receipt.status).toBe(503);
  });

  it('is listed as disabled by /readyz, which stays ready', async () => {
    const res = await request(relay().app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.integrations).toEqual({ core: 'live', notifications: 'disabled', 'company-sync': 'disabled', pms: 'disabled' });
  });

  it('has no worker for its task queue', async () => {
    const workers = await createWorkers({
      connection: relay().env.nativeConnection,
      namespace: relay().config.temporal.namespace,
      dataConverter: createDataConverter(relay().config.codec.keys),
      modules: relay().modules,
      deps: { prisma: relay().prisma, logger: createLogger({ level: 'silent', name: 'relay-test' }) },
      shutdownGraceMs: 1_000,
      workflowBundle: await workflowBundle(),
      taskQueues: relay().taskQueues,
    });
    expect(workers.map((w) => w.options.taskQueue)).toEqual([relay().taskQueues.core]);
    await Promise.all(workers.map((w) => w.runUntil(Promise.resolve())));
  });
});
