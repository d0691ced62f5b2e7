import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEMO_ACCOUNT_SID,
  DEMO_AUTH_TOKEN,
  DEMO_RECIPIENTS,
  DEMO_SENDERS,
  startTwilioSimulator,
  type TwilioSimulator,
  type TwilioSimulatorOptions,
} from '../src/integrations/twilio/simulator';

// Everything below goes over real HTTP, the way a Twilio client would; the in-process handle is used only to set
// up state and to read the simulator's record.

const RFC2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const SENDER = '+15017122661';
const WA_SENDER = 'whatsapp:+14155238886';

type Fields = Record<string, string | string[]>;

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function form(fields: Fields): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return params.toString();
}

function messagesUrl(sim: TwilioSimulator, accountSid = sim.accountSid): string {
  return `${sim.url}/2010-04-01/Accounts/${accountSid}/Messages.json`;
}

async function create(sim: TwilioSimulator, fields: Fields, init: { auth?: string; signal?: AbortSignal } = {}) {
  const res = await fetch(messagesUrl(sim), {
    method: 'POST',
    headers: {
      authorization: init.auth ?? basic(sim.accountSid, sim.authToken),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form(fields),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function get(sim: TwilioSimulator, pathAndQuery: string) {
  const url = pathAndQuery.startsWith('/') ? `${sim.url}${pathAndQuery}` : pathAndQuery;
  const res = await fetch(url, { headers: { authorization: basic(sim.accountSid, sim.authToken) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function control(sim: TwilioSimulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface ReceivedWebhook {
  url: string;
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  at: number;
}

/** A plain HTTP endpoint standing in for Relay's webhook receiver; `respond` decides each answer's status. */
async function startReceiver(respond: (hook: ReceivedWebhook, index: number) => number = () => 204) {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(raw));
      const hook: ReceivedWebhook = { url: `${base}${req.url}`, headers: req.headers, params, at: Date.now() };
      received.push(hook);
      res.statusCode = respond(hook, received.length - 1);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Twilio's documented algorithm, written out independently of the simulator. */
function expectedSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The most messages in any half-open one-second window, computed here rather than trusting the simulator. */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let n = 0;
    for (let j = i; j < sorted.length && sorted[j]! < sorted[i]! + 1000; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}

describe('Twilio simulator', () => {
  const started: TwilioSimulator[] = [];
  const receivers: Array<{ close: () => Promise<void> }> = [];

  async function simulator(options: TwilioSimulatorOptions = {}) {
    const sim = await startTwilioSimulator({ callbacks: { statusStepMs: 30, retryDelayMs: 5 }, ...options });
    started.push(sim);
    return sim;
  }
  async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  describe('Messages API', () => {
    it('creates a message: 201 with Twilio JSON and a queued status', async () => {
      const sim = await simulator();
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'Your appointment is tomorrow at 10:00' });

      expect(res.status).toBe(201);
      const m = res.body;
      expect(m.sid).toMatch(/^SM[0-9a-f]{32}$/);
      expect(m).toMatchObject({
        account_sid: sim.accountSid,
        api_version: '2010-04-01',
        body: 'Your appointment is tomorrow at 10:00',
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from: SENDER,
        to: '+33612345678',
        messaging_service_sid: null,
        num_media: '0',
        num_segments: '1',
        price: null,
        status: 'queued',
        uri: `/2010-04-01/Accounts/${sim.accountSid}/Messages/${m.sid as string}.json`,
        subresource_uris: { media: `/2010-04-01/Accounts/${sim.accountSid}/Messages/${m.sid as string}/Media.json` },
      });
      expect(m.date_created).toMatch(RFC2822);
      expect(m.date_updated).toMatch(RFC2822);
      expect(Object.keys(m)).toEqual(
        expect.arrayContaining(['date_sent', 'price_unit', 'subresource_uris', 'uri', 'num_segments', 'messaging_service_sid']),
      );
      expect(sim.messages()).toHaveLength(1);
      expect(sim.messages()[0]).toMatchObject({ sid: m.sid, apiOutcome: 'answered', params: { To: '+33612345678' } });
    });

    it('counts SMS segments like a carrier (GSM-7 153 per part, UCS-2 67)', async () => {
      const sim = await simulator();
      const gsm = await create(sim, { To: '+33612345678', From: SENDER, Body: 'a'.repeat(161) });
      const ucs2 = await create(sim, { To: '+33612345678', From: SENDER, Body: 'é€😀'.repeat(20) });
      expect(gsm.body.num_segments).toBe('2');
      expect(ucs2.body.num_segments).toBe('2');
    });

    it('accepts an API key as well as the auth token', async () => {
      const sim = await simulator();
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'hi' }, { auth: basic(sim.apiKey.sid, sim.apiKey.secret) });
      expect(res.status).toBe(201);
    });

    it.each([
      ['a wrong auth token', (s: TwilioSimulator) => basic(s.accountSid, 'not-the-token')],
      ['an unknown API key', (s: TwilioSimulator) => basic(`SK${'0'.repeat(32)}`, s.apiKey.secret)],
      ['no credentials', () => ''],
    ])('refuses %s with 401 / 20003 and records nothing', async (_what, auth) => {
      const sim = await simulator();
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'hi' }, { auth: auth(sim) });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 20003, status: 401, more_info: 'https://www.twilio.com/docs/errors/20003' });
      expect(typeof res.body.message).toBe('string');
      expect(sim.messages()).toHaveLength(0);
    });

    it('refuses valid credentials used on another account path with 401 / 20003', async () => {
      const sim = await simulator();
      const res = await fetch(messagesUrl(sim, `AC${'1'.repeat(32)}`), {
        method: 'POST',
        headers: { authorization: basic(sim.accountSid, sim.authToken), 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ To: '+33612345678', From: SENDER, Body: 'hi' }),
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: number }).code).toBe(20003);
    });

    it.each([
      ['a To without country code', { To: '0612345678', From: SENDER, Body: 'x' }, 21211],
      ['a too short To', { To: '+1', From: SENDER, Body: 'x' }, 21211],
      ['no To', { From: SENDER, Body: 'x' }, 21604],
      ['no From nor MessagingServiceSid', { To: '+33612345678', Body: 'x' }, 21603],
      ['no Body, MediaUrl nor ContentSid', { To: '+33612345678', From: SENDER }, 21602],
      ['a Body over 1600 characters', { To: '+33612345678', From: SENDER, Body: 'x'.repeat(1601) }, 21617],
      ['a WhatsApp To from an SMS sender', { To: 'whatsapp:+33612345678', From: SENDER, Body: 'x' }, 21910],
      ['a malformed StatusCallback', { To: '+33612345678', From: SENDER, Body: 'x', StatusCallback: 'not a url' }, 21609],
      ['ContentVariables that are not a JSON object', { To: '+33612345678', From: SENDER, ContentSid: `HX${'a'.repeat(32)}`, ContentVariables: '[1]' }, 21656],
    ])('answers a create with %s with 400 / its Twilio code and records nothing', async (_what, fields, code) => {
      const sim = await simulator();
      const res = await create(sim, fields as Fields);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code, status: 400, more_info: `https://www.twilio.com/docs/errors/${code}` });
      expect(sim.messages()).toHaveLength(0);
    });

    it('refuses an opted-out recipient with 400 / 21610 until they opt back in', async () => {
      const sim = await simulator({ optedOut: ['+33611111111'] });
      expect((await create(sim, { To: '+33611111111', From: SENDER, Body: 'x' })).body.code).toBe(21610);

      // Set through the control API...
      await control(sim, 'POST', '/opt-outs', { address: '+33622222222' });
      expect((await create(sim, { To: '+33622222222', From: SENDER, Body: 'x' })).body).toMatchObject({ code: 21610, status: 400 });
      // ...or by the recipient replying STOP, and lifted by START.
      expect((await create(sim, { To: '+33633333333', From: SENDER, Body: 'x' })).status).toBe(201);
      const stop = await control(sim, 'POST', '/inbound', { from: '+33633333333', to: SENDER, body: ' stop ' });
      expect(stop.body.optOutType).toBe('STOP');
      expect((await create(sim, { To: '+33633333333', From: SENDER, Body: 'x' })).body.code).toBe(21610);
      sim.inbound({ from: '+33633333333', to: SENDER, body: 'START' });
      expect((await create(sim, { To: '+33633333333', From: SENDER, Body: 'x' })).status).toBe(201);

      expect(sim.messages().map((m) => m.to)).toEqual(['+33633333333', '+33633333333']);
    });

    it('posts inbound messages, signed, to the inbound webhook with OptOutType', async () => {
      const sim = await simulator();
      const hooks = await receiver();
      sim.setInboundWebhookUrl(`${hooks.url}/inbound`);
      sim.inbound({ from: '+33644444444', to: SENDER, body: 'STOP' });
      await sim.idle();

      expect(hooks.received).toHaveLength(1);
      const hook = hooks.received[0]!;
      expect(hook.params).toMatchObject({ From: '+33644444444', To: SENDER, Body: 'STOP', OptOutType: 'STOP', SmsStatus: 'received' });
      expect(hook.headers['x-twilio-signature']).toBe(expectedSignature(sim.authToken, hook.url, hook.params));
      expect(sim.optedOut()).toContain('+33644444444');
    });

    it('fetches a message by SID and answers an unknown SID with 404 / 20404', async () => {
      const sim = await simulator();
      const created = await create(sim, { To: '+33612345678', From: SENDER, Body: 'fetch me' });
      const sid = created.body.sid as string;

      const found = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/${sid}.json`);
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ sid, body: 'fetch me', to: '+33612345678' });

      const missing = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/SM${'0'.repeat(32)}.json`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 20404, status: 404 });
    });

    it('lists with To / From / DateSent filters, newest first, and pages through next_page_uri', async () => {
      const sim = await simulator();
      const other = '+15005550006';
      const sids: string[] = [];
      for (let i = 0; i < 5; i++) sids.push((await create(sim, { To: '+33600000001', From: SENDER, Body: `m${i}` })).body.sid as string);
      await create(sim, { To: '+33600000002', From: SENDER, Body: 'other recipient' });
      await create(sim, { To: '+33600000001', From: other, Body: 'other sender' });
      await sim.idle();

      const list = (query: string) => get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json?${query}`);
      const byTo = await list(`To=${encodeURIComponent('+33600000001')}&From=${encodeURIComponent(SENDER)}&PageSize=2`);
      expect(byTo.status).toBe(200);
      expect(byTo.body).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
      expect(byTo.body.first_page_uri).toBe(
        `/2010-04-01/Accounts/${sim.accountSid}/Messages.json?To=%2B33600000001&From=%2B15017122661&PageSize=2&Page=0`,
      );
      expect(byTo.body.uri).toBe(byTo.body.first_page_uri);

      // Follow next_page_uri as a Twilio client does, relative to the API base.
      const seen: string[] = [];
      let page = byTo;
      for (let guard = 0; guard < 10; guard++) {
        seen.push(...(page.body.messages as Array<{ sid: string }>).map((m) => m.sid));
        if (page.body.next_page_uri === null) break;
        expect(page.body.next_page_uri).toContain('PageToken=PA');
        page = await get(sim, page.body.next_page_uri as string);
        expect(page.body.previous_page_uri).toEqual(expect.stringContaining('PageToken=PB'));
      }
      expect(seen).toEqual([...sids].reverse());

      const fromOther = await list(`From=${encodeURIComponent(other)}`);
      expect((fromOther.body.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(['other sender']);

      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(((await list(`DateSent%3E=${yesterday}`)).body.messages as unknown[]).length).toBe(7);
      expect(((await list(`DateSent>=${tomorrow}`)).body.messages as unknown[]).length).toBe(0);
      expect(((await list(`DateSent%3C=${yesterday}`)).body.messages as unknown[]).length).toBe(0);
      // twilio-node sends a full ISO time (seconds precision); "on or after" includes that second.
      const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      expect(((await list(`To=${encodeURIComponent('+33600000001')}&DateSent%3E=${since}`)).body.messages as unknown[]).length).toBe(6);
      expect((await list('DateSent%3E=yesterday')).body).toMatchObject({ status: 400 });
    });

    it('finds a still-queued message through a DateSent> lookup', async () => {
      const sim = await simulator({ faults: { senderRatePerSecond: 1 } });
      const since = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      await create(sim, { To: '+33600000003', From: SENDER, Body: 'first' });
      const queued = await create(sim, { To: '+33600000003', From: SENDER, Body: 'second, waits a second' });
      const res = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json?To=%2B33600000003&DateSent%3E=${since}`);
      const listed = res.body.messages as Array<{ sid: string; status: string; date_sent: string | null }>;
      expect(listed.map((m) => m.sid)).toContain(queued.body.sid);
      expect(listed.find((m) => m.sid === queued.body.sid)).toMatchObject({ status: 'queued', date_sent: null });
    });
  });

  describe('status callbacks', () => {
    it('posts queued → sent → delivered, each signed with X-Twilio-Signature and an idempotency token', async () => {
      const sim = await simulator();
      const hooks = await receiver();
      // The query string is part of the signed URL.
      const callbackUrl = `${hooks.url}/twilio/status?tenant=demo`;
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'hello', StatusCallback: callbackUrl });
      await sim.idle();

      expect(hooks.received.map((h) => h.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
      const tokens = new Set<string>();
      for (const hook of hooks.received) {
        expect(hook.url).toBe(callbackUrl);
        expect(hook.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
        expect(hook.headers['x-twilio-signature']).toBe(expectedSignature(sim.authToken, callbackUrl, hook.params));
        const token = hook.headers['i-twilio-idempotency-token'];
        expect(typeof token).toBe('string');
        tokens.add(token as string);
        expect(hook.params).toMatchObject({
          MessageSid: res.body.sid,
          SmsSid: res.body.sid,
          SmsStatus: hook.params.MessageStatus,
          AccountSid: sim.accountSid,
          From: SENDER,
          To: '+33612345678',
          ApiVersion: '2010-04-01',
        });
        expect(hook.params.ErrorCode).toBeUndefined();
      }
      expect(tokens.size).toBe(3);
      // A signature made with another key does not match: the check above is not vacuous.
      const first = hooks.received[0]!;
      expect(first.headers['x-twilio-signature']).not.toBe(expectedSignature('another-token', callbackUrl, first.params));

      const fetched = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/${res.body.sid as string}.json`);
      expect(fetched.body).toMatchObject({ status: 'delivered' });
      expect(fetched.body.date_sent).toMatch(RFC2822);
    });

    it('goes on to read on WhatsApp and sends the WhatsApp channel parameters', async () => {
      const sim = await simulator({ sessions: ['whatsapp:+33612345678'] });
      const hooks = await receiver();
      await create(sim, { To: 'whatsapp:+33612345678', From: WA_SENDER, Body: 'in the window', StatusCallback: `${hooks.url}/s` });
      await sim.idle();
      expect(hooks.received.map((h) => h.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered', 'read']);
      expect(hooks.received[3]!.params).toMatchObject({ ChannelPrefix: 'whatsapp', ChannelToAddress: '+33612345678', EventType: 'READ' });
    });

    it('retries a failed callback once with the same idempotency token and signature', async () => {
      const sim = await simulator({ callbacks: { statusStepMs: 150, retryDelayMs: 5 } });
      const hooks = await receiver((_hook, index) => (index === 0 ? 503 : 200));
      await create(sim, { To: '+33612345678', From: SENDER, Body: 'retry', StatusCallback: `${hooks.url}/s` });
      await sim.idle();

      const [first, retry] = hooks.received;
      expect(first!.params.MessageStatus).toBe('queued');
      expect(retry!.params.MessageStatus).toBe('queued');
      expect(retry!.headers['i-twilio-idempotency-token']).toBe(first!.headers['i-twilio-idempotency-token']);
      expect(retry!.headers['x-twilio-signature']).toBe(first!.headers['x-twilio-signature']);
      expect(hooks.received.map((h) => h.params.MessageStatus)).toEqual(['queued', 'queued', 'sent', 'delivered']);
      expect(sim.callbacks().filter((a) => a.status === 'queued').map((a) => [a.attempt, a.result])).toEqual([
        [1, 503],
        [2, 200],
      ]);
    });

    it('retries only once: a receiver that keeps failing gets two attempts per callback', async () => {
      const sim = await simulator();
      const hooks = await receiver(() => 500);
      await create(sim, { To: '+33612345678', From: SENDER, Body: 'down', StatusCallback: `${hooks.url}/s` });
      await sim.idle();
      expect(hooks.received).toHaveLength(6);
    });

    it('repeats callbacks and delivers the last two out of order when told to', async () => {
      const sim = await simulator({ callbacks: { statusStepMs: 40, repeatRate: 1, outOfOrderRate: 1 } });
      const hooks = await receiver();
      await create(sim, { To: '+33612345678', From: SENDER, Body: 'chaos', StatusCallback: `${hooks.url}/s` });
      await sim.idle();

      const statuses = hooks.received.map((h) => h.params.MessageStatus);
      expect(statuses.filter((s) => s === 'sent')).toHaveLength(2);
      expect(statuses.filter((s) => s === 'delivered')).toHaveLength(2);
      expect(statuses.indexOf('delivered')).toBeLessThan(statuses.indexOf('sent'));
      // Repeats are separate deliveries (new idempotency token); only MessageSid + status identifies them.
      const deliveredTokens = hooks.received.filter((h) => h.params.MessageStatus === 'delivered').map((h) => h.headers['i-twilio-idempotency-token']);
      expect(new Set(deliveredTokens).size).toBe(2);
      // The resource itself still moves forward in order.
      expect(sim.messages()[0]!.status).toBe('delivered');
    });

    it('reports 63016 asynchronously for a WhatsApp Body outside the 24-hour window', async () => {
      const sim = await simulator();
      const hooks = await receiver();
      const res = await create(sim, { To: 'whatsapp:+33655555555', From: WA_SENDER, Body: 'free-form', StatusCallback: `${hooks.url}/s` });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('queued');
      await sim.idle();

      expect(hooks.received.map((h) => h.params.MessageStatus)).toEqual(['queued', 'failed']);
      expect(hooks.received[1]!.params).toMatchObject({ ErrorCode: '63016', ChannelPrefix: 'whatsapp' });
      const fetched = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/${res.body.sid as string}.json`);
      expect(fetched.body).toMatchObject({ status: 'failed', error_code: 63016 });
      expect(fetched.body.error_message).toEqual(expect.stringContaining('outside the allowed window'));

      // A template (ContentSid) goes through outside the window; a Body does once the recipient writes in.
      const template = await create(sim, {
        To: 'whatsapp:+33655555555',
        From: WA_SENDER,
        ContentSid: `HX${'b'.repeat(32)}`,
        ContentVariables: JSON.stringify({ 1: '12 May', 2: '10:00' }),
      });
      sim.inbound({ from: 'whatsapp:+33655555555', to: WA_SENDER, body: 'hello' });
      const inWindow = await create(sim, { To: 'whatsapp:+33655555555', From: WA_SENDER, Body: 'now it works' });
      await sim.idle();
      expect(sim.message(template.body.sid as string)).toMatchObject({ status: 'read', errorCode: null });
      expect(sim.message(inWindow.body.sid as string)).toMatchObject({ status: 'read', errorCode: null });
    });

    it('ends a message to an unreachable handset undelivered with 30003', async () => {
      const sim = await simulator({ unreachable: ['+33699999999'] });
      const hooks = await receiver();
      await create(sim, { To: '+33699999999', From: SENDER, Body: 'x', StatusCallback: `${hooks.url}/s` });
      await sim.idle();
      expect(hooks.received.map((h) => [h.params.MessageStatus, h.params.ErrorCode])).toEqual([
        ['queued', undefined],
        ['sent', undefined],
        ['undelivered', '30003'],
      ]);
    });
  });

  describe('faults', () => {
    it('answers 5xx at the configured rate, reproducibly for a seed, without accepting those messages', async () => {
      const outcomes = async (seed: number) => {
        const sim = await simulator({ seed, faults: { errorRate: 0.3 } });
        const statuses: number[] = [];
        for (let i = 0; i < 100; i++) statuses.push((await create(sim, { To: '+33612345678', From: SENDER, Body: `n${i}` })).status);
        expect(sim.messages()).toHaveLength(statuses.filter((s) => s === 201).length);
        return statuses;
      };
      const a = await outcomes(7);
      const errors = a.filter((s) => s === 500).length;
      expect(errors).toBeGreaterThan(15);
      expect(errors).toBeLessThan(45);
      expect(a.filter((s) => s !== 500 && s !== 201)).toEqual([]);
      expect(await outcomes(7)).toEqual(a);
      expect(await outcomes(8)).not.toEqual(a);
    });

    it('answers 500 with Twilio error 20500 when every call fails, and reads fail too by default', async () => {
      const sim = await simulator();
      sim.setFaults({ errorRate: 1 });
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'x' });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 20500, status: 500 });
      expect((await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json`)).status).toBe(500);
      sim.setFaults({ scope: 'create' });
      expect((await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json`)).status).toBe(200);
    });

    it('answers 429 / 20429 with Retry-After', async () => {
      const sim = await simulator({ faults: { tooManyRequestsRate: 1, retryAfterSeconds: 7 } });
      const res = await create(sim, { To: '+33612345678', From: SENDER, Body: 'x' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.body).toMatchObject({ code: 20429, status: 429 });
      expect(sim.messages()).toHaveLength(0);
    });

    it('answers 429 beyond the account concurrency limit', async () => {
      const sim = await simulator({ faults: { maxConcurrentRequests: 2, latencyMs: 300 } });
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => create(sim, { To: '+33612345678', From: SENDER, Body: `c${i}` })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 429, 429, 429]);
      expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('1');
    });

    it('adds latency', async () => {
      const sim = await simulator({ faults: { latencyMs: 250 } });
      const t0 = Date.now();
      expect((await create(sim, { To: '+33612345678', From: SENDER, Body: 'slow' })).status).toBe(201);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
    });

    it('lists a new message only once the list lag has passed (set over the control API); fetch by SID sees it at once', async () => {
      const sim = await simulator();
      expect((await control(sim, 'PATCH', '/faults', { listLagMs: 400 })).body).toMatchObject({ faults: { listLagMs: 400 } });
      const created = await create(sim, { To: '+33612345678', From: SENDER, Body: 'not listed yet' });
      const sid = created.body.sid as string;
      const listed = async () => ((await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json?To=%2B33612345678`)).body.messages as Array<{ sid: string }>).map((m) => m.sid);
      expect(await listed()).toEqual([]);
      expect((await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/${sid}.json`)).status).toBe(200);
      // Listed from its creation time plus the lag on, whatever the caller's own clock says.
      const createdAt = sim.message(sid)!.createdAt;
      await new Promise((r) => setTimeout(r, createdAt + 400 - Date.now() + 10));
      expect(await listed()).toEqual([sid]);
      expect((await control(sim, 'PATCH', '/faults', { listLagMs: -1 })).status).toBe(400);
    });

    it('holds a request without answering (timeout), accepting the message only when told to', async () => {
      const sim = await simulator({ faults: { timeoutRate: 1 } });
      await expect(create(sim, { To: '+33612345678', From: SENDER, Body: 'lost' }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      expect(sim.messages()).toHaveLength(0);

      sim.setFaults({ timeoutAccepts: true });
      await expect(create(sim, { To: '+33612345678', From: SENDER, Body: 'ambiguous' }, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
      expect(sim.messages()).toMatchObject([{ body: 'ambiguous', apiOutcome: 'held' }]);
    });

    it('accepts a message, then drops the connection before answering', async () => {
      const sim = await simulator();
      const hooks = await receiver();
      await control(sim, 'POST', '/faults/force', { kind: 'dropAfterAccept' });
      const err = await create(sim, { To: '+33612345678', From: SENDER, Body: 'ref:42', StatusCallback: `${hooks.url}/s` }).then(
        () => null,
        (e: unknown) => e,
      );
      // The client sees a connection error, not an HTTP answer.
      expect(String((err as { message?: unknown })?.message)).toMatch(/fetch failed/);
      expect(String((err as { cause?: { message?: unknown } })?.cause?.message)).toMatch(/closed|reset|hang up/i);

      // The client never saw a SID, yet the message exists, is sent and can be found by listing.
      expect(sim.messages()).toMatchObject([{ body: 'ref:42', apiOutcome: 'dropped' }]);
      const listed = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages.json?To=%2B33612345678&From=${encodeURIComponent(SENDER)}`);
      expect((listed.body.messages as Array<{ body: string }>).map((m) => m.body)).toEqual(['ref:42']);
      await sim.idle();
      expect(hooks.received.map((h) => h.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);

      // The forced fault was used up: the next create is answered normally.
      expect((await create(sim, { To: '+33612345678', From: SENDER, Body: 'ref:43' })).status).toBe(201);
    });

    it('drops a share of creates at the configured rate, each one recorded', async () => {
      const sim = await simulator({ seed: 3, faults: { dropAfterAcceptRate: 0.25 } });
      let dropped = 0;
      for (let i = 0; i < 40; i++) {
        await create(sim, { To: '+33612345678', From: SENDER, Body: `d${i}` }).catch(() => dropped++);
      }
      expect(dropped).toBeGreaterThan(3);
      expect(sim.messages()).toHaveLength(40);
      expect(sim.messages().filter((m) => m.apiOutcome === 'dropped')).toHaveLength(dropped);
    });

    it('queues beyond a per-sender rate: at most R dispatches per second per sender', async () => {
      const R = 5;
      const senders = ['+15017122661', '+15017122662'];
      const sim = await simulator({ faults: { senderRatePerSecond: R } });
      const t0 = Date.now();
      await Promise.all(
        senders.flatMap((from) =>
          Array.from({ length: 3 * R }, (_, i) => create(sim, { To: '+33612345678', From: from, Body: `${from}-${i}` })),
        ),
      );
      // Real Twilio queues rather than refuses: every message is accepted, and quickly.
      expect(sim.messages()).toHaveLength(6 * R);
      expect(Date.now() - t0).toBeLessThan(1500);

      for (const from of senders) {
        const mine = sim.messages({ from });
        const dispatched = mine.map((m) => m.dispatchedAt);
        const received = mine.map((m) => m.receivedAt);
        expect(maxPerSecond(dispatched)).toBeLessThanOrEqual(R);
        expect(maxPerSecond(received)).toBeGreaterThan(R);
        // The queue drains at the rate, not slower: 3R messages take just under 3 s.
        const span = Math.max(...dispatched) - Math.min(...dispatched);
        expect(span).toBeGreaterThanOrEqual(((3 * R - 1) * 1000) / R - 1);
        expect(span).toBeLessThan(((3 * R - 1) * 1000) / R + 200);
      }
      const stats = sim.rateStats().sort((a, b) => a.sender.localeCompare(b.sender));
      expect(stats.map((s) => [s.sender, s.limit, s.count, s.overLimit, s.maxInAnyWindow])).toEqual(
        senders.map((s) => [s, R, 3 * R, 0, R]),
      );
      expect(stats[0]!.achievedPerSecond).toBeCloseTo(R, 1);
      expect(sim.rateStats('received').every((s) => s.overLimit > 0)).toBe(true);

      // Messages still in the queue are queued, with no date_sent yet.
      const last = sim.messages({ from: senders[0] }).at(-1)!;
      const fetched = await get(sim, `/2010-04-01/Accounts/${sim.accountSid}/Messages/${last.sid}.json`);
      expect(fetched.body).toMatchObject({ status: 'queued', date_sent: null });
    });

    it('rejects invalid fault settings', async () => {
      const sim = await simulator();
      expect(() => sim.setFaults({ errorRate: 2 })).toThrow(/errorRate/);
      // A typo must not silently run a benchmark without its fault.
      expect(() => sim.setFaults({ errorRat: 0.2 } as never)).toThrow(/unknown fault setting errorRat/);
      expect(() => sim.setCallbackBehaviour({ repeatRat: 0.2 } as never)).toThrow(/unknown callback setting repeatRat/);
      const res = await control(sim, 'PATCH', '/faults', { errorRate: 0.6, timeoutRate: 0.6 });
      expect(res.status).toBe(400);
      expect(sim.faults().errorRate).toBe(0);
    });
  });

  describe('control API and record', () => {
    it('sets faults, lists messages, counts duplicates by marker and resets over HTTP', async () => {
      const sim = await simulator({ optedOut: ['+33611111111'] });
      expect((await control(sim, 'PATCH', '/faults', { errorRate: 1 })).status).toBe(200);
      expect((await create(sim, { To: '+33612345678', From: SENDER, Body: 'x' })).status).toBe(500);
      expect((await control(sim, 'DELETE', '/faults')).body).toMatchObject({ faults: { errorRate: 0 } });

      await create(sim, { To: '+33612345678', From: SENDER, Body: 'Reminder [ref:a1]' });
      await create(sim, { To: '+33612345678', From: SENDER, Body: 'Reminder [ref:a1]' });
      await create(sim, { To: '+33612345679', From: SENDER, Body: 'Reminder [ref:b2]' });

      const listed = await control(sim, 'GET', `/messages?to=${encodeURIComponent('+33612345678')}`);
      expect(listed.body.count).toBe(2);
      const dup = await control(sim, 'GET', `/duplicates?by=marker&marker=${encodeURIComponent('\\[ref:([^\\]]+)\\]')}`);
      expect(dup.body).toMatchObject({ duplicates: 1, groups: [{ key: 'a1' }] });
      expect(sim.duplicates()).toHaveLength(1);

      const rates = await control(sim, 'GET', '/rates');
      expect(rates.body).toMatchObject({ by: 'dispatched', senders: [{ sender: SENDER, count: 3 }] });

      await control(sim, 'POST', '/opt-outs', { address: '+33622222222' });
      const reset = await control(sim, 'POST', '/reset');
      expect(reset.body).toMatchObject({ messages: 0, optedOut: ['+33611111111'] });
      expect(sim.messages()).toHaveLength(0);
    });

    it('reports idle once every callback has been attempted', async () => {
      const sim = await simulator({ callbacks: { statusStepMs: 100 } });
      const hooks = await receiver();
      await create(sim, { To: '+33612345678', From: SENDER, Body: 'x', StatusCallback: `${hooks.url}/s` });
      const idle = await control(sim, 'GET', '/idle?timeoutMs=5000');
      expect(idle.body).toMatchObject({ idle: true, pendingWork: 0 });
      expect(hooks.received).toHaveLength(3);
    });
  });

  describe('command line', () => {
    it('runs with tsx, prints its URL and serves the seeded demo account until SIGTERM', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/integrations/twilio/simulator/main.ts', '--port', '0'], {
        cwd: `${__dirname}/..`,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const match = /listening on (http:\/\/[^\s]+)/.exec(out);
            if (match) resolve(match[1]!);
          });
          child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
        });
        const demo = { url, accountSid: DEMO_ACCOUNT_SID, authToken: DEMO_AUTH_TOKEN } as TwilioSimulator;
        expect((await create(demo, { To: DEMO_RECIPIENTS.optedOut[0], From: DEMO_SENDERS.sms, Body: 'x' })).body.code).toBe(21610);
        expect((await create(demo, { To: DEMO_RECIPIENTS.inSession[0], From: DEMO_SENDERS.whatsapp, Body: 'hello' })).status).toBe(201);
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await exited;
        }
      }
    });
  });
});
