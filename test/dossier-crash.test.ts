import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { freePort } from '../scripts/lib/temporal-dev-server';
import { isFinalStatus } from '../src/domain/notifications';
import { createLogger } from '../src/logger';
import { createDataConverter } from '../src/temporal/data-converter';
import { createWorkers } from '../src/temporal/workers';
import { twilioEnv, useTwilioSimulator } from './helpers/notifications';
import { TEST_KEYS, bearer, testEnv, uniqueId, useRelay, workflowBundle } from './helpers/relay';

/**
 * The dual-write proof: the real API process (src/api/server.ts) is killed with SIGKILL at
 * the worst moments of a dossier status change, through its test-only crash hook
 * (RELAY_TEST_CRASH_AFTER, honoured only when NODE_ENV=test). The client sees a dropped
 * connection and retries; the status must end recorded once and every subscriber notified
 * once, counted at the Twilio simulator.
 *
 * The API process starts work on Relay's production task queue names, as in production,
 * so this file's worker serves those (jest runs one file at a time).
 */
describe('dossier status change: the API process crashes mid-request', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim, withWorker: false });
  const apis: ChildProcess[] = [];

  afterAll(() => {
    for (const api of apis) if (api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
  });

  /** The real API entry point as a process, optionally armed to crash at a point. */
  async function startApi(crashAfter?: string, env: Record<string, string> = {}) {
    const port = await freePort();
    let output = '';
    const api = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'src', 'api', 'server.ts')], {
      env: {
        ...process.env,
        ...testEnv({
          LOG_LEVEL: 'info',
          API_PORT: String(port),
          ...twilioEnv(sim()),
          NOTIFY_CALLBACK_BASE_URL: relay().notifications.callbackBaseUrl,
          NOTIFY_RECEIPT_TIMEOUT_MS: '5000',
          RELAY_TEST_CRASH_AFTER: crashAfter,
          ...env,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    apis.push(api);
    api.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    api.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => api.once('exit', (code, signal) => resolve(signal ?? code)));
    for (let i = 0; i < 240 && !output.includes('"msg":"api listening"'); i++) {
      if (api.exitCode !== null) throw new Error(`the API exited early:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!output.includes('"msg":"api listening"')) throw new Error(`the API did not start:\n${output}`);
    const postStatus = (dossierId: string, body: object) =>
      fetch(`http://127.0.0.1:${port}/v1/dossiers/${dossierId}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEYS.service}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    return {
      postStatus,
      exited,
      output: () => output,
      stop: async () => {
        api.kill('SIGTERM');
        await exited;
      },
    };
  }

  /** A worker in this process for the notifications queue, as `npm run worker` runs it. */
  async function startWorker() {
    const { prisma, config, env, modules } = relay();
    const workers = await createWorkers({
      connection: env.nativeConnection,
      namespace: config.temporal.namespace,
      dataConverter: createDataConverter(config.codec.keys, { strict: config.codec.strictPayloads }),
      modules,
      deps: { prisma, logger: createLogger({ level: 'silent', name: 'relay-test' }) },
      shutdownGraceMs: 1_000,
      workflowBundle: await workflowBundle(),
      // Production's queue names, as the API process it crashes uses them.
      only: ['notifications'],
    });
    const running = Promise.all(workers.map((w) => w.run()));
    return {
      stop: async () => {
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
        await running;
      },
    };
  }

  /** A dossier `submitted` with an SMS and a WhatsApp subscriber (in the session window). */
  async function dossierWithSubscribers() {
    const id = uniqueId('D');
    const sms = `+3364${Math.floor(1e6 + Math.random() * 9e6)}`;
    const wa = `+3365${Math.floor(1e6 + Math.random() * 9e6)}`;
    sim().openSession(`whatsapp:${wa}`);
    const api = request(relay().app);
    await api.put(`/v1/dossiers/${id}`).set('authorization', bearer('service')).send({ status: 'submitted' }).expect(201);
    await api
      .put(`/v1/dossiers/${id}/subscribers`)
      .set('authorization', bearer('service'))
      .send({ subscribers: [{ channel: 'sms', recipient: sms }, { channel: 'whatsapp', recipient: wa }] })
      .expect(200);
    return { id, sms, wa };
  }

  /** Workflow runs matching a visibility query (the dev server's SQL visibility answers at once). */
  async function countRuns(query: string) {
    let n = 0;
    for await (const _ of relay().env.client.workflow.list({ query })) n++;
    return n;
  }

  /** What reached the outside world for a dossier: messages at Twilio, rows in PostgreSQL, workflow runs. */
  async function effects(d: { id: string; sms: string; wa: string }) {
    const { prisma } = relay();
    await sim().idle();
    return {
      changeRuns: await countRuns(`WorkflowId STARTS_WITH "dossier-status-${d.id}-"`),
      messageRuns: await countRuns(`WorkflowId STARTS_WITH "notification-dossier-${d.id}-" AND RelayChannel IN ("sms", "whatsapp")`),
      smsAtTwilio: sim().messages({ to: d.sms }).length,
      whatsappAtTwilio: sim().messages({ to: `whatsapp:${d.wa}` }).length,
      changes: await prisma.dossierStatusChange.count({ where: { dossierId: d.id } }),
      messageRows: await prisma.notification.count({ where: { dossierId: d.id, channel: { in: ['sms', 'whatsapp'] } } }),
      status: (await prisma.dossier.findUniqueOrThrow({ where: { id: d.id } })).status,
    };
  }

  /** Visibility lags a little behind: allow it a few seconds to agree. */
  async function expectEffects(d: { id: string; sms: string; wa: string }, expected: Awaited<ReturnType<typeof effects>>) {
    let actual = await effects(d);
    for (let i = 0; i < 50 && JSON.stringify(actual) !== JSON.stringify(expected); i++) {
      await new Promise((r) => setTimeout(r, 100));
      actual = await effects(d);
    }
    expect(actual).toEqual(expected);
  }

  async function messagesSettled(dossierId: string) {
    for (let i = 0; i < 300; i++) {
      const rows = await relay().prisma.notification.findMany({ where: { dossierId, channel: { in: ['sms', 'whatsapp'] } } });
      if (rows.length === 2 && rows.every((r) => isFinalStatus(r.status))) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the notifications of ${dossierId} did not settle`);
  }

  it('crash after the workflow start, before the answer: the change is recorded once, each subscriber notified once, the retry answers 200', async () => {
    const d = await dossierWithSubscribers();
    const changeId = uniqueId('chg');
    const change = { status: 'approved', changeId };
    const workflowId = `dossier-status-${d.id}-${changeId}`;

    const crashing = await startApi('dossier-status-started');
    await expect(crashing.postStatus(d.id, change)).rejects.toThrow();
    expect(await crashing.exited).toBe('SIGKILL');

    // The window a dual write would lose: the workflow exists, nothing is written yet (no worker runs).
    expect((await relay().env.client.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    await expectEffects(d, { changeRuns: 1, messageRuns: 0, smsAtTwilio: 0, whatsappAtTwilio: 0, changes: 0, messageRows: 0, status: 'submitted' });

    const worker = await startWorker();
    try {
      expect(await relay().env.client.workflow.getHandle(workflowId).result()).toMatchObject({ status: 'approved', previousStatus: 'submitted' });
      await messagesSettled(d.id);

      // The client retries the request that got no answer, against a restarted API.
      const api = await startApi();
      const retry = await api.postStatus(d.id, change);
      expect(retry.status).toBe(200);
      expect(await retry.json()).toMatchObject({ changeId, state: 'recorded', previousStatus: 'submitted', workflowId });
      // And once more while nothing is running any more.
      expect((await api.postStatus(d.id, change)).status).toBe(200);
      await api.stop();
      expect(api.output()).not.toContain(d.sms.slice(1));

      await new Promise((r) => setTimeout(r, 1_000));
      await expectEffects(d, { changeRuns: 1, messageRuns: 2, smsAtTwilio: 1, whatsappAtTwilio: 1, changes: 1, messageRows: 2, status: 'approved' });
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it('crash before the workflow start: nothing is recorded or sent, and the retry does everything once', async () => {
    const d = await dossierWithSubscribers();
    const changeId = uniqueId('chg');
    const change = { status: 'approved', changeId };
    const workflowId = `dossier-status-${d.id}-${changeId}`;
    const worker = await startWorker();
    try {
      const crashing = await startApi('dossier-status-received');
      await expect(crashing.postStatus(d.id, change)).rejects.toThrow();
      expect(await crashing.exited).toBe('SIGKILL');

      await expect(relay().env.client.workflow.getHandle(workflowId).describe()).rejects.toThrow(WorkflowNotFoundError);
      await expectEffects(d, { changeRuns: 0, messageRuns: 0, smsAtTwilio: 0, whatsappAtTwilio: 0, changes: 0, messageRows: 0, status: 'submitted' });

      const api = await startApi();
      const retry = await api.postStatus(d.id, change);
      expect(retry.status).toBe(202);
      await relay().env.client.workflow.getHandle(workflowId).result();
      await messagesSettled(d.id);
      expect((await api.postStatus(d.id, change)).status).toBe(200);
      await api.stop();

      await new Promise((r) => setTimeout(r, 1_000));
      await expectEffects(d, { changeRuns: 1, messageRuns: 2, smsAtTwilio: 1, whatsappAtTwilio: 1, changes: 1, messageRows: 2, status: 'approved' });
    } finally {
      await worker.stop();
    }
  }, 120_000);

  it('ignores the crash hook outside NODE_ENV=test', async () => {
    const api = await startApi('dossier-status-received', { NODE_ENV: 'production' });
    // A dossier that does not exist: the request passes the hook and ends before starting anything.
    const res = await api.postStatus(uniqueId('nope'), { status: 'approved', changeId: uniqueId('chg') });
    expect(res.status).toBe(404);
    await api.stop();
  }, 60_000);
});
