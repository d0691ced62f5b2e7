import request from 'supertest';
import { keyMatcher } from '../src/api/auth';
import { bearer, TEST_KEYS, testConfig, useRelay } from './helpers/relay';

describe('API authentication and roles', () => {
  const relay = useRelay({ withWorker: false });

  it('lets health checks and the API description through without a key', async () => {
    await request(relay().app).get('/healthz').expect(200);
    const doc = await request(relay().app).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/echo', '/v1/echo/{workflowId}', '/codec/decode', '/readyz']));
  });

  it('answers 401 with a challenge when the key is missing, malformed or unknown', async () => {
    for (const header of [undefined, 'Basic Zm9vOmJhcg==', 'Bearer not-a-real-key-0000000000000000']) {
      const req = request(relay().app).post('/v1/echo').send({ message: 'x' });
      const res = await (header ? req.set('authorization', header) : req);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.error).toBe('unauthorized');
    }
  });

  it('keeps unknown routes behind authentication', async () => {
    await request(relay().app).get('/v1/nothing-here').expect(401);
    const res = await request(relay().app).get('/v1/nothing-here').set('authorization', bearer('service'));
    expect(res.status).toBe(404);
  });

  it('answers 403 when a service key calls an operator route', async () => {
    const res = await request(relay().app).post('/codec/decode').set('authorization', bearer('service')).send({ payloads: [] });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('forbidden');
  });

  it('grants operators everything a service may do', async () => {
    await request(relay().app).post('/codec/decode').set('authorization', bearer('operator')).send({ payloads: [] }).expect(200);
    await request(relay().app).get('/metrics').set('authorization', bearer('operator')).expect(200);
    const res = await request(relay().app).get('/v1/echo/echo-none').set('authorization', bearer('operator'));
    expect(res.status).toBe(404);
  });

  it('matches keys exactly (no prefix or case tricks)', () => {
    const findPrincipal = keyMatcher(testConfig().api.keys);
    expect(findPrincipal(TEST_KEYS.service)).toEqual({ name: 'ci', role: 'service' });
    expect(findPrincipal(TEST_KEYS.service.slice(0, -1))).toBeUndefined();
    expect(findPrincipal(`${TEST_KEYS.service}x`)).toBeUndefined();
    expect(findPrincipal(TEST_KEYS.service.toUpperCase())).toBeUndefined();
  });
});
