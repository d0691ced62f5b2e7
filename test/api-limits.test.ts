import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import express, { Router } from 'express';
import request from 'supertest';
import { defineModule } from '../src/modules/module';
import { appWith, bearer, TEST_KEYS, testConfig, testEnv, useRelay } from './helpers/relay';

/**
 * Bodies are read only after authentication and within a limit known up front; callers
 * with keys are rate limited per address and per key; vendor callbacks never are.
 */

const MB = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Body bytes the client had sent when the response arrived. */
  bodyBytesSent: number;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
}

/**
 * Sends headers announcing `declaredLength` body bytes but only `sendBytes` of them, then
 * waits for the answer: a server that reads (or parses) the body first never answers.
 */
function partialPost(port: number, path: string, headers: Record<string, string>, declaredLength: number, sendBytes: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let received = '';
    const timer = setTimeout(() => reject(new Error(`no answer within 10 s; got ${JSON.stringify(received)}`)), 10_000);
    socket.on('error', () => undefined); // the server may close while we write; that is the point
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
      resolve({
        status: Number(statusLine!.split(' ')[1]),
        headers: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])),
        bodyBytesSent: sendBytes,
        closed,
      });
    });
    socket.once('connect', () => {
      const head = Object.entries({ host: `127.0.0.1:${port}`, 'content-type': 'application/json', ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      const length = declaredLength >= 0 ? `content-length: ${declaredLength}\r\n` : '';
      socket.write(`POST ${path} HTTP/1.1\r\n${head}${length}\r\n`);
      if (sendBytes > 0) socket.write(Buffer.alloc(sendBytes, 0x20));
    });
  });
}

describe('request bodies and rate limits', () => {
  const relay = useRelay({ withWorker: false });
  let server: Server;
  let port: number;
  const serverSockets: Socket[] = [];

  beforeAll(async () => {
    server = relay().app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (s) => serverSockets.push(s));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers 401 to an unauthenticated 10 MB body without reading it, and closes the connection', async () => {
    for (const path of ['/v1/echo', '/codec/decode']) {
      serverSockets.length = 0;
      const res = await partialPost(port, path, { origin: 'http://127.0.0.1:8233' }, 10 * MB, 64 * 1024);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.connection).toBe('close');
      // The client never sends the other ~9.9 MB; the server hangs up instead of waiting for them.
      await res.closed;
      expect(serverSockets).toHaveLength(1);
      expect(serverSockets[0]!.bytesRead).toBeLessThan(MB);
    }
  });

  it('answers 413 from Content-Length alone, before reading the body', async () => {
    const api = await partialPost(port, '/v1/echo', { authorization: bearer('service') }, 2 * MB, 0);
    expect(api.status).toBe(413);
    expect(api.headers.connection).toBe('close');
    await api.closed;
    // The codec takes whole histories (16 MB), not more.
    const codec = await partialPost(port, '/codec/decode', { authorization: bearer('operator') }, 17 * MB, 0);
    expect(codec.status).toBe(413);
    await codec.closed;
  });

  it('answers 411 to a body of unknown length', async () => {
    const res = await partialPost(port, '/v1/echo', { authorization: bearer('service'), 'transfer-encoding': 'chunked' }, -1, 0);
    expect(res.status).toBe(411);
  });

  it('still reads bodies within the limit once the caller is authenticated', async () => {
    const res = await request(relay().app).post('/v1/echo').set('authorization', bearer('service')).send({ message: '' });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toEqual(['message']);
  });

  it('answers 429 with Retry-After once an address is over its limit, keys or not', async () => {
    const app = appWith(relay(), { config: testConfig({ RATE_LIMIT_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_SECONDS: '30' }) });
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 5; i++) {
      // Unauthenticated guesses count too: the address limit runs before authentication.
      last = await request(app).get('/v1/echo/echo-none').set('authorization', i % 2 ? bearer('service') : 'Bearer wrong-key-000000000000000000');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 404, 401, 429, 429]);
    expect(last!.body.error).toBe('rate_limited');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(last!.headers.ratelimit).toMatch(/^"per-address"; r=0; t=\d+$/);
    expect(last!.headers['ratelimit-policy']).toMatch(/^"per-address"; q=3; w=30; pk=:/);
    // The codec endpoint and the sign-in page share the address limit.
    expect((await request(app).post('/codec/decode').set('authorization', bearer('operator')).send({ payloads: [] })).status).toBe(429);
    expect((await request(app).get('/ui/sign-in')).status).toBe(429);
  });

  it('limits each key on its own', async () => {
    const app = appWith(relay(), { config: testConfig({ RATE_LIMIT_PER_KEY: '2' }) });
    const service = [];
    for (let i = 0; i < 3; i++) service.push((await request(app).get('/v1/echo/echo-none').set('authorization', bearer('service'))).status);
    expect(service).toEqual([404, 404, 429]);
    const other = await request(app).get('/v1/echo/echo-none').set('authorization', bearer('operator'));
    expect(other.status).toBe(404);
    expect(other.headers.ratelimit).toContain('"per-key"; r=1;');
  });

  it('never limits vendor callbacks under /v1/webhooks', async () => {
    // Stands in for e.g. a Twilio status callback router: signature-checked, not keyed.
    const dummy = defineModule<null>({
      name: 'dummy',
      variables: [],
      config: () => ({ mode: 'live', settings: null }),
      queues: [],
      webhooks: [{ vendor: 'dummy', router: () => Router().post('/', express.json(), (req, res) => void res.json({ received: req.body })) }],
    }).load(testEnv(), testConfig());
    const app = appWith(relay(), { config: testConfig({ RATE_LIMIT_PER_ADDRESS: '1', RATE_LIMIT_PER_KEY: '1' }), modules: [...relay().modules, dummy] });
    await request(app).get('/v1/echo/echo-none').set('authorization', bearer('service')).expect(404);
    await request(app).get('/v1/echo/echo-none').set('authorization', bearer('service')).expect(429);
    for (let i = 0; i < 10; i++) {
      const res = await request(app).post('/v1/webhooks/dummy').send({ i });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: { i } });
      expect(res.headers.ratelimit).toBeUndefined();
      expect(res.headers['retry-after']).toBeUndefined();
    }
    // Other paths under /v1 stay behind the key and the limit.
    await request(app).post('/v1/webhooks-not').set('authorization', `Bearer ${TEST_KEYS.service}`).expect(429);
  });
});
