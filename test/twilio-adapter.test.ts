import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FailureType, isNonRetryableFailureType } from '../src/domain/failure-types';
import type { VendorAnswer } from '../src/integrations/http';
import { TwilioClient, type TwilioClientOptions } from '../src/integrations/twilio/client';
import { classifyTwilio } from '../src/integrations/twilio/errors';
import { computeTwilioSignature, twilioStatusCallbackParams, verifyTwilioSignature } from '../src/integrations/twilio/signature';
import { startTwilioSimulator, type TwilioSimulator } from '../src/integrations/twilio/simulator';
// The simulator's own signer: an implementation independent of the adapter's.
import { twilioSignature as simulatorSignature } from '../src/integrations/twilio/simulator/signature';
import { createLogger } from '../src/logger';
import { failureOf } from './helpers/failures';

const SMS_SENDER = '+15017122661';
const WA_SENDER = 'whatsapp:+14155238886';
const OPTED_OUT = '+33612000013';
const TEMPLATE = `HX${'a1'.repeat(16)}`;

let sim: TwilioSimulator;
let logs = '';

function client(overrides: Partial<TwilioClientOptions['config']> = {}, options: Partial<TwilioClientOptions> = {}): TwilioClient {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  return new TwilioClient({
    config: {
      baseUrl: sim.url,
      accountSid: sim.accountSid,
      // REST calls with an API key, as recommended; the auth token only signs callbacks.
      auth: { username: sim.apiKey.sid, password: sim.apiKey.secret },
      timeoutMs: 1_500,
      ...overrides,
    },
    logger: createLogger({ level: 'debug', name: 'twilio-test' }, sink),
    ...options,
  });
}


let counter = 0;
/** A fresh, valid recipient per test so the simulator's record is easy to read. */
const recipient = () => `+336120010${String(++counter).padStart(2, '0')}`;

beforeAll(async () => {
  sim = await startTwilioSimulator({
    seed: 7,
    optedOut: [OPTED_OUT],
    contentTemplates: { [TEMPLATE]: 'Your appointment is on {{1}} at {{2}}.' },
    callbacks: { statusStepMs: 20 },
  });
});

afterAll(async () => {
  await sim.stop();
});

beforeEach(() => {
  sim.clearFaults();
  logs = '';
});

