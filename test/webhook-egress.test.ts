import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Worker } from '@temporalio/worker';
import request from 'supertest';
import { createNotificationActivities } from '../src/activities/notifications';
import { createNotificationDeps } from '../src/activities/notifications/create-deps';
import { webhookUrlProblem } from '../src/api/routes/notifications/webhook-endpoints/url';
import { internalAddressKind, type Resolver } from '../src/integrations/http';
import { RECEIVER_ANSWER_MAX_BYTES, redactReceiverUrl } from '../src/integrations/webhooks/receiver-client';
import { createLogger } from '../src/logger';
import { createDataConverter } from '../src/temporal/data-converter';
import { acceptNotification } from '../src/temporal/starters/notification';
import { createWorkers } from '../src/temporal/workers';
import { type RelayHarness, bearer, queueModule, startRelay, uniqueId, workflowBundle } from './helpers/relay';

/** A plain-http receiver: each path answers with a handler; counts TCP connections and requests. */
class Receiver {
  connections = 0;
  readonly requests: string[] = [];
  private readonly handlers = new Map<string, (res: ServerResponse) => void>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        this.requests.push(path);
        const handler = this.handlers.get(path);
        if (handler) handler(res);
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  on(path: string, handler: (res: ServerResponse) => void): void {
    this.handlers.set(path, handler);
  }

