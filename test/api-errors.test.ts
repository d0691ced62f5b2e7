import request from 'supertest';
import { bearer, startRelay, useRelay } from './helpers/relay';

describe('API input validation and error responses', () => {
  const relay = useRelay({ withWorker: false });

  const post = (body: unknown) => request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send(body as object);

  it('answers 400 with the zod issues for a bad body', async () => {
    const res = await post({ message: '', id: 'has spaces', extra: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    const paths = res.body.issues.map((i: { path: string[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['message', 'id']));
    expect(res.body.issues.some((i: { code: string }) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('answers 400 for a missing body and for malformed JSON', async () => {
    const missing = await post(undefined);
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].path).toEqual(['message']);
    const malformed = await request(relay().app)
      .post('/v1/echo')
      .set('authorization', bearer('service'))
      .set('content-type', 'application/json')
      .send('{"message": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('invalid_request');
  });

  it('answers 400 for a malformed path parameter', async () => {
    const res = await request(relay().app).get('/v1/echo/not-an-echo').set('authorization', bearer('service'));
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toEqual(['workflowId']);
  });

  it('answers 413 for an oversized body, but lets the codec take whole histories', async () => {
    const res = await post({ message: 'x'.repeat(2 * 1024 * 1024) });
    expect(res.status).toBe(413);
    const big = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: 'A'.repeat(3 * 1024 * 1024) }] };
    await request(relay().app).post('/codec/decode').set('authorization', bearer('operator')).send(big).expect(200);
  });

  it('hides unexpected errors behind a 500 with a correlation id and no stack', async () => {
    // A namespace the server does not know makes Temporal fail in a way the API does not expect.
    const broken = await startRelay({ withWorker: false, env: { TEMPORAL_NAMESPACE: 'no-such-namespace' } });
    try {
      const res = await request(broken.app)
        .post('/v1/echo')
        .set('authorization', bearer('service'))
        .set('x-request-id', 'corr-500-test')
        .send({ message: 'x' });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'internal', message: expect.any(String), correlationId: 'corr-500-test' });
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+|namespace/i);
      expect(res.headers['x-request-id']).toBe('corr-500-test');
    } finally {
      await broken.stop();
    }
  });
});