describe('TwilioClient against the Twilio simulator', () => {
  it('shares no code with the simulator, so one misreading of the wire format cannot hide on both sides', () => {
    const dir = path.join(__dirname, '..', 'src', 'integrations', 'twilio');
    const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
    const adapterFiles = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(adapterFiles).toEqual(expect.arrayContaining(['client.ts', 'config.ts', 'errors.ts', 'mapping.ts', 'signature.ts']));
    for (const file of adapterFiles) expect(importsOf(path.join(dir, file)).filter((i) => i.includes('simulator'))).toEqual([]);
    for (const file of readdirSync(path.join(dir, 'simulator')).filter((f) => f.endsWith('.ts')))
      expect(importsOf(path.join(dir, 'simulator', file)).filter((i) => i.startsWith('..'))).toEqual([]);
  });

  it('creates a message and maps the answer to a TwilioMessage', async () => {
    const to = recipient();
    const before = Date.now();
    const message = await client().createMessage({ to, from: SMS_SENDER, body: 'Hello from Relay', statusCallback: 'http://127.0.0.1:9/cb?n=1' });
    expect(message).toEqual({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      to,
      from: SMS_SENDER,
      body: 'Hello from Relay',
      dateCreated: expect.any(Date),
      dateSent: null,
      dateUpdated: expect.any(Date),
      direction: 'outbound-api',
      messagingServiceSid: null,
      numSegments: 1,
      errorCode: null,
      errorMessage: null,
    });
    // RFC 2822 has whole seconds.
    expect(message.dateCreated.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(message.dateCreated.getTime()).toBeLessThanOrEqual(Date.now());
    const [recorded] = sim.messages({ to });
    expect(recorded?.params).toEqual({ To: to, From: SMS_SENDER, Body: 'Hello from Relay', StatusCallback: 'http://127.0.0.1:9/cb?n=1' });
  });

  it('sends WhatsApp templates as ContentSid with ContentVariables as JSON, with the account token as well', async () => {
    const to = `whatsapp:${recipient()}`;
    const message = await client({ auth: { username: sim.accountSid, password: sim.authToken } }).createMessage({
      to,
      from: WA_SENDER,
      contentSid: TEMPLATE,
      contentVariables: { '1': '12 May', '2': '10:30' },
    });
    expect(message.body).toBe('Your appointment is on 12 May at 10:30.');
    expect(sim.message(message.sid)?.params).toEqual({
      To: to,
      From: WA_SENDER,
      ContentSid: TEMPLATE,
      ContentVariables: '{"1":"12 May","2":"10:30"}',
    });
    await expect(client().createMessage({ to, from: WA_SENDER })).rejects.toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true });
  });

  it('turns 21211 (invalid To) into a non-retryable RecipientInvalid carrying the code, not the number', async () => {
    const failure = await failureOf(() => client().createMessage({ to: '+33123', from: SMS_SENDER, body: 'x' }));
    expect(failure.type).toBe(FailureType.RecipientInvalid);
    expect(failure.nonRetryable).toBe(true);
    expect(isNonRetryableFailureType(failure.type)).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ code: 21211, twilioStatus: 400, ambiguous: false });
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toContain('+33123');
    expect(logs).toContain('vendor request failed');
    expect(logs).not.toContain('+33123');
  });

  it('turns 21610 (opted out) into a non-retryable RecipientOptedOut', async () => {
    const failure = await failureOf(() => client().createMessage({ to: OPTED_OUT, from: SMS_SENDER, body: 'x' }));
    expect(failure).toMatchObject({ type: FailureType.RecipientOptedOut, nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ code: 21610 });
    expect(isNonRetryableFailureType(failure.type)).toBe(true);
    expect(JSON.stringify(failure.details)).not.toContain(OPTED_OUT);
  });

  it('turns other 4xx refusals into a non-retryable VendorRejected with Twilio\'s code', async () => {
    // 21910: From and To on different channels.
    const failure = await failureOf(() => client().createMessage({ to: recipient(), from: WA_SENDER, body: 'x' }));
    expect(failure).toMatchObject({ type: FailureType.VendorRejected, nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ code: 21910 });
  });

  it("retries a 429 after Twilio's Retry-After", async () => {
    sim.setFaults({ retryAfterSeconds: 7 });
    sim.forceNext('tooManyRequests');
    const failure = await failureOf(() => client().createMessage({ to: recipient(), from: SMS_SENDER, body: 'x' }));
    expect(failure).toMatchObject({ type: FailureType.VendorRateLimited, nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({ code: 20429 });
    expect(failure.nextRetryDelay).toBe(7_000);
  });

  it('waits a second after a 429 that names no delay', () => {
    const answer: VendorAnswer = {
      vendor: 'twilio',
      method: 'POST',
      path: '/2010-04-01/Accounts/AC/Messages.json',
      status: 429,
      headers: new Headers(),
      body: { code: 20429, message: 'Too Many Requests', status: 429 },
      text: '',
      notJson: false,
    };
    expect(classifyTwilio(answer)).toMatchObject({ outcome: 'retryable', type: FailureType.VendorRateLimited, delayMs: 1_000 });
    expect(classifyTwilio({ ...answer, headers: new Headers({ 'retry-after': '3' }) })).toMatchObject({ delayMs: 3_000 });
    // A gateway timeout on a create leaves its outcome open; on a read it does not.
    expect(classifyTwilio({ ...answer, status: 504, body: undefined })).toMatchObject({ type: FailureType.VendorOutcomeUnknown });
    expect(classifyTwilio({ ...answer, method: 'GET', status: 504, body: undefined })).toMatchObject({ type: FailureType.VendorUnavailable });
    // 2xx on a create with a body that is not JSON: accepted, so look it up rather than send again.
    expect(classifyTwilio({ ...answer, status: 201, body: undefined, notJson: true })).toMatchObject({ type: FailureType.VendorOutcomeUnknown });
  });

  it('retries 5xx answers, and no message was created', async () => {
    const to = recipient();
    sim.setFaults({ errorStatus: 503 });
    sim.forceNext('error');
    const failure = await failureOf(() => client().createMessage({ to, from: SMS_SENDER, body: 'x' }));
    expect(failure).toMatchObject({ type: FailureType.VendorUnavailable, nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({ code: 20503, twilioStatus: 503 });
    expect(sim.messages({ to })).toHaveLength(0);
    expect(await client().findSentMessages({ to, from: SMS_SENDER, body: 'x', since: new Date(Date.now() - 5_000), excludeSids: [] })).toEqual([]);
  });

  it('reports a create whose connection dropped after acceptance as VendorOutcomeUnknown, and findSentMessages finds exactly that message', async () => {
    const to = recipient();
    const tw = client();
    // Same recipient and body, but already claimed by another notification.
    const earlier = await tw.createMessage({ to, from: SMS_SENDER, body: 'Your code is 1234' });
    // Same recipient, other body.
    await tw.createMessage({ to, from: SMS_SENDER, body: 'Something else' });

    const since = new Date();
    sim.forceNext('dropAfterAccept');
    const failure = await failureOf(() => tw.createMessage({ to, from: SMS_SENDER, body: 'Your code is 1234' }));
    expect(failure).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({ ambiguous: true });
    const dropped = sim.messages({ to }).filter((m) => m.apiOutcome === 'dropped');
    expect(dropped).toHaveLength(1);

    const found = await tw.findSentMessages({ to, from: SMS_SENDER, body: 'Your code is 1234', since, excludeSids: [earlier.sid] });
    expect(found.map((m) => m.sid)).toEqual([dropped[0]!.sid]);
    // From another sender, nothing.
    expect(await tw.findSentMessages({ to, from: '+15017122662', body: 'Your code is 1234', since, excludeSids: [earlier.sid] })).toEqual([]);
    // Once that one is claimed too, nothing is left to adopt.
    expect(await tw.findSentMessages({ to, from: SMS_SENDER, body: 'Your code is 1234', since, excludeSids: [earlier.sid, dropped[0]!.sid] })).toEqual([]);
    // Without a body to compare, every unclaimed message of the time span counts.
    expect((await tw.findSentMessages({ to, from: SMS_SENDER, since: new Date(0), excludeSids: [earlier.sid] })).map((m) => m.body).sort()).toEqual([
      'Something else',
      'Your code is 1234',
    ]);
  });

  it('reports a create that timed out after being accepted as VendorOutcomeUnknown, and finds a template message without a body to compare', async () => {
    const to = `whatsapp:${recipient()}`;
    sim.setFaults({ timeoutAccepts: true });
    sim.forceNext('timeout');
    const since = new Date();
    const failure = await failureOf(() =>
      client({ timeoutMs: 300 }).createMessage({ to, from: WA_SENDER, contentSid: TEMPLATE, contentVariables: { '1': 'a', '2': 'b' } }),
    );
    expect(failure).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    const [held] = sim.messages({ to });
    expect(held?.apiOutcome).toBe('held');
    expect((await client().findSentMessages({ to, from: WA_SENDER, since, excludeSids: [] })).map((m) => m.sid)).toEqual([held!.sid]);
  });

  it('counts only messages created within the time span (widened by the clock-skew allowance)', async () => {
    const to = recipient();
    const tw = client({}, { clockSkewMs: 0 });
    const old = await tw.createMessage({ to, from: SMS_SENDER, body: 'same' });
    // Twilio's dates have whole seconds: start the window at the next one.
    const nextSecond = (Math.floor(old.dateCreated.getTime() / 1000) + 1) * 1000;
    await new Promise((r) => setTimeout(r, nextSecond - Date.now() + 20));
    const since = new Date(nextSecond);
    expect(await tw.findSentMessages({ to, from: SMS_SENDER, body: 'same', since, excludeSids: [] })).toEqual([]);
    const fresh = await tw.createMessage({ to, from: SMS_SENDER, body: 'same' });
    expect((await tw.findSentMessages({ to, from: SMS_SENDER, body: 'same', since, excludeSids: [] })).map((m) => m.sid)).toEqual([fresh.sid]);
    // Nor after `until`.
    expect(await tw.findSentMessages({ to, from: SMS_SENDER, body: 'same', since: new Date(0), until: new Date(nextSecond - 1000), excludeSids: [] })).toEqual([
      expect.objectContaining({ sid: old.sid }),
    ]);
    // With the default allowance the older one counts too, oldest first.
    expect((await client().findSentMessages({ to, from: SMS_SENDER, body: 'same', since, excludeSids: [] })).map((m) => m.sid)).toEqual([old.sid, fresh.sid]);
  });

  it('reads messages across pages by following next_page_uri', async () => {
    const to = recipient();
    const tw = client();
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await tw.createMessage({ to, from: SMS_SENDER, body: `n${i}` })).sid);
    logs = '';
    const pages: string[][] = [];
    for await (const page of tw.messagePages({ to, pageSize: 2 })) pages.push(page.map((m) => m.sid));
    // Three pages of two, two and one.
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect([...pages.flat()].sort()).toEqual([...sent].sort());
    expect(logs.match(/"msg":"vendor response"/g)).toHaveLength(3);
    expect(logs).not.toContain(to);
  });

  it('fails for good with VendorAuthFailed on wrong credentials', async () => {
    const failure = await failureOf(() =>
      client({ auth: { username: sim.accountSid, password: 'wrong' } }).createMessage({ to: recipient(), from: SMS_SENDER, body: 'x' }),
    );
    expect(failure).toMatchObject({ type: FailureType.VendorAuthFailed, nonRetryable: true });
    expect(failure.details?.[0]).toMatchObject({ code: 20003 });
    await expect(client({ auth: { username: sim.apiKey.sid, password: 'wrong' } }).findSentMessages({ to: recipient(), from: SMS_SENDER, body: 'x', since: new Date(0), excludeSids: [] })).rejects.toMatchObject({
      type: FailureType.VendorAuthFailed,
      nonRetryable: true,
    });
    expect(logs).not.toContain('wrong');
  });

  it('fails a lookup it cannot finish rather than answer "not sent", and stops at the first attempt\'s time', async () => {
    const to = recipient();
    const tw = client({}, { maxLookupPages: 1 });
    for (let i = 0; i < 101; i++) await tw.createMessage({ to, from: SMS_SENDER, body: `b${i}` });
    const failure = await failureOf(() => tw.findSentMessages({ to, from: SMS_SENDER, body: 'nope', since: new Date(0), excludeSids: [] }));
    expect(failure).toMatchObject({ type: FailureType.VendorOutcomeUnknown, nonRetryable: false });
    // A first page holding only older messages ends the search: nothing further back can be ours.
    const later = new Date(Date.now() + 60_000);
    expect(await client({}, { maxLookupPages: 1, clockSkewMs: 0 }).findSentMessages({ to, from: SMS_SENDER, body: 'b1', since: later, excludeSids: [] })).toEqual([]);
  });
});