  at(path: string): string[] {
    return this.requests.filter((p) => p === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** The DNS of the production worker: names that point into Relay's network, as an attacker would set them up. */
const ZONE: Record<string, LookupAddress[]> = {
  'localtest.me': [{ address: '127.0.0.1', family: 4 }],
  'metadata.google.internal': [{ address: '169.254.169.254', family: 4 }],
  'nat64.hooks.test': [{ address: '64:ff9b::a00:1', family: 6 }],
  'mixed.hooks.test': [
    { address: '93.184.215.14', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ],
};

describe('webhook deliveries cannot reach Relay’s own network', () => {
  let relay: RelayHarness;
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const receiver = new Receiver();
  const logLines: string[] = [];
  const resolved: string[] = [];
  const productionQueue = `relay-notifications-production-${randomBytes(4).toString('hex')}`;

  const resolve: Resolver = async (hostname) => {
    resolved.push(hostname);
    const answer = ZONE[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };

  beforeAll(async () => {
    await receiver.start();
    relay = await startRelay({ withWorker: false, env: { WEBHOOK_RETRY_SCHEDULE_MS: '200,200', WEBHOOK_TIMEOUT_MS: '2000' } });
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', name: 'relay-worker' }, sink);
    const deps = (webhookEgress: Parameters<typeof createNotificationDeps>[0]['webhookEgress']) =>
      createNotificationDeps({ prisma: relay.prisma, logger, twilio: relay.twilio, callbackBaseUrl: 'http://127.0.0.1:9', encryptionKeys: relay.config.codec.keys, webhookEgress });
    const setup = async (webhookEgress: Parameters<typeof deps>[0], queue: string) =>
      createWorkers({
        connection: relay.env.nativeConnection,
        namespace: relay.config.temporal.namespace,
        dataConverter: createDataConverter(relay.config.codec.keys, { strict: relay.config.codec.strictPayloads }),
        modules: [queueModule('notifications', () => createNotificationActivities(deps(webhookEgress)))],
        deps: { prisma: relay.prisma, logger },
        shutdownGraceMs: 1_000,
        workflowBundle: await workflowBundle(),
        taskQueues: { notifications: queue },
      });
    // As in production (NODE_ENV=production) with the DNS above, and as outside it (the API's queue).
    workers = [...(await setup({ allowInternal: false, resolve }, productionQueue)), ...(await setup({ allowInternal: true }, relay.taskQueues.notifications!))];
    running = Promise.all(workers.map((w) => w.run()));
  });

  afterAll(async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
    await relay?.stop();
    await receiver.stop();
  });

  const api = () => request(relay.app);
  const token = () => randomBytes(12).toString('base64url');

  async function createEndpoint(url: string) {
    const res = await api().post('/v1/webhook-endpoints').set('authorization', bearer('service')).send({ url, events: ['dossier.status_changed'] });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  /** A delivery to `endpointId` on the production worker (`production`) or the API's queue. */
  async function deliver(endpointId: string, where: 'production' | 'development') {
    const id = uniqueId('egress');
    if (where === 'development') {
      await api()
        .post('/v1/notifications')
        .set('authorization', bearer('service'))
        .send({ idempotencyKey: id, channel: 'webhook', recipient: endpointId, event: 'dossier.status_changed', payload: { dossierId: 'D-1' } })
        .expect(202);
    } else {
      await acceptNotification(
        { client: relay.env.client, taskQueues: { ...relay.taskQueues, notifications: productionQueue }, prisma: relay.prisma, policy: relay.notifications.policy },
        { id, channel: 'webhook', recipient: endpointId, event: 'dossier.status_changed', payload: { dossierId: 'D-1' }, requestedBy: 'test' },
      );
    }
    return id;
  }

  async function settled(id: string) {
    await relay.env.client.workflow.getHandle(`notification-${id}`).result().catch(() => undefined);
    return relay.prisma.notification.findUniqueOrThrow({ where: { id } });
  }

  describe('in production', () => {
    it('refuses a host name that resolves to loopback when it connects: not retried, the reason on the row, nothing reaches the receiver', async () => {
      // Registered: a name is not resolved at registration, even in production.
      expect(webhookUrlProblem('https://localtest.me/hooks/in', { allowInternal: false })).toBeUndefined();
      const endpointId = await createEndpoint(`https://localtest.me:${receiver.port}/hooks/${token()}`);
      const before = receiver.connections;

      const row = await settled(await deliver(endpointId, 'production'));
      expect(row).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'DestinationRefused' });
      expect(row.lastError).toBe('refused to connect to localtest.me: it resolves to 127.0.0.1, a loopback address');
      expect(resolved).toContain('localtest.me');
      expect(receiver.connections).toBe(before);
    });

    it.each([
      ['metadata.google.internal', 'it resolves to 169.254.169.254, a cloud metadata service'],
      ['nat64.hooks.test', 'it resolves to 64:ff9b::a00:1, a NAT64 address of 10.0.0.1 (a private-network address)'],
      ['mixed.hooks.test', 'it resolves to 10.0.0.7, a private-network address'],
    ])('refuses %s (%s)', async (host, why) => {
      const row = await settled(await deliver(await createEndpoint(`https://${host}/hooks/in`), 'production'));
      expect(row).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'DestinationRefused', lastError: `refused to connect to ${host}: ${why}` });
    });

    it('refuses an IP literal of Relay’s network registered outside production', async () => {
      const before = receiver.connections;
      const row = await settled(await deliver(await createEndpoint(`http://127.0.0.1:${receiver.port}/hooks/in`), 'production'));
      expect(row).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'DestinationRefused', lastError: 'refused to connect to 127.0.0.1, a loopback address' });
      expect(receiver.connections).toBe(before);
    });

    it('classifies addresses: public ones pass, internal ones name what they are', () => {
      for (const ip of ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c', '64:ff9b::5db8:d70e']) expect(internalAddressKind(ip)).toBeUndefined();
      expect(
        Object.fromEntries(
          ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '::1', 'fe80::1', 'fd12::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '64:ff9b::7f00:1'].map(
            (ip) => [ip, internalAddressKind(ip)],
          ),
        ),
      ).toEqual({
        '127.0.0.1': 'a loopback address',
        '10.1.2.3': 'a private-network address',
        '172.16.0.1': 'a private-network address',
        '192.168.1.1': 'a private-network address',
        '169.254.1.1': 'a link-local address',
        '169.254.169.254': 'a cloud metadata service',
        '100.100.100.200': 'a cloud metadata service',
        '0.0.0.0': 'an unspecified address',
        '::1': 'a loopback address',
        'fe80::1': 'a link-local address',
        'fd12::1': 'a unique-local address',
        'fd00:ec2::254': 'a cloud metadata service',
        '::ffff:127.0.0.1': 'an IPv4-mapped IPv6 address',
        '64:ff9b::7f00:1': 'a NAT64 address of 127.0.0.1 (a loopback address)',
      });
      // Registration refuses the same literals; a metadata service outside production too.
      for (const url of ['https://[64:ff9b::a9fe:a9fe]/x', 'https://[::ffff:a00:1]/x', 'https://100.100.100.200/x']) {
        expect(webhookUrlProblem(url, { allowInternal: false })).toMatch(/loopback or private/);
      }
      expect(webhookUrlProblem('http://169.254.169.254/latest/meta-data', { allowInternal: true })).toBe('must not point at a cloud metadata service');
    });
  });

