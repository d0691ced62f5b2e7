import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/logger';
import { appWith, bearer, TEST_KEYS, useRelay } from './helpers/relay';

describe('API logs', () => {
  const relay = useRelay({ withWorker: false });

  it('are JSON lines with the request id, and carry no keys or request bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const app = appWith(relay(), { logger: createLogger({ level: 'info', name: 'relay-api' }, sink) });
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
