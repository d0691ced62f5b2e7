import { defaultPayloadConverter } from '@temporalio/common';
import express from 'express';
import request from 'supertest';
import { authenticate, principalOf, requireRole } from '../src/api/auth';
import { errorHandler } from '../src/api/error-handler';
import { operatorSessions } from '../src/api/session';
import { createLogger } from '../src/logger';
import { EncryptionCodec } from '../src/temporal/encryption-codec';
import { payloadToJson } from '../src/temporal/payload-json';
import { appWith, bearer, TEST_KEYS, testConfig, useRelay } from './helpers/relay';

/**
 * The operator's browser: signs in once with the operator's own key at /ui/sign-in and
 * then decodes payloads with the session cookie, but only from the Web UI's origin.
 */

const UI_ORIGIN = 'http://127.0.0.1:8233';
const env = { CODEC_CORS_ORIGINS: UI_ORIGIN, API_PUBLIC_URL: 'http://127.0.0.1:3000' };
const API_ORIGIN = 'http://127.0.0.1:3000';
const HOUR = 3_600_000;

const config = testConfig(env);
const alice = config.api.keys.find((k) => k.name === 'alice')!;

/** `name=value` of the session cookie from a response's Set-Cookie. */
function sessionCookieOf(res: request.Response): string {
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.find((c) => c.startsWith('relay_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return cookie.split(';')[0]!;
}

describe('operator sign-in and the codec endpoint', () => {
  const relay = useRelay({ withWorker: false, env });
  const app = () => relay().app;

  async function signIn(key = TEST_KEYS.operator): Promise<string> {
    const res = await request(app()).post('/ui/sign-in').set('origin', API_ORIGIN).type('form').send({ key });
    expect(res.status).toBe(303);
    return sessionCookieOf(res);
  }

  async function encryptedPayload(value: unknown) {
    const [encrypted] = await new EncryptionCodec(config.codec.keys).encode([defaultPayloadConverter.toPayload(value)]);
    return payloadToJson(encrypted!);
  }

  const decode = (headers: Record<string, string>, body: object = { payloads: [] }) =>
    request(app()).post('/codec/decode').set(headers).send(body);

  it('serves a sign-in form that cannot be framed or cached', async () => {
    const res = await request(app()).get('/ui/sign-in').expect(200);
    expect(res.type).toBe('text/html');
    expect(res.text).toMatch(/<form method="post" action="\/ui\/sign-in">/);
    expect(res.text).toContain('http://127.0.0.1:3000/codec');
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('signs an operator in with a short-lived, HttpOnly, SameSite=Strict cookie', async () => {
    const before = Date.now();
    const res = await request(app()).post('/ui/sign-in').set('origin', API_ORIGIN).type('form').send({ key: TEST_KEYS.operator });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/ui/sign-in');
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n');
    expect(setCookie).toMatch(/^relay_session=v1\.[\w-]+\.[\w-]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Strict$/);
    // Not Secure over http (the browser would drop it); see the https case below.
    expect(setCookie).not.toMatch(/Secure/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!);
    expect(expires).toBeGreaterThan(before + 8 * HOUR - 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 8 * HOUR + 1_000);

    const page = await request(app()).get('/ui/sign-in').set('cookie', sessionCookieOf(res)).expect(200);
    expect(page.text).toContain('Signed in as <strong>alice</strong>');
  });

  it('refuses unknown keys, service keys and forms posted from another site', async () => {
    const unknown = await request(app()).post('/ui/sign-in').set('origin', API_ORIGIN).type('form').send({ key: 'x'.repeat(30) });
    expect(unknown.status).toBe(401);
    const service = await request(app()).post('/ui/sign-in').set('origin', API_ORIGIN).type('form').send({ key: TEST_KEYS.service });
    expect(service.status).toBe(403);
    expect(service.text).toContain('Only operator keys can sign in');
    // Login CSRF: another site's page posting the form (even with a valid key) is refused.
    for (const origin of ['http://evil.example', UI_ORIGIN, 'null']) {
      const res = await request(app()).post('/ui/sign-in').set('origin', origin).type('form').send({ key: TEST_KEYS.operator });
      expect(res.status).toBe(403);
    }
    const crossSite = await request(app()).post('/ui/sign-in').set('sec-fetch-site', 'cross-site').type('form').send({ key: TEST_KEYS.operator });
    expect(crossSite.status).toBe(403);
    for (const res of [unknown, service, crossSite]) expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('decodes for a signed-in browser on the Web UI origin (200)', async () => {
    const cookie = await signIn();
    const payload = await encryptedPayload({ guest: 'Jane Doe' });
    const res = await decode({ cookie, origin: UI_ORIGIN }, { payloads: [payload] });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(JSON.parse(Buffer.from(res.body.payloads[0].data, 'base64').toString())).toEqual({ guest: 'Jane Doe' });
  });

  it('answers 403 to a valid cookie from a foreign origin or without one (CSRF)', async () => {
    const cookie = await signIn();
    for (const origin of ['http://evil.example', 'http://127.0.0.1:8234', API_ORIGIN]) {
      const res = await decode({ cookie, origin });
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
    }
    expect((await decode({ cookie })).status).toBe(403);
  });

  it('answers 401 to a tampered, forged or expired cookie', async () => {
    const cookie = await signIn();
    const [name, token] = cookie.split('=') as [string, string];
    const [version, payload, mac] = token.split('.') as [string, string, string];

    // The payload rewritten to name another operator, the MAC left as it was.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const renamed = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
    const extended = Buffer.from(JSON.stringify({ ...claims, exp: Date.now() + 100 * HOUR })).toString('base64url');
    const flippedMac = mac.slice(0, -2) + (mac.endsWith('AA') ? 'BB' : 'AA');
    // Signed properly, but with another secret.
    const forged = operatorSessions(testConfig({ ...env, SESSION_SECRET: 'another-secret-that-is-long-enough-1234' })).issue(alice).token;
    // Signed with the right secret, expired an hour ago.
    const expired = operatorSessions(config).issue(alice, Date.now() - 9 * HOUR).token;

    for (const bad of [`${version}.${renamed}.${mac}`, `${version}.${extended}.${mac}`, `${version}.${payload}.${flippedMac}`, forged, expired, 'garbage']) {
      const res = await decode({ cookie: `${name}=${bad}`, origin: UI_ORIGIN });
      expect({ bad, status: res.status }).toEqual({ bad, status: 401 });
      expect(res.body.message).toMatch(/sign in again/);
    }
    // The untouched cookie still works: the refusals above are about the changes.
    expect((await decode({ cookie, origin: UI_ORIGIN })).status).toBe(200);
  });

  it('ends sessions when the operator key is replaced', async () => {
    const cookie = await signIn();
    const rotated = testConfig({
      ...env,
      RELAY_API_KEYS: `ci:service:${TEST_KEYS.service},alice:operator:${'n'.repeat(32)}`,
    });
    const res = await request(appWith(relay(), { config: rotated }))
      .post('/codec/decode')
      .set({ cookie, origin: UI_ORIGIN })
      .send({ payloads: [] });
    expect(res.status).toBe(401);
  });

  it('signs out from its own page only', async () => {
    const cookie = await signIn();
    const foreign = await request(app()).post('/ui/sign-out').set({ cookie, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const res = await request(app()).post('/ui/sign-out').set({ cookie, origin: API_ORIGIN });
    expect(res.status).toBe(303);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join()).toMatch(/^relay_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
  });

  it('answers 401 without credentials and 403 to a service key, with or without a cookie', async () => {
    expect((await decode({ origin: UI_ORIGIN })).status).toBe(401);
    expect((await decode({ authorization: bearer('service') })).status).toBe(403);
    // A bearer header wins over the cookie, so a service key cannot borrow a browser's session.
    const cookie = await signIn();
    expect((await decode({ authorization: bearer('service'), cookie, origin: UI_ORIGIN })).status).toBe(403);
    expect((await decode({ authorization: bearer('operator') })).status).toBe(200);
  });

  it('uses a Secure, __Host- cookie when the API is served over https', async () => {
    const https = testConfig({ ...env, API_PUBLIC_URL: 'https://relay.example.com' });
    const res = await request(appWith(relay(), { config: https }))
      .post('/ui/sign-in')
      .set('origin', 'https://relay.example.com')
      .type('form')
      .send({ key: TEST_KEYS.operator });
    expect(res.status).toBe(303);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join()).toMatch(/^__Host-relay_session=v1\.[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
  });
});

describe('one key per person', () => {
  it('refuses two keys with the same name, since sessions and audit rows name the key', () => {
    const twice = `alice:operator:${'a'.repeat(30)},alice:operator:${'b'.repeat(30)}`;
    expect(() => testConfig({ RELAY_API_KEYS: twice })).toThrow('entry 2 repeats the name "alice"');
  });
});

describe('authenticate(): one middleware for API keys and operator sessions', () => {
  // What an admin page will do: accept the operator's bearer key or their browser session.
  const app = express();
  const sessions = operatorSessions(config);
  app.post(
    '/admin/action',
    authenticate(config.api.keys, { sessions, allowedOrigins: [API_ORIGIN] }),
    requireRole('operator'),
    (_req, res) => {
      res.json({ principal: principalOf(res), via: res.locals.authMethod });
    },
  );
  app.use(errorHandler(createLogger({ level: 'silent', name: 'test' })));

  it('names the operator behind a session, so audit rows can', async () => {
    const cookie = `relay_session=${sessions.issue(alice).token}`;
    const res = await request(app).post('/admin/action').set({ cookie, origin: API_ORIGIN }).expect(200);
    expect(res.body).toEqual({ principal: { name: 'alice', role: 'operator' }, via: 'session' });
    const byKey = await request(app).post('/admin/action').set('authorization', bearer('operator')).expect(200);
    expect(byKey.body).toEqual({ principal: { name: 'alice', role: 'operator' }, via: 'bearer' });
    await request(app).post('/admin/action').set({ cookie, origin: UI_ORIGIN }).expect(403);
    await request(app).post('/admin/action').expect(401);
  });
});
