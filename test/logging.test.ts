import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../src/logger';
import { appWith, bearer, TEST_KEYS, uniqueId, useRelay } from './helpers/relay';

interface LogEntry {
  msg: string;
  level: number;
  req?: { id?: string; url?: string; headers?: Record<string, string> };
  res?: { statusCode?: number; headers?: Record<string, string> };
}

describe('API logs', () => {
  const relay = useRelay({ withWorker: false, env: { API_PUBLIC_URL: 'http://127.0.0.1:3000', CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233' } });

  it('log every API call with its request id, and never keys, session cookies or request bodies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trim().split('\n'));
        done();
      },
    });
    const app = appWith(relay(), { logger: createLogger({ level: 'info', name: 'relay-api' }, sink) });
    const wrongKey = `wrong-${'k'.repeat(30)}`;

    // A logged route that succeeds (202), one that fails validation (400), an unknown key (401).
    await request(app)
      .post('/v1/echo')
      .set('authorization', bearer('service'))
      .set('x-request-id', 'log-test-started')
      .send({ message: 'jane.doe@example.com +31612345678', id: uniqueId('log') })
      .expect(202);
    await request(app)
      .post('/v1/echo')
      .set('authorization', bearer('operator'))
      .set('x-request-id', 'log-test-invalid')
      .send({ message: 'jane.doe@example.com +31612345678', id: 'has spaces' })
      .expect(400);
    await request(app).get('/v1/echo/echo-none').set('authorization', `Bearer ${wrongKey}`).set('x-request-id', 'log-test-unknown-key').expect(401);

    // An operator signs in (key in the body, session in Set-Cookie) and decodes with the cookie.
    const signIn = await request(app)
      .post('/ui/sign-in')
      .set('origin', 'http://127.0.0.1:3000')
      .set('x-request-id', 'log-test-sign-in')
      .type('form')
      .send({ key: TEST_KEYS.operator })
      .expect(303);
    const cookie = ([] as string[]).concat(signIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const token = cookie.split('=')[1]!;
    await request(app)
      .post('/codec/decode')
      .set({ cookie, origin: 'http://127.0.0.1:8233', 'x-request-id': 'log-test-codec' })
      .send({ payloads: [] })
      .expect(200);

    const entries = lines.map((l) => JSON.parse(l) as LogEntry);
    const completed = (id: string) => {
      const entry = entries.find((e) => e.req?.id === id && e.res?.statusCode !== undefined);
      if (!entry) throw new Error(`no request log for ${id} in:\n${lines.join('\n')}`);
      return entry;
    };
    expect(completed('log-test-started').res!.statusCode).toBe(202);
    expect(completed('log-test-invalid').res!.statusCode).toBe(400);
    expect(completed('log-test-unknown-key').res!.statusCode).toBe(401);
    for (const id of ['log-test-started', 'log-test-invalid', 'log-test-unknown-key']) {
      expect(completed(id).req!.headers!.authorization).toBe('[redacted]');
    }
    expect(completed('log-test-sign-in').res!.headers!['set-cookie']).toBe('[redacted]');
    expect(completed('log-test-codec').req!.headers!.cookie).toBe('[redacted]');
    expect(entries.some((e) => e.msg === 'operator signed in')).toBe(true);

    const all = lines.join('\n');
    for (const secret of [TEST_KEYS.operator, TEST_KEYS.service, wrongKey, token, 'jane.doe@example.com', '+31612345678']) {
      expect(all).not.toContain(secret);
    }
  });
});
