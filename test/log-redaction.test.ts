import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { createLogger, isSensitiveKey, logFormat, redactForLog, scrubText } from '../src/logger';

/** A parsed log line, read field by field. */
interface Line {
  [key: string]: Line & string;
}

function capture() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'relay-test' }, sink);
  return { logger, lines, entries: () => lines.map((l) => JSON.parse(l) as Line) };
}

// Personal data and secrets that must never appear in a log line.
const PERSONAL = [
  'jane.doe@example.com',
  'jan.jansen@bakkerij.nl',
  '+31612345678',
  '+31 20 123 4567',
  'NL91ABNA0417164300',
  'ABNANL2A',
  'Doe',
  'Keizersgracht 1',
  '1015 CJ',
  'Hi Jane, your room 112 is ready',
  'sk_live_abcdef',
  'eyJhbGciOiJIUzI1NiJ9.secret',
];

function guest() {
  return {
    reservationId: 'R-1001',
    arrival: { from: '2026-12-01', to: '2026-12-03' },
    reservationGuest: {
      id: 'G-42',
      personName: [{ givenName: 'Jane', surname: 'Doe', nameType: 'PRIMARY' }],
      profile: {
        contact: {
          email: 'jane.doe@example.com',
          telephones: [{ phoneTechType: 'MOBILE', phoneNumber: '+31612345678' }],
          emails: [{ emailAddress: 'jane.doe@example.com', primaryInd: true }],
        },
        addresses: [{ addressLine1: 'Keizersgracht 1', postalCode: '1015 CJ', cityName: 'Amsterdam', country: 'NL' }],
        payment: { bank: { IBAN: 'NL91ABNA0417164300', BIC: 'ABNANL2A' } },
      },
    },
    roomStay: { roomId: '112', adultCount: 2 },
  };
}

function company() {
  return {
    ID: '5b7f4515-0000-0000-0000-000000000001',
    Code: '                25',
    Name: 'Bakkerij Jansen BV',
    City: 'Utrecht',
    Phone: '+31 20 123 4567',
    Email: 'jan.jansen@bakkerij.nl',
    contacts: [{ role: 'owner', details: { mobile_phone: '+31612345678', 'E-Mail': 'jan.jansen@bakkerij.nl' } }],
    bankAccounts: [[{ iban: 'NL91ABNA0417164300', bic: 'ABNANL2A', accountNumber: '417164300', currency: 'EUR' }]],
    credentials: { clientSecret: 'sk_live_abcdef', accessToken: 'eyJhbGciOiJIUzI1NiJ9.secret' },
  };
}

function message() {
  // A Twilio message resource: `to`/`from` are phone numbers, `body` is personal content.
  return {
    sid: 'SM123',
    status: 'queued',
    to: 'whatsapp:+31612345678',
    from: '+31 20 123 4567',
    body: 'Hi Jane, your room 112 is ready',
    request: { form: { To: '+31612345678', Body: 'Hi Jane, your room 112 is ready', ContentVariables: '{"1":"Jane"}' } },
  };
}

