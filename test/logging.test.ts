import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../src/api/app';
import { createApiMetrics } from '../src/api/metrics';
import { createLogger } from '../src/logger';
import { EncryptionCodec } from '../src/temporal/encryption-codec';
import { bearer, type RelayHarness, startRelay, TEST_KEYS } from './helpers/relay';

describe('API logs', () => {
  let relay: RelayHarness;
  beforeAll(async () => {
    relay = await startRelay({ withWorker: false });
  });
  afterAll(async () => {
    await relay.stop();
  });

  it('are JSON lines with the request id, and carry no keys or request bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const app = createApp({
      config: relay.config,
      logger: createLogger({ level: 'info', name: 'relay-api' }, sink),
      temporal: relay.env.client,
      codec: new EncryptionCodec(relay.config.codec.keys),
      metrics: createApiMetrics(),
      readiness: {},
    });
    await request(app)
      .post('/v1/echo')
      .set('authorization', bearer('operator'))
      .set('x-request-id', 'log-test-request')
      .send({ message: 'jane.doe@example.com +31612345678', id: 'has spaces' })
      .expect(400);
    await request(app).get('/metrics').set('authorization', `Bearer ${TEST_KEYS.service}`).expect(200);

    const entries = lines.map((l) => JSON.parse(l) as { req?: { id?: string; headers?: Record<string, string> }; msg: string });
    const entry = entries.find((e) => e.req?.id === 'log-test-request');
    expect(entry).toBeDefined();
    expect(entry!.req!.headers!.authorization).toBe('[redacted]');
    const all = lines.join('\n');
    for (const secret of [TEST_KEYS.operator, TEST_KEYS.service, 'jane.doe@example.com', '+31612345678']) {
      expect(all).not.toContain(secret);
    }
  });
});