  describe('outside production (receivers on this machine)', () => {
    it('delivers to loopback, and does not follow a redirect', async () => {
      const path = `/hooks/${uniqueId('redirect')}`;
      receiver.on(path, (res) => res.writeHead(302, { location: `http://127.0.0.1:${receiver.port}${path}/moved` }).end());
      const row = await settled(await deliver(await createEndpoint(`http://127.0.0.1:${receiver.port}${path}`), 'development'));
      expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'gave up after 3 attempts: the receiver answered HTTP 302' });
      expect(receiver.at(path)).toHaveLength(3);
      expect(receiver.at(`${path}/moved`)).toHaveLength(0);
    });

    it('reads only the first few KiB of an answer and hangs up on the rest', async () => {
      const path = `/hooks/${uniqueId('endless')}`;
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let written = 0;
      let hungUp = false;
      receiver.on(path, (res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.on('close', () => (hungUp = true));
        // An endless answer, as fast as the reader takes it.
        const pump = () => {
          while (!res.destroyed && written < 1024 ** 3) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        pump();
      });
      // Read whole, the answer would time the attempt out (WEBHOOK_TIMEOUT_MS) and fail it.
      const row = await settled(await deliver(await createEndpoint(`http://127.0.0.1:${receiver.port}${path}`), 'development'));
      expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(hungUp).toBe(true);
      expect(written).toBeLessThan(64 * 1024 ** 2);
      expect(RECEIVER_ANSWER_MAX_BYTES).toBeLessThanOrEqual(8 * 1024);
    });

    it('logs a receiver URL without the token in its path or query', async () => {
      const [pathToken, queryToken] = [token(), token()];
      const path = `/hooks/relay/v1/${pathToken}`;
      let calls = 0;
      receiver.on(path, (res) => res.writeHead(++calls === 1 ? 503 : 200).end());
      const url = `http://127.0.0.1:${receiver.port}${path}?key=${queryToken}&tenant=acme`;
      const ok = await settled(await deliver(await createEndpoint(url), 'development'));
      expect(ok).toMatchObject({ status: 'delivered', attempts: 2 });
      const refused = await settled(await deliver(await createEndpoint(`https://localtest.me/hooks/${pathToken}?token=${queryToken}`), 'production'));
      expect(refused.status).toBe('failed');

      const text = logLines.join('\n');
      expect(text).toContain(`"path":"127.0.0.1:${receiver.port}/hooks/relay/v1/[redacted]?[redacted]"`);
      expect(text).toContain('"msg":"vendor request refused"');
      expect(text).toContain('"msg":"vendor request failed"');
      for (const secret of [pathToken, queryToken]) {
        expect(text).not.toContain(secret);
        expect(`${ok.lastError} ${refused.lastError}`).not.toContain(secret);
      }
      expect(redactReceiverUrl(new URL('https://hooks.example.com/services/T0A1B2C3/B4D5E6/abcdefghijklmnopqrstuvwx?sig=1'))).toBe(
        'hooks.example.com/services/[redacted]/[redacted]/[redacted]?[redacted]',
      );
    });
  });
});