describe('log redaction', () => {
  it('redacts personal data and secrets at any depth and in arrays, keeping everything else', () => {
    const { logger, lines, entries } = capture();
    logger.info({ guest: guest(), company: company(), message: message() }, 'synced');

    const all = lines.join('\n');
    for (const value of PERSONAL) expect(all).not.toContain(value);

    const [entry] = entries() as unknown as Array<{ guest: ReturnType<typeof guest>; company: ReturnType<typeof company>; message: ReturnType<typeof message> }>;
    const g = entry!.guest.reservationGuest;
    expect(g.profile.contact.email).toBe('[redacted]');
    expect(g.profile.contact.telephones[0]).toEqual({ phoneTechType: 'MOBILE', phoneNumber: '[redacted]' });
    expect(g.profile.contact.emails[0]).toEqual({ emailAddress: '[redacted]', primaryInd: true });
    expect(g.profile.addresses[0]).toEqual({ addressLine1: '[redacted]', postalCode: '[redacted]', cityName: 'Amsterdam', country: 'NL' });
    expect(g.profile.payment.bank).toEqual({ IBAN: '[redacted]', BIC: '[redacted]' });
    expect(g.personName).toBe('[redacted]');
    // Unrelated fields survive, including date windows named from/to.
    expect(entry!.guest.reservationId).toBe('R-1001');
    expect(entry!.guest.arrival).toEqual({ from: '2026-12-01', to: '2026-12-03' });
    expect(entry!.guest.roomStay).toEqual({ roomId: '112', adultCount: 2 });
    expect(g.id).toBe('G-42');

    const c = entry!.company;
    expect(c).toMatchObject({ Name: 'Bakkerij Jansen BV', City: 'Utrecht', Code: '                25', Phone: '[redacted]', Email: '[redacted]' });
    expect(c.contacts[0]).toEqual({ role: 'owner', details: { mobile_phone: '[redacted]', 'E-Mail': '[redacted]' } });
    expect(c.bankAccounts[0]![0]).toEqual({ iban: '[redacted]', bic: '[redacted]', accountNumber: '[redacted]', currency: 'EUR' });
    expect(c.credentials).toBe('[redacted]');

    const m = entry!.message;
    expect(m).toMatchObject({ sid: 'SM123', status: 'queued', to: 'whatsapp:[redacted]', from: '[redacted]', body: '[redacted]' });
    expect(m.request.form).toEqual({ To: '[redacted]', Body: '[redacted]', ContentVariables: '[redacted]' });
  });

  it('never mutates the logged object', () => {
    const { logger } = capture();
    const err = Object.assign(new Error('failed for a@b.nl'), { email: 'a@b.nl' });
    const input = { guest: guest(), company: company(), message: message(), err };
    const before = structuredClone({ ...input, err: undefined });
    logger.info(input, 'synced');
    logger.info(redactForLog(input) as object, 'again');
    expect({ ...input, err: undefined }).toEqual(before);
    expect(input.err).toBe(err);
    expect(err.email).toBe('a@b.nl');
    expect(err.message).toBe('failed for a@b.nl');
    expect(input.guest.reservationGuest.profile.contact.email).toBe('jane.doe@example.com');
  });

  it('handles cycles, Errors (message and stack kept), Buffers, Maps and Sets', () => {
    const { logger, lines, entries } = capture();
    const guestRecord: Record<string, unknown> = { id: 'G-1', email: 'jane.doe@example.com' };
    guestRecord.self = guestRecord;
    guestRecord.stays = [{ guest: guestRecord, nights: 2 }];
    const cause = Object.assign(new TypeError('socket closed'), { phone: '+31612345678' });
    const err = Object.assign(new Error('Twilio rejected the message', { cause }), { code: 21211, details: { to: '+31612345678', guestEmail: 'jane.doe@example.com' } });
    const byKey = new Map<string, unknown>([['email', 'jane.doe@example.com'], ['count', 3]]);
    logger.error(
      { err, guest: guestRecord, nested: { failure: err }, payload: Buffer.from('Hi Jane, your room 112 is ready'), byKey, ids: new Set(['a', 'b']) },
      'send failed',
    );

    const all = lines.join('\n');
    for (const value of PERSONAL) expect(all).not.toContain(value);
    const [entry] = entries();
    expect(entry!.guest).toEqual({ id: 'G-1', email: '[redacted]', self: '[Circular]', stays: [{ guest: '[Circular]', nights: 2 }] });
    // Top-level `err` still goes through pino's error serializer: type, message with causes, stack.
    expect(entry!.err).toMatchObject({ type: 'Error', code: 21211, details: { to: '[redacted]', guestEmail: '[redacted]' } });
    expect(entry!.err).toMatchObject({ message: expect.stringContaining('Twilio rejected the message'), stack: expect.stringContaining('Error: Twilio rejected the message') });
    // Errors deeper down keep their message and stack too (plain JSON would drop both).
    expect(entry!.nested).toMatchObject({
      failure: {
        name: 'Error',
        message: 'Twilio rejected the message',
        stack: expect.stringContaining('log-redaction.test.ts'),
        code: 21211,
        cause: { name: 'TypeError', message: 'socket closed', phone: '[redacted]' },
      },
    });
    expect(entry!.payload).toBe('[Buffer 31 bytes]');
    expect(entry!.byKey).toEqual({ email: '[redacted]', count: 3 });
    expect(entry!.ids).toEqual(['a', 'b']);
    // The caller's error is untouched.
    expect(err.details.to).toBe('+31612345678');
  });

  it('redacts child bindings, the message text and printf-style arguments', () => {
    const { logger, lines, entries } = capture();
    const child = logger.child({ tenant: { id: 't1', apiKey: 'sk_live_abcdef' }, guest: { contact: { email: 'jane.doe@example.com' } } });
    child.child({ workflowId: 'notify-1' }).warn('sending to %s: %o', '+31612345678', { to: 'jane.doe@example.com', body: 'Hi Jane, your room 112 is ready' });
    child.info({ url: 'https://api.example.com/cb?access_token=eyJhbGciOiJIUzI1NiJ9.secret&page=2' }, 'fetched');

    const all = lines.join('\n');
    for (const value of PERSONAL) expect(all).not.toContain(value);
    const [first, second] = entries();
    expect(first).toMatchObject({ tenant: { id: 't1', apiKey: '[redacted]' }, guest: { contact: { email: '[redacted]' } }, workflowId: 'notify-1' });
    expect(first!.msg).toContain('sending to [redacted]');
    expect(second!.url).toBe('https://api.example.com/cb?access_token=[redacted]&page=2');
  });

  it('keeps redacting the authorization and cookie headers of pino-http request logs', async () => {
    const { logger, lines, entries } = capture();
    const log = pinoHttp({ logger });
    const server: Server = createServer((req, res) => {
      log(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/v1/echo`, {
        headers: { authorization: 'Bearer sk_live_abcdef', cookie: 'relay_session=eyJhbGciOiJIUzI1NiJ9.secret', 'x-request-id': 'r-1' },
      });
      expect(await res.text()).toBe('ok');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const entry = entries().find((e) => e.req?.url === '/v1/echo');
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({
      req: { method: 'GET', headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-request-id': 'r-1' } },
      res: { statusCode: 200 },
    });
    expect(lines.join('\n')).not.toContain('sk_live_abcdef');
  });

  it('matches key spellings case- and separator-insensitively, without catching look-alikes', () => {
    for (const key of ['email', 'Email', 'guestEmail', 'E-Mail', 'phone', 'phoneNumber', 'mobile', 'cellPhone', 'IBAN', 'bic', 'accountNumber', 'password', 'client_secret', 'apiKey', 'X-Api-Key', 'x-app-key', 'appKey', 'access_token', 'Authorization', 'set-cookie', 'AddressLine2', 'guestFirstName', 'body']) {
      expect([key, isSensitiveKey(key)]).toEqual([key, true]);
    }
    for (const key of ['id', 'name', 'Name', 'City', 'status', 'to', 'from', 'arrivalDate', 'tokenType', 'expires_in', 'code', 'message', 'publicUrl', 'country', 'topic', 'basic']) {
      expect([key, isSensitiveKey(key)]).toEqual([key, false]);
    }
    expect(scrubText('booked for jane.doe@example.com, +31 6 1234 5678 at 2026-12-01T10:00:00+01:00, ref 12345678')).toBe(
      'booked for [redacted], [redacted] at 2026-12-01T10:00:00+01:00, ref 12345678',
    );
  });
});

describe('readable log lines (LOG_FORMAT=pretty)', () => {
  function capturePretty() {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().trimEnd().split('\n'));
        done();
      },
    });
    return { logger: createLogger({ level: 'debug', name: 'relay-test', format: 'pretty' }, sink), lines };
  }

  it('redacts personal data and secrets as the JSON lines do', () => {
    const { logger, lines } = capturePretty();
    logger.info({ guest: guest(), company: company(), message: message() }, 'synced');
    const err = Object.assign(new Error('Twilio rejected jane.doe@example.com'), { details: { to: '+31612345678', guestEmail: 'jane.doe@example.com' } });
    logger.error({ err, payload: Buffer.from('Hi Jane, your room 112 is ready') }, 'send failed');
    const child = logger.child({ tenant: { id: 't1', apiKey: 'sk_live_abcdef' } });
    child.warn('sending to %s: %o', '+31612345678', { to: 'jane.doe@example.com', body: 'Hi Jane, your room 112 is ready' });
    child.info({ url: 'https://api.example.com/cb?access_token=eyJhbGciOiJIUzI1NiJ9.secret&page=2' }, 'fetched');

    const all = lines.join('\n');
    for (const value of PERSONAL) expect(all).not.toContain(value);
    // Readable, not JSON: level and process name head the line, fields follow.
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(lines[0]).toMatch(/INFO \(relay-test\): synced$/);
    expect(all).toMatch(/ERROR \(relay-test\): send failed/);
    expect(all).toContain('Error: Twilio rejected [redacted]');
    expect(all).toContain('"[Buffer 31 bytes]"');
    expect(all).toMatch(/WARN \(relay-test\): sending to \[redacted\]/);
    expect(all).toContain('access_token=[redacted]&page=2');
    expect(all).toMatch(/"apiKey": "\[redacted\]"/);
    expect(all).toContain('"reservationId": "R-1001"');
  });

  it('redacts the authorization and cookie headers of pino-http request logs', async () => {
    const { logger, lines } = capturePretty();
    const log = pinoHttp({ logger });
    const server: Server = createServer((req, res) => {
      log(req, res);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}/v1/echo`, { headers: { authorization: 'Bearer sk_live_abcdef', cookie: 'relay_session=eyJhbGciOiJIUzI1NiJ9.secret' } })).text();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const all = lines.join('\n');
    expect(all).toContain('request completed');
    expect(all).toMatch(/"authorization": "\[redacted\]"/);
    expect(all).toMatch(/"cookie": "\[redacted\]"/);
    expect(all).not.toContain('sk_live_abcdef');
    expect(all).not.toContain('eyJhbGciOiJIUzI1NiJ9.secret');
  });

  it('writes every line before the call returns, so none is lost when the process exits at once', () => {
    const logger = path.join(__dirname, '..', 'src', 'logger.ts');
    const script = `const { createLogger } = require(${JSON.stringify(logger)});
      const log = createLogger({ level: 'info', name: 'exit-test', format: 'pretty' });
      for (let i = 0; i < 2000; i++) log.info({ n: i, email: 'jane.doe@example.com' }, 'line %d', i);
      process.exit(0);`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(out.match(/INFO \(exit-test\): line \d+/g)).toHaveLength(2000);
    expect(out).toContain('line 1999');
    expect(out).not.toContain('jane.doe@example.com');
  });

  it('is chosen by LOG_FORMAT, else pretty in development and JSON elsewhere', () => {
    expect(logFormat({})).toBe('pretty');
    expect(logFormat({ NODE_ENV: 'development' })).toBe('pretty');
    expect(logFormat({ NODE_ENV: 'production' })).toBe('json');
    expect(logFormat({ NODE_ENV: 'test' })).toBe('json');
    expect(logFormat({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormat({ NODE_ENV: 'development', LOG_FORMAT: 'json' })).toBe('json');
    expect(() => logFormat({ LOG_FORMAT: 'xml' })).toThrow('LOG_FORMAT must be json or pretty, got "xml"');
    // A logger given its own destination (a test, a tool parsing lines) writes JSON unless asked,
    // whatever the environment says.
    const saved = process.env.LOG_FORMAT;
    process.env.LOG_FORMAT = 'pretty';
    try {
      const { logger, entries } = capture();
      logger.info('parsed');
      expect(entries()[0]).toMatchObject({ msg: 'parsed', service: 'relay-test' });
    } finally {
      if (saved === undefined) delete process.env.LOG_FORMAT;
      else process.env.LOG_FORMAT = saved;
    }
  });
});