interface Received {
  url: string;
  params: URLSearchParams;
  signature: string | undefined;
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '/', params: new URLSearchParams(raw), signature: req.headers['x-twilio-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('X-Twilio-Signature', () => {
  it("verifies the simulator's signed status callbacks, received over HTTP, and refuses tampered ones", async () => {
    const receiver = await startReceiver();
    try {
      const to = `whatsapp:${recipient()}`;
      sim.openSession(to);
      const statusCallback = `${receiver.url}/v1/webhooks/twilio/status?notification=n-1&x=a%20b`;
      const message = await client().createMessage({ to, from: WA_SENDER, body: 'Hi', statusCallback });
      await sim.idle();
      expect(receiver.received.map((r) => r.params.get('MessageStatus'))).toEqual(['queued', 'sent', 'delivered', 'read']);

      for (const hook of receiver.received) {
        // What Relay's route rebuilds: its public base URL plus the path and query it was called on.
        const url = `${receiver.url}${hook.url}`;
        expect(verifyTwilioSignature({ authToken: sim.authToken, url, params: hook.params, signature: hook.signature })).toBe(true);
        // The same parameters as a plain object, as Express's urlencoded parser gives them.
        expect(verifyTwilioSignature({ authToken: sim.authToken, url, params: Object.fromEntries(hook.params), signature: hook.signature })).toBe(true);

        const parsed = twilioStatusCallbackParams.parse(Object.fromEntries(hook.params));
        expect(parsed).toMatchObject({ MessageSid: message.sid, AccountSid: sim.accountSid, From: WA_SENDER, To: to });
        // Channel-specific extras pass through.
        expect(parsed.ChannelPrefix).toBe('whatsapp');
      }

      const hook = receiver.received[1]!;
      const url = `${receiver.url}${hook.url}`;
      const tampered = new URLSearchParams(hook.params);
      tampered.set('MessageStatus', 'failed');
      expect(verifyTwilioSignature({ authToken: sim.authToken, url, params: tampered, signature: hook.signature })).toBe(false);
      const added = new URLSearchParams(hook.params);
      added.append('ErrorCode', '30003');
      expect(verifyTwilioSignature({ authToken: sim.authToken, url, params: added, signature: hook.signature })).toBe(false);
      expect(verifyTwilioSignature({ authToken: sim.authToken, url: url.replace('n-1', 'n-2'), params: hook.params, signature: hook.signature })).toBe(false);
      expect(verifyTwilioSignature({ authToken: 'f'.repeat(32), url, params: hook.params, signature: hook.signature })).toBe(false);
      expect(verifyTwilioSignature({ authToken: sim.authToken, url, params: hook.params, signature: undefined })).toBe(false);
      expect(verifyTwilioSignature({ authToken: sim.authToken, url: 'not a url', params: hook.params, signature: hook.signature })).toBe(false);
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });

  it('accepts a signature made with or without the default port, whichever form the receiver sees', () => {
    const token = '12345678901234567890123456789012';
    const params = { MessageSid: `SM${'1'.repeat(32)}`, MessageStatus: 'delivered' };
    const bare = 'https://relay.example.com/v1/webhooks/twilio/status?notification=abc';
    const withPort = 'https://relay.example.com:443/v1/webhooks/twilio/status?notification=abc';

    const signedBare = simulatorSignature(token, bare, params);
    const signedWithPort = simulatorSignature(token, withPort, params);
    expect(signedBare).not.toBe(signedWithPort);
    for (const signature of [signedBare, signedWithPort])
      for (const url of [bare, withPort]) expect(verifyTwilioSignature({ authToken: token, url, params, signature })).toBe(true);

    // Plain HTTP's default port is 80.
    const http = 'http://relay.example.com/cb';
    expect(verifyTwilioSignature({ authToken: token, url: http, params, signature: simulatorSignature(token, 'http://relay.example.com:80/cb', params) })).toBe(true);
    expect(verifyTwilioSignature({ authToken: token, url: http, params, signature: simulatorSignature(token, 'http://relay.example.com:443/cb', params) })).toBe(false);
  });

  it('sorts parameter names by code point and the values of a repeated name', () => {
    const token = 'abc';
    const url = 'https://relay.example.com/cb';
    const params = { b: 'x', B: 'y', MediaUrl: ['https://m/2', 'https://m/1'], a: '' };
    const signature = simulatorSignature(token, url, params);
    expect(computeTwilioSignature(token, url, params)).toBe(signature);
    const reordered = new URLSearchParams([
      ['MediaUrl', 'https://m/1'],
      ['a', ''],
      ['b', 'x'],
      ['MediaUrl', 'https://m/2'],
      ['B', 'y'],
    ]);
    expect(verifyTwilioSignature({ authToken: token, url, params: reordered, signature })).toBe(true);
    expect(verifyTwilioSignature({ authToken: token, url, params: { ...params, MediaUrl: ['https://m/1'] }, signature })).toBe(false);
  });

  it('checks bodySHA256 for webhooks with a JSON body', () => {
    const token = 'abc';
    const body = '{"MessageSid":"SM1","MessageStatus":"sent"}';
    const hash = createHash('sha256').update(body).digest('hex');
    const url = `https://relay.example.com/cb?bodySHA256=${hash}`;
    const signature = simulatorSignature(token, url, {});
    expect(verifyTwilioSignature({ authToken: token, url, params: {}, rawBody: body, signature })).toBe(true);
    expect(verifyTwilioSignature({ authToken: token, url, params: {}, rawBody: `${body} `, signature })).toBe(false);
    expect(verifyTwilioSignature({ authToken: token, url, params: {}, signature })).toBe(false);
  });

  it('parses status callbacks: ErrorCode as a number, unknown fields kept, bad SIDs refused', () => {
    const base = {
      MessageSid: `SM${'a'.repeat(32)}`,
      MessageStatus: 'undelivered',
      AccountSid: `AC${'b'.repeat(32)}`,
      From: SMS_SENDER,
      To: '+33612000099',
      RawDlrDoneDate: '2405241744',
    };
    expect(twilioStatusCallbackParams.parse({ ...base, ErrorCode: '30003' })).toEqual({ ...base, ErrorCode: 30003 });
    expect(twilioStatusCallbackParams.parse({ ...base, ErrorCode: '' }).ErrorCode).toBeUndefined();
    expect(twilioStatusCallbackParams.safeParse({ ...base, MessageSid: 'SM1' }).success).toBe(false);
    expect(twilioStatusCallbackParams.safeParse({ ...base, MessageStatus: 'teleported' }).success).toBe(false);
    expect(twilioStatusCallbackParams.safeParse({ ...base, ErrorCode: 'x' }).success).toBe(false);
  });
});
