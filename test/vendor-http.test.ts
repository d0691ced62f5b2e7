import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../src/domain/failure-types';
import {
  basicAuth,
  bearerAuth,
  type Classifier,
  firstDelay,
  isOutcomeUnknown,
  resetHeaderDelay,
  retryAfterDelay,
  VendorHttpClient,
  type VendorHttpClientOptions,
} from '../src/integrations/http';
import { createLogger } from '../src/logger';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A real HTTP server on a free port; each test says how it answers. */
let server: Server;
let baseUrl: string;
let handler: Handler;
let received: Received[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  handler = (_req, res) => json(res, 200, { ok: true });
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function client(options: Partial<VendorHttpClientOptions> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'relay-test' }, sink);
  const http = new VendorHttpClient({ vendor: 'acme', baseUrl: `${baseUrl}/api/v1`, logger, timeoutMs: 5_000, ...options });
  return { http, lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

function details(f: ApplicationFailure): Record<string, unknown> {
  return f.details![0] as Record<string, unknown>;
}

describe('VendorHttpClient', () => {
  it('returns parsed JSON and logs method, vendor, path, status and duration', async () => {
    handler = (_req, res) => json(res, 200, { Reservations: [{ Id: 'r1' }], Cursor: 'c1' });
    const { http, entries } = client();
    const res = await http.request<{ Reservations: Array<{ Id: string }> }>({ path: '/reservations/getAll', query: { limit: 10, states: ['Confirmed', 'Started'] } });

    expect(res.status).toBe(200);
    expect(res.body.Reservations[0]!.Id).toBe('r1');
    expect(received[0]).toMatchObject({ method: 'GET', url: '/api/v1/reservations/getAll?limit=10&states=Confirmed&states=Started' });
    expect(received[0]!.headers.accept).toBe('application/json');
    const line = entries().find((e) => e.msg === 'vendor response');
    expect(line).toMatchObject({ level: 30, vendor: 'acme', method: 'GET', path: '/api/v1/reservations/getAll?limit=10&states=Confirmed&states=Started', status: 200 });
    expect(typeof line!.durationMs).toBe('number');
  });

  it('sends JSON and form bodies, basic and bearer auth', async () => {
    const { http } = client({ authorization: () => bearerAuth('tok-1') });
    await http.request({ method: 'POST', path: 'accounts', json: { Name: 'Bakkerij' } });
    await http.request({
      method: 'POST',
      path: 'Messages.json',
      form: { To: 'whatsapp:+31612345678', Body: 'Hello there', MediaUrl: ['https://a/1', 'https://a/2'], Skip: undefined },
      headers: { authorization: basicAuth('AC123', 'secret') },
    });

    expect(received[0]).toMatchObject({ method: 'POST', body: '{"Name":"Bakkerij"}' });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer tok-1' });
    expect(received[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(received[1]!.headers.authorization).toBe(`Basic ${Buffer.from('AC123:secret').toString('base64')}`);
    expect(new URLSearchParams(received[1]!.body).getAll('MediaUrl')).toEqual(['https://a/1', 'https://a/2']);
    expect(received[1]!.body).toBe('To=whatsapp%3A%2B31612345678&Body=Hello+there&MediaUrl=https%3A%2F%2Fa%2F1&MediaUrl=https%3A%2F%2Fa%2F2');
  });

  it('lets a failing token provider fail as it is (retryable), without sending', async () => {
    const down = new Error('token endpoint down');
    const { http } = client({
      authorization: () => {
        throw down;
      },
    });
    await expect(http.request({ path: 'x' })).rejects.toBe(down);
    expect(received).toHaveLength(0);
  });

  it('follows absolute links on the vendor origin only', async () => {
    const { http } = client({ authorization: () => bearerAuth('tok-1') });
    await http.request({ path: `${baseUrl}/api/v1/crm/Accounts?$skiptoken=guid'abc'` });
    expect(received[0]!.url).toBe('/api/v1/crm/Accounts?$skiptoken=guid%27abc%27');

    const f = await failure(http.request({ path: 'https://evil.example/steal' }));
    expect(f).toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true });
    expect(received).toHaveLength(1);
  });

  it('never follows a redirect (a signed or authenticated request must not be re-sent elsewhere)', async () => {
    handler = (req, res) => {
      if (req.url!.includes('moved')) return json(res, 200, { followed: true });
      res.writeHead(307, { location: `${baseUrl}/api/v1/moved` });
      res.end();
    };
    const f = await failure(client({ authorization: () => bearerAuth('tok-1') }).http.request({ method: 'POST', path: 'x', json: { a: 1 } }));
    expect(f).toMatchObject({ type: FailureType.VendorRejected, nonRetryable: true });
    expect(details(f)).toMatchObject({ status: 307 });
    expect(received.map((r) => r.url)).toEqual(['/api/v1/x']);
  });

  describe('default classification', () => {
    it('429 with Retry-After in seconds → retryable VendorRateLimited with nextRetryDelay', async () => {
      handler = (_req, res) => json(res, 429, { Message: 'slow down' }, { 'retry-after': '7' });
      const f = await failure(client().http.request({ path: 'x' }));
      expect(f).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false, nextRetryDelay: 7_000 });
      expect(details(f)).toMatchObject({ vendor: 'acme', method: 'GET', path: '/api/v1/x', status: 429, ambiguous: false });
    });

    it('429 with Retry-After as an HTTP-date → delay until then', async () => {
      const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 120_000);
      handler = (_req, res) => json(res, 429, {}, { 'retry-after': at.toUTCString() });
      const f = await failure(client().http.request({ path: 'x' }));
      expect(f.type).toBe(FailureType.VendorRateLimited);
      expect(f.nextRetryDelay).toBeGreaterThan(115_000);
      expect(f.nextRetryDelay).toBeLessThanOrEqual(120_000);
    });

    it("429 with a vendor reset header (Exact's X-RateLimit-Minutely-Reset, ms epoch) through a pluggable parser", async () => {
      const reset = Date.now() + 40_000;
      handler = (_req, res) => json(res, 429, {}, { 'x-ratelimit-minutely-reset': String(reset), 'x-ratelimit-minutely-remaining': '0' });
      const exactDelay = firstDelay(retryAfterDelay, resetHeaderDelay('x-ratelimit-reset', 'ms'), resetHeaderDelay('x-ratelimit-minutely-reset', 'ms'));
      const f = await failure(client({ retryDelay: exactDelay }).http.request({ path: 'x' }));
      expect(f.type).toBe(FailureType.VendorRateLimited);
      expect(f.nextRetryDelay).toBeGreaterThan(35_000);
      expect(f.nextRetryDelay).toBeLessThanOrEqual(40_000);
      // Without the parser, no delay: Temporal's backoff applies.
      expect((await failure(client().http.request({ path: 'x' }))).nextRetryDelay).toBeUndefined();
    });

    it('caps a vendor-requested delay', async () => {
      handler = (_req, res) => json(res, 429, {}, { 'retry-after': '86400' });
      const f = await failure(client({ maxRetryDelayMs: 60_000 }).http.request({ path: 'x' }));
      expect(f.nextRetryDelay).toBe(60_000);
    });

    it('503 → retryable VendorUnavailable, honouring Retry-After', async () => {
      handler = (_req, res) => json(res, 503, {}, { 'retry-after': '3' });
      const f = await failure(client().http.request({ path: 'x' }));
      expect(f).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false, nextRetryDelay: 3_000 });
    });

    it('500 → retryable VendorUnavailable without a delay', async () => {
      handler = (_req, res) => json(res, 500, { error: 'boom' });
      const f = await failure(client().http.request({ method: 'POST', path: 'x', json: {} }));
      expect(f).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
      expect(f.nextRetryDelay).toBeUndefined();
      expect(details(f).ambiguous).toBe(false);
    });

    it('504 to a write → VendorOutcomeUnknown, to a read → VendorUnavailable', async () => {
      handler = (_req, res) => json(res, 504, {});
      const write = await failure(client().http.request({ method: 'POST', path: 'x', json: {} }));
      expect(write).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
      expect(isOutcomeUnknown(write)).toBe(true);
      const read = await failure(client().http.request({ path: 'x' }));
      expect(read.type).toBe(FailureType.VendorUnavailable);
    });

    it('404 → non-retryable NotFound; 400 → VendorRejected; 401 → non-retryable VendorAuthFailed; 409 → Conflict', async () => {
      const cases: Array<[number, string]> = [
        [404, FailureType.NotFound],
        [400, FailureType.VendorRejected],
        [422, FailureType.VendorRejected],
        [401, FailureType.VendorAuthFailed],
        [409, FailureType.Conflict],
      ];
      for (const [status, type] of cases) {
        handler = (_req, res) => json(res, status, { error: 'no' });
        const f = await failure(client().http.request({ path: 'x' }));
        expect([status, f.type, f.nonRetryable]).toEqual([status, type, true]);
        expect(f.message).toBe(`acme GET /api/v1/x: HTTP ${status}`);
      }
    });

    it('a 200 that is not JSON (a maintenance page) → retryable VendorUnavailable', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Exact Online is being updated</body></html>');
      };
      const f = await failure(client().http.request({ path: 'x' }));
      expect(f).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
      expect(f.message).toContain('expected JSON, got text/html');
      // The same answer read as text is fine.
      const res = await client().http.request<string>({ path: 'x', parse: 'text' });
      expect(res.body).toContain('being updated');
    });
  });

  describe('lost answers', () => {
    it('a timeout on a write is retryable and ambiguous; on a read a plain VendorTimeout', async () => {
      handler = () => undefined; // never answers
      const started = Date.now();
      const write = await failure(client({ timeoutMs: 300 }).http.request({ method: 'POST', path: 'Messages.json', form: { To: '+31612345678' } }));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(write).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
      expect(details(write)).toMatchObject({ ambiguous: true, reason: 'timeout' });
      expect(isOutcomeUnknown(write)).toBe(true);
      expect(received).toHaveLength(1); // it did reach the vendor

      const read = await failure(client().http.request({ path: 'x', timeoutMs: 300 }));
      expect(read).toMatchObject({ type: FailureType.VendorTimeout, nonRetryable: false });
      expect(details(read).ambiguous).toBe(false);
    });

    it('a connection destroyed mid-response is ambiguous', async () => {
      handler = (req, res) => {
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"sid":"SM1","sta');
        setTimeout(() => req.socket.destroy(), 50);
      };
      const f = await failure(client().http.request({ method: 'POST', path: 'Messages.json', form: { Body: 'x' } }));
      expect(f).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
      expect(details(f)).toMatchObject({ ambiguous: true, reason: 'connection-lost', status: 201 });
    });

    it('a connection destroyed before any answer is ambiguous for a write', async () => {
      handler = (req) => req.socket.destroy();
      const f = await failure(client().http.request({ method: 'POST', path: 'Messages.json', form: { Body: 'x' } }));
      expect(f).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
      expect(details(f).ambiguous).toBe(true);
    });

    it('a refused connection is retryable and not ambiguous, even for a write', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const f = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).http.request({ method: 'POST', path: 'x', json: {} }));
      expect(f).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
      expect(details(f)).toMatchObject({ ambiguous: false, reason: 'connect-failed', code: 'ECONNREFUSED' });
    });
  });

  describe('cancellation', () => {
    it('aborts an in-flight request with the signal’s reason (what Temporal sets on activity cancellation)', async () => {
      handler = () => undefined;
      const controller = new AbortController();
      const reason = new CancelledFailure('activity cancelled');
      setTimeout(() => controller.abort(reason), 200);
      const started = Date.now();
      const error = await client().http.request({ path: 'x', signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toBe(reason);
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('sends nothing when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      const error = await client().http.request({ method: 'POST', path: 'x', json: {}, signal: controller.signal }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CancelledFailure);
      expect(received).toHaveLength(0);
    });
  });

  describe('per-adapter classifiers', () => {
    // Cloudbeds answers 200 with success:false; Exact's 401 means "refresh the token and retry".
    const vendorRules: Classifier = (answer) => {
      const body = answer.body as { success?: boolean; message?: string } | undefined;
      if (answer.status === 200 && body?.success === false) {
        return { outcome: 'non-retryable', type: FailureType.VendorRejected, message: body.message ?? 'success: false' };
      }
      if (answer.status === 401) return { outcome: 'retryable', type: FailureType.VendorAuthFailed, message: 'access token expired' };
      if (answer.status === 418) return { outcome: 'custom', error: new RangeError('teapot') };
      return undefined;
    };

    it('200 with success:false → non-retryable', async () => {
      handler = (_req, res) => json(res, 200, { success: false, message: 'Invalid reservation' });
      const f = await failure(client({ classify: vendorRules }).http.request({ path: 'getReservation' }));
      expect(f).toMatchObject({ type: FailureType.VendorRejected, nonRetryable: true });
      expect(f.message).toBe('acme GET /api/v1/getReservation: Invalid reservation');
    });

    it("401 → retryable VendorAuthFailed (Exact's token refresh)", async () => {
      handler = (_req, res) => json(res, 401, { error: 'invalid_token' });
      const f = await failure(client({ classify: vendorRules }).http.request({ path: 'current/Me' }));
      expect(f).toMatchObject({ type: FailureType.VendorAuthFailed, nonRetryable: false });
    });

    it('falls back to the default where the classifier has no rule, and throws custom errors as they are', async () => {
      handler = (_req, res) => json(res, 200, { success: true, data: [] });
      expect((await client({ classify: vendorRules }).http.request({ path: 'x' })).body).toEqual({ success: true, data: [] });
      handler = (_req, res) => json(res, 404, {});
      expect((await failure(client({ classify: vendorRules }).http.request({ path: 'x' }))).type).toBe(FailureType.NotFound);
      handler = (_req, res) => json(res, 418, {});
      await expect(client({ classify: vendorRules }).http.request({ path: 'x' })).rejects.toThrow(RangeError);
    });

    it("a per-request rule comes first (OHIP's 204 means not found)", async () => {
      handler = (_req, res) => {
        res.writeHead(204);
        res.end();
      };
      const { http } = client({ classify: vendorRules });
      expect((await http.request({ path: 'profiles/1' })).status).toBe(204);
      const f = await failure(
        http.request({ path: 'profiles/1', classify: (a) => (a.status === 204 ? { outcome: 'non-retryable', type: FailureType.NotFound, message: 'no such profile' } : undefined) }),
      );
      expect(f).toMatchObject({ type: FailureType.NotFound, nonRetryable: true });
    });
  });

  it('logs no credentials, query secrets or bodies', async () => {
    handler = (_req, res) =>
      json(res, 200, { sid: 'SM1', to: '+31612345678', body: 'Dear Jane Doe' }, { 'set-cookie': 'session=cookie-secret-1', 'x-ratelimit-remaining': '59' });
    const { http, lines, entries } = client({ authorization: () => bearerAuth('bearer-secret-1') });
    await http.request({
      method: 'POST',
      path: 'oauth2/token',
      query: { access_token: 'query-secret-1', client_secret: 'query-secret-2', email: 'jane.doe@example.com', division: 123 },
      form: { grant_type: 'refresh_token', refresh_token: 'form-secret-1', Body: 'Dear Jane Doe' },
      headers: { 'x-api-key': 'header-secret-1' },
    });

    const all = lines.join('\n');
    for (const secret of ['bearer-secret-1', 'query-secret-1', 'query-secret-2', 'form-secret-1', 'header-secret-1', 'cookie-secret-1', 'jane.doe@example.com', 'Jane Doe', '+31612345678']) {
      expect(all).not.toContain(secret);
    }
    const request = entries().find((e) => e.msg === 'vendor request');
    expect(request).toMatchObject({
      level: 20,
      method: 'POST',
      path: '/api/v1/oauth2/token?access_token=[redacted]&client_secret=[redacted]&email=[redacted]&division=123',
      headers: { authorization: '[redacted]', 'x-api-key': '[redacted]' },
    });
    const response = entries().find((e) => e.msg === 'vendor response');
    expect(response).toMatchObject({ status: 200, headers: { 'set-cookie': '[redacted]', 'x-ratelimit-remaining': '59' } });
    // The vendor did get the real values.
    expect(received[0]!.headers.authorization).toBe('Bearer bearer-secret-1');
    expect(received[0]!.url).toContain('access_token=query-secret-1');
  });
});
