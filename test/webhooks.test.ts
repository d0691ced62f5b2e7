import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import request from 'supertest';
import { subscribedEndpointIds } from '../src/db/notifications/webhook-endpoints';
import { webhookUrlProblem } from '../src/api/routes/notifications/webhook-endpoints/url';
import { createSecretSealer, isSealed } from '../src/db/sealed-secrets';
import { RelayAttempts, RelayEntityId } from '../src/domain/search-attributes';
import { WorkflowIds } from '../src/domain/workflow-ids';
import { createLogger } from '../src/logger';
import { createDataConverter } from '../src/temporal/data-converter';
import { notifyWebhookSubscribers } from '../src/temporal/starters/webhook';
import { createWorkers } from '../src/temporal/workers';
import { notificationWorkflow } from '../src/workflows/notifications/notification';
import { jittered } from '../src/workflows/notifications/webhook-delivery';
import { type RelayHarness, bearer, startRelay, uniqueId, workflowBundle } from './helpers/relay';

/** A webhook receiver on a free port: answers each path from a script, records every request. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

class Receiver {
  readonly requests: Received[] = [];
  private readonly scripts = new Map<string, { statuses: number[]; then: number }>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const script = this.scripts.get(path);
        const status = script?.statuses.shift() ?? script?.then ?? 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `path` answers `statuses` in turn, then `then` forever. */
  script(path: string, statuses: number[], then = 200): void {
    this.scripts.set(path, { statuses: [...statuses], then });
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const SCHEDULE_MS = 300;

describe('webhooks (API → Temporal → signed delivery → receiver)', () => {
  let relay: RelayHarness;
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const receiver = new Receiver();
  const logLines: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    await receiver.start();
    relay = await startRelay({
      withWorker: false,
      env: { WEBHOOK_RETRY_SCHEDULE_MS: `${SCHEDULE_MS},${SCHEDULE_MS},${SCHEDULE_MS}`, WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_DISABLE_AFTER_HOURS: '24' },
    });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const logger = createLogger({ level: 'info', name: 'relay-worker' }, sink);
    workers = await createWorkers({
      connection: relay.env.nativeConnection,
      namespace: relay.config.temporal.namespace,
      dataConverter: createDataConverter(relay.config.codec.keys, { strict: relay.config.codec.strictPayloads }),
      // The notifications module as loaded for the test (demo Twilio: webhook deliveries never call it), logging to the sink.
      modules: relay.modules,
      deps: { prisma: relay.prisma, logger },
      only: ['notifications'],
      shutdownGraceMs: 1_000,
      workflowBundle: await workflowBundle(),
      taskQueues: relay.taskQueues,
    });
    running = Promise.all(workers.map((w) => w.run()));
  });

  afterAll(async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await relay?.stop();
    await receiver.stop();
  });

  const api = () => request(relay.app);

  async function createEndpoint(events = ['dossier.status_changed']) {
    const path = `/hooks/${uniqueId('rx')}`;
    const res = await api().post('/v1/webhook-endpoints').set('authorization', bearer('service')).send({ url: `${receiver.url}${path}`, events });
    expect(res.status).toBe(201);
    secrets.push(res.body.secret);
    return { id: res.body.id as string, secret: res.body.secret as string, path };
  }

  async function sendWebhook(endpointId: string, payload: Record<string, unknown> = { dossierId: 'D-1', status: 'approved' }) {
    const id = uniqueId('wh');
    const res = await api()
      .post('/v1/notifications')
      .set('authorization', bearer('service'))
      .send({ idempotencyKey: id, channel: 'webhook', recipient: endpointId, event: 'dossier.status_changed', payload });
    expect(res.status).toBe(202);
    return id;
  }

  async function waitForStatus(id: string, status: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let row = await relay.prisma.notification.findUnique({ where: { id } });
    while (row?.status !== status && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      row = await relay.prisma.notification.findUnique({ where: { id } });
    }
    if (row?.status !== status) throw new Error(`notification ${id} did not reach ${status} (last: ${row?.status ?? 'no row'}, error: ${row?.lastError ?? '-'})`);
    return row;
  }

  /** The workflow has closed (the row can be final a moment before). */
  const result = (workflowId: string) => relay.env.client.workflow.getHandle(workflowId).result().catch((err: unknown) => err);

  const headersOf = (r: Received) => ({
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });

  describe('endpoints', () => {
    it('registers an endpoint and shows its secret only in the answer to the creation', async () => {
      const res = await api()
        .post('/v1/webhook-endpoints')
        .set('authorization', bearer('service'))
        .send({ url: `${receiver.url}/hooks/created`, events: ['dossier.status_changed', 'dossier.*'] });
      expect(res.status).toBe(201);
      expect(res.headers.location).toBe(`/v1/webhook-endpoints/${res.body.id}`);
      expect(res.body).toMatchObject({ url: `${receiver.url}/hooks/created`, events: ['dossier.status_changed', 'dossier.*'], status: 'active', createdBy: 'ci', failingSince: null });
      expect(res.body.id).toMatch(/^ep-[0-9a-f]{16}$/);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(Buffer.from(res.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
      // Stored sealed under Relay's keys, for this endpoint only.
      const stored = (await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: res.body.id } })).secret;
      expect(isSealed(stored)).toBe(true);
      expect(stored).not.toContain(res.body.secret.slice('whsec_'.length, 20));
      const sealer = createSecretSealer(relay.config.codec.keys);
      expect(sealer.open(stored, `webhook_endpoint:${res.body.id}`)).toBe(res.body.secret);
      expect(() => sealer.open(stored, 'webhook_endpoint:ep-0000000000000000')).toThrow();

      const one = await api().get(`/v1/webhook-endpoints/${res.body.id}`).set('authorization', bearer('service'));
      expect(one.status).toBe(200);
      expect(one.body).not.toHaveProperty('secret');
      expect(one.body).toEqual({ ...res.body, secret: undefined, updatedAt: one.body.updatedAt });
      const list = await api().get('/v1/webhook-endpoints').set('authorization', bearer('service'));
      expect(list.body.items.map((e: { id: string }) => e.id)).toContain(res.body.id);
      expect(JSON.stringify(list.body)).not.toContain('whsec_');

      const unknown = await api().get('/v1/webhook-endpoints/ep-0000000000000000').set('authorization', bearer('service'));
      expect(unknown.status).toBe(404);
    });

    it.each([
      ['plain http to a public host', { url: 'http://example.com/hooks', events: ['a.b'] }, 'url'],
      ['another scheme', { url: 'ftp://127.0.0.1/hooks', events: ['a.b'] }, 'url'],
      ['credentials in the URL', { url: 'https://user:pw@example.com/hooks', events: ['a.b'] }, 'url'],
      ['not a URL', { url: 'hooks', events: ['a.b'] }, 'url'],
      ['no events', { url: 'https://example.com/hooks', events: [] }, 'events'],
      ['a malformed event', { url: 'https://example.com/hooks', events: ['Dossier Changed'] }, 'events'],
    ])('refuses %s', async (_what, body, field) => {
      const res = await api().post('/v1/webhook-endpoints').set('authorization', bearer('service')).send(body);
      expect(res.status).toBe(400);
      expect(res.body.issues.map((i: { path: string[] }) => i.path[0])).toContain(field);
    });

    it('takes only https to public hosts in production, and loopback or private http outside it', () => {
      const production = { allowInternal: false };
      expect(webhookUrlProblem('https://hooks.example.com/relay', production)).toBeUndefined();
      for (const url of ['http://hooks.example.com/relay', 'http://127.0.0.1:8080/x']) expect(webhookUrlProblem(url, production)).toBe('must use https');
      for (const url of ['https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://[::1]/x', 'https://localhost/x', 'https://169.254.169.254/latest', 'https://[::ffff:192.168.0.1]/x']) {
        expect(webhookUrlProblem(url, production)).toMatch(/loopback or private/);
      }
      const development = { allowInternal: true };
      for (const url of ['http://127.0.0.1:8080/x', 'http://192.168.1.20/x', 'http://localhost:3000/x', 'https://hooks.example.com/x']) {
        expect(webhookUrlProblem(url, development)).toBeUndefined();
      }
      expect(webhookUrlProblem('http://hooks.example.com/x', development)).toMatch(/must use https/);
    });

    it('disables on DELETE and enables again, each recorded in the audit log', async () => {
      const endpoint = await createEndpoint();
      const disabled = await api().delete(`/v1/webhook-endpoints/${endpoint.id}`).set('authorization', bearer('service'));
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled by ci' });
      await relay.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { failingSince: new Date() } });
      const enabled = await api().post(`/v1/webhook-endpoints/${endpoint.id}/enable`).set('authorization', bearer('service'));
      expect(enabled.body).toMatchObject({ status: 'active', disabledReason: null, failingSince: null });
      const audit = await relay.prisma.auditLog.findMany({ where: { entityId: endpoint.id }, orderBy: { id: 'asc' } });
      expect(audit.map((a) => [a.action, a.actor])).toEqual([
        ['webhook_endpoint.disabled', 'ci'],
        ['webhook_endpoint.enabled', 'ci'],
      ]);
    });
  });

  describe('delivery', () => {
    it('posts a body signed per Standard Webhooks that the reference verifier accepts, and lists it delivered', async () => {
      const endpoint = await createEndpoint();
      const payload = { dossierId: 'D-42', status: 'approved', changedAt: '2026-11-25T10:00:00Z' };
      const id = await sendWebhook(endpoint.id, payload);
      const row = await waitForStatus(id, 'delivered');
      expect(row).toMatchObject({ attempts: 1, endpointId: endpoint.id, lastError: null });

      const [received, ...more] = receiver.at(endpoint.path);
      expect(more).toHaveLength(0);
      expect(received!.headers['webhook-id']).toBe(id);
      expect(received!.headers['content-type']).toBe('application/json');
      expect(Number(received!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
      expect(new Webhook(endpoint.secret).verify(received!.body, headersOf(received!))).toEqual({
        type: 'dossier.status_changed',
        timestamp: row.createdAt.toISOString(),
        data: payload,
      });
      // The verifier is not a rubber stamp: another secret or a changed byte fails.
      expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(received!.body, headersOf(received!))).toThrow(WebhookVerificationError);
      expect(() => new Webhook(endpoint.secret).verify(received!.body.replace('D-42', 'D-43'), headersOf(received!))).toThrow(WebhookVerificationError);

      const listed = await api().get('/v1/notifications?channel=webhook&status=delivered&limit=500').set('authorization', bearer('service'));
      expect(listed.body.items.find((n: { id: string }) => n.id === id)).toMatchObject({ status: 'delivered', channel: 'webhook', recipient: endpoint.id, attempts: 1 });
      await result(`notification-${id}`);
      const described = await relay.env.client.workflow.getHandle(`notification-${id}`).describe();
      expect(described.typedSearchAttributes.get(RelayAttempts)).toBe(1);
    });

    it('retries on its jittered schedule with the same webhook-id, and a success ends the failing streak', async () => {
      const endpoint = await createEndpoint();
      receiver.script(endpoint.path, [500, 503]);
      // An earlier failure of this endpoint: the streak ends with the next success.
      await relay.prisma.webhookEndpoint.update({ where: { id: endpoint.id }, data: { failingSince: new Date(Date.now() - 3_600_000) } });
      const id = await sendWebhook(endpoint.id);
      const row = await waitForStatus(id, 'delivered');
      expect(row.attempts).toBe(3);

      const received = receiver.at(endpoint.path);
      expect(received).toHaveLength(3);
      expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
      expect(new Set(received.map((r) => r.body)).size).toBe(1);
      for (const r of received) expect(() => new Webhook(endpoint.secret).verify(r.body, headersOf(r))).not.toThrow();
      for (let i = 1; i < received.length; i++) expect(received[i]!.at - received[i - 1]!.at).toBeGreaterThanOrEqual(SCHEDULE_MS * 0.8 - 20);
      expect((await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).failingSince).toBeNull();
      await result(`notification-${id}`);
      expect((await relay.env.client.workflow.getHandle(`notification-${id}`).describe()).typedSearchAttributes.get(RelayAttempts)).toBe(3);
    });

    it('jitters each delay by at most 20%', () => {
      expect(jittered(10_000, () => 0)).toBe(8_000);
      expect(jittered(10_000, () => 0.5)).toBe(10_000);
      expect(jittered(10_000, () => 0.999999)).toBe(12_000);
    });

    it('ends failed with the last reason after the last attempt, the endpoint failing but still active', async () => {
      const endpoint = await createEndpoint();
      receiver.script(endpoint.path, [], 500);
      const id = await sendWebhook(endpoint.id);
      const row = await waitForStatus(id, 'failed');
      expect(row).toMatchObject({ attempts: 4, lastError: 'gave up after 4 attempts: the receiver answered HTTP 500', errorCode: 'VendorUnavailable' });
      expect(receiver.at(endpoint.path)).toHaveLength(4);
      const after = await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(after.status).toBe('active');
      expect(after.failingSince).not.toBeNull();
    });

    it('disables the endpoint on 410 Gone, and later deliveries to it fail at once', async () => {
      const endpoint = await createEndpoint();
      receiver.script(endpoint.path, [410]);
      const id = await sendWebhook(endpoint.id);
      const row = await waitForStatus(id, 'failed');
      expect(row).toMatchObject({ attempts: 1, errorCode: 'NotFound' });
      expect(row.lastError).toMatch(/410 Gone; webhook endpoint .* is disabled/);
      const disabled = await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      expect(disabled.status).toBe('disabled');
      expect(disabled.disabledReason).toMatch(/^the receiver answered 410 Gone at /);
      const audit = await relay.prisma.auditLog.findMany({ where: { entityId: endpoint.id, action: 'webhook_endpoint.disabled' } });
      expect(audit).toHaveLength(1);
      expect(audit[0]!.actor).toBe(`workflow:notification-${id}`);

      const next = await sendWebhook(endpoint.id);
      const refused = await waitForStatus(next, 'failed');
      expect(refused).toMatchObject({ attempts: 0, errorCode: 'Conflict' });
      expect(refused.lastError).toMatch(/is disabled: the receiver answered 410 Gone/);
      expect(receiver.at(endpoint.path)).toHaveLength(1);
    });

    it('disables and reports an endpoint failing for longer than WEBHOOK_DISABLE_AFTER_HOURS, not one failing for less', async () => {
      const stale = await createEndpoint();
      const recent = await createEndpoint();
      receiver.script(stale.path, [], 500);
      receiver.script(recent.path, [500]);
      await relay.prisma.webhookEndpoint.update({ where: { id: stale.id }, data: { failingSince: new Date(Date.now() - 25 * 3_600_000) } });
      await relay.prisma.webhookEndpoint.update({ where: { id: recent.id }, data: { failingSince: new Date(Date.now() - 23 * 3_600_000) } });

      const [a, b] = [await sendWebhook(stale.id), await sendWebhook(recent.id)];
      const failed = await waitForStatus(a, 'failed');
      expect(failed).toMatchObject({ attempts: 1, errorCode: 'Conflict' });
      expect(failed.lastError).toMatch(/is disabled: failing since .* longer than 24 h/);
      expect(receiver.at(stale.path)).toHaveLength(1);
      const endpoint = await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: stale.id } });
      expect(endpoint.status).toBe('disabled');
      expect(endpoint.disabledReason).toMatch(/^failing since .*, longer than 24 h \(last: the receiver answered HTTP 500\)$/);
      const audit = await relay.prisma.auditLog.findMany({ where: { entityId: stale.id, action: 'webhook_endpoint.disabled' } });
      expect(audit).toHaveLength(1);
      expect(audit[0]!.after).toMatchObject({ status: 'disabled', reason: endpoint.disabledReason });
      const warned = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'webhook endpoint disabled' && l.endpointId === stale.id);
      expect(warned).toHaveLength(1);
      expect(warned[0]!.level).toBe(40);

      await waitForStatus(b, 'delivered');
      expect(await relay.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: recent.id } })).toMatchObject({ status: 'active', failingSince: null });
    });
  });

  describe('replay', () => {
    it('replays one failed delivery as a new run with the same webhook-id', async () => {
      const endpoint = await createEndpoint();
      receiver.script(endpoint.path, [500, 500, 500, 500]);
      const id = await sendWebhook(endpoint.id);
      await waitForStatus(id, 'failed');
      await result(`notification-${id}`);

      const replayed = await api().post(`/v1/notifications/${id}/replay`).set('authorization', bearer('service'));
      expect(replayed.status).toBe(202);
      expect(replayed.body).toEqual({ count: 1, notificationIds: [id], truncated: false });
      const row = await waitForStatus(id, 'delivered');
      expect(row).toMatchObject({ workflowId: `notification-${id}~replay-1`, attempts: 5, closedAt: expect.any(Date) });

      const received = receiver.at(endpoint.path);
      expect(received).toHaveLength(5);
      expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
      expect(new Set(received.map((r) => r.body)).size).toBe(1);
      expect(() => new Webhook(endpoint.secret).verify(received[4]!.body, headersOf(received[4]!))).not.toThrow();
      const replayRun = await relay.env.client.workflow.getHandle(`notification-${id}~replay-1`).describe();
      expect(replayRun.typedSearchAttributes.get(RelayEntityId)).toBe(id);
      expect(await relay.prisma.auditLog.count({ where: { entityId: id, action: 'notification.replayed', actor: 'ci' } })).toBe(1);

      const again = await api().post(`/v1/notifications/${id}/replay`).set('authorization', bearer('service'));
      expect(again.status).toBe(409);
      const unknown = await api().post('/v1/notifications/no-such-notification/replay').set('authorization', bearer('service'));
      expect(unknown.status).toBe(404);
    });

    it('a replay run started but never recorded (the API stopped in between) takes the log row over', async () => {
      const endpoint = await createEndpoint();
      await api().delete(`/v1/webhook-endpoints/${endpoint.id}`).set('authorization', bearer('service')).expect(200);
      const id = await sendWebhook(endpoint.id, { dossierId: 'D-9' });
      const failed = await waitForStatus(id, 'failed');
      await result(`notification-${id}`);
      await api().post(`/v1/webhook-endpoints/${endpoint.id}/enable`).set('authorization', bearer('service')).expect(200);

      // What the replay route starts, without the row update that would have followed.
      const request = { id, channel: 'webhook' as const, recipient: endpoint.id, event: failed.event!, payload: failed.payload, requestedBy: failed.requestedBy };
      await relay.env.client.workflow.start(notificationWorkflow, {
        taskQueue: relay.taskQueues.notifications!,
        workflowId: WorkflowIds.notificationReplay(id, 1),
        args: [{ request, policy: relay.notifications.policy }],
      });
      expect(await waitForStatus(id, 'delivered')).toMatchObject({ workflowId: `notification-${id}~replay-1`, attempts: 1 });
      expect(receiver.at(endpoint.path).map((r) => r.headers['webhook-id'])).toEqual([id]);
    });

    it('replays the failed deliveries to an endpoint accepted in a time range, once enabled again', async () => {
      const endpoint = await createEndpoint();
      const delivered = await sendWebhook(endpoint.id);
      await waitForStatus(delivered, 'delivered');
      await api().delete(`/v1/webhook-endpoints/${endpoint.id}`).set('authorization', bearer('service')).expect(200);

      const early = [await sendWebhook(endpoint.id), await sendWebhook(endpoint.id)];
      for (const id of early) await waitForStatus(id, 'failed');
      const late = await sendWebhook(endpoint.id);
      await waitForStatus(late, 'failed');
      expect(receiver.at(endpoint.path)).toHaveLength(1);
      // The range's bounds from the rows' own acceptance times (the database's clock, not this process's):
      // from the first early one, up to just after the last early one, which the late one comes after.
      const acceptedAt = async (id: string) => (await relay.prisma.notification.findUniqueOrThrow({ where: { id } })).createdAt.getTime();
      const earlyTimes = await Promise.all(early.map(acceptedAt));
      const since = new Date(Math.min(...earlyTimes)).toISOString();
      const middle = new Date(Math.max(...earlyTimes) + 1).toISOString();
      expect(await acceptedAt(late)).toBeGreaterThanOrEqual(Date.parse(middle));
      expect(await acceptedAt(delivered)).toBeLessThan(Date.parse(since));

      const url = `/v1/webhook-endpoints/${endpoint.id}/replay`;
      const whileDisabled = await api().post(url).set('authorization', bearer('service')).send({ since, until: middle });
      expect(whileDisabled.status).toBe(409);
      const backwards = await api().post(url).set('authorization', bearer('service')).send({ since: middle, until: since });
      expect(backwards.status).toBe(400);
      await api().post(`/v1/webhook-endpoints/${endpoint.id}/enable`).set('authorization', bearer('service')).expect(200);

      const first = await api().post(url).set('authorization', bearer('service')).send({ since, until: middle, status: 'failed' });
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({ count: 2, truncated: false });
      expect([...first.body.notificationIds].sort()).toEqual([...early].sort());
      for (const id of early) expect(await waitForStatus(id, 'delivered')).toMatchObject({ workflowId: `notification-${id}~replay-1`, attempts: 1 });
      expect((await relay.prisma.notification.findUniqueOrThrow({ where: { id: late } })).status).toBe('failed');

      const second = await api().post(url).set('authorization', bearer('service')).send({ since: middle });
      expect(second.body).toEqual({ count: 1, notificationIds: [late], truncated: false });
      await waitForStatus(late, 'delivered');
      // The delivered one was not sent again; each replayed one arrived once, under its own id.
      expect(receiver.at(endpoint.path).map((r) => r.headers['webhook-id']).sort()).toEqual([delivered, ...early, late].sort());
    });
  });

  describe('dispatch by event', () => {
    it('starts one notification per active endpoint subscribed to the event, once per event key', async () => {
      const event = `test${randomBytes(3).toString('hex')}.status_changed`;
      const exact = await createEndpoint([event]);
      const prefix = await createEndpoint([`${event.split('.')[0]}.*`]);
      const other = await createEndpoint(['appointment.reminder']);
      const disabled = await createEndpoint([event]);
      await api().delete(`/v1/webhook-endpoints/${disabled.id}`).set('authorization', bearer('service')).expect(200);

      const mine = new Set([exact.id, prefix.id, other.id, disabled.id]);
      const subscribed = (await subscribedEndpointIds(relay.prisma, event)).filter((id) => mine.has(id));
      expect(subscribed.sort()).toEqual([exact.id, prefix.id].sort());

      const ctx = { client: relay.env.client, taskQueues: relay.taskQueues, prisma: relay.prisma, policy: relay.notifications.policy };
      const key = uniqueId('dossier-7-status');
      const e = { event, payload: { dossierId: '7', status: 'closed' }, key, requestedBy: 'dossiers', dossierId: '7' };
      const accepted = (await notifyWebhookSubscribers(ctx, e)).filter((a) => mine.has(a.notification.recipient));
      expect(accepted.map((a) => [a.notification.id, a.created]).sort()).toEqual(
        [
          [`${key}:${exact.id}`, true],
          [`${key}:${prefix.id}`, true],
        ].sort(),
      );
      const repeated = (await notifyWebhookSubscribers(ctx, e)).filter((a) => mine.has(a.notification.recipient));
      expect(repeated.every((a) => !a.created)).toBe(true);

      for (const endpoint of [exact, prefix]) {
        const row = await waitForStatus(`${key}:${endpoint.id}`, 'delivered');
        expect(row.dossierId).toBe('7');
        const received = receiver.at(endpoint.path);
        expect(received).toHaveLength(1);
        expect(new Webhook(endpoint.secret).verify(received[0]!.body, headersOf(received[0]!))).toMatchObject({ type: event, data: e.payload });
      }
      expect(receiver.at(other.path)).toHaveLength(0);
      expect(receiver.at(disabled.path)).toHaveLength(0);
    });
  });

  it('never logs an endpoint secret', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(5);
    const logged = logLines.join('\n');
    for (const secret of secrets) expect(logged).not.toContain(secret.slice('whsec_'.length));
  });
});
