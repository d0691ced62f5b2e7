import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../src/config';
import { defaultSender, loadTwilioConfig, TWILIO_CONFIG_VARIABLES, TWILIO_DEMO } from '../src/integrations/twilio/config';
import { DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_SENDERS } from '../src/integrations/twilio/simulator';

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const KEY_SID = `SK${'fedcba9876543210'.repeat(2)}`;
const LIVE = {
  TWILIO_ACCOUNT_SID: SID,
  TWILIO_AUTH_TOKEN: 'a'.repeat(32),
  TWILIO_SENDERS: 'sms:+15005550006@1, whatsapp:+14155238886@80,sms:RELAY@10',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadTwilioConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('Twilio configuration section', () => {
  it('runs in demo mode against the local simulator when no Twilio variable is set', () => {
    const config = loadTwilioConfig({ DATABASE_URL: 'postgresql://x@y/z', TWILIO_AUTH_TOKEN: '' });
    expect(config).toEqual({
      mode: 'demo',
      baseUrl: 'http://127.0.0.1:4010',
      accountSid: TWILIO_DEMO.accountSid,
      auth: { username: TWILIO_DEMO.accountSid, password: TWILIO_DEMO.authToken },
      authToken: TWILIO_DEMO.authToken,
      senders: [
        { channel: 'sms', address: '+33757000001', ratePerSecond: 10 },
        { channel: 'whatsapp', address: 'whatsapp:+33757000002', ratePerSecond: 10 },
      ],
      timeoutMs: 10_000,
      listSettleMs: 5_000,
      simulatorPort: 4010,
      simulatorExternal: false,
    });
    const moved = loadTwilioConfig({ TWILIO_SIMULATOR_PORT: '4555', TWILIO_TIMEOUT_MS: '2500' });
    expect(moved).toMatchObject({ mode: 'demo', baseUrl: 'http://127.0.0.1:4555', simulatorPort: 4555, timeoutMs: 2500, simulatorExternal: false });
    // A simulator in another container: demo mode talks to it and `npm start` starts none.
    const elsewhere = loadTwilioConfig({ TWILIO_SIMULATOR_URL: 'http://twilio-simulator:4010/' });
    expect(elsewhere).toMatchObject({ mode: 'demo', baseUrl: 'http://twilio-simulator:4010', simulatorExternal: true });
  });

  it("uses the same demo account and senders as the simulator's demo data", () => {
    // npm start hands TWILIO_DEMO to the simulator; the two must not drift apart.
    expect(TWILIO_DEMO.accountSid).toBe(DEMO_ACCOUNT_SID);
    expect(TWILIO_DEMO.authToken).toBe(DEMO_AUTH_TOKEN);
    expect(TWILIO_DEMO.senders.map((s) => s.address)).toEqual([DEMO_SENDERS.sms, DEMO_SENDERS.whatsapp]);
  });

  it('names every missing variable when Twilio is only partly configured', () => {
    expect(problemsOf({ TWILIO_ACCOUNT_SID: SID })).toEqual([
      'Twilio is partly configured (TWILIO_ACCOUNT_SID set): also set TWILIO_AUTH_TOKEN, TWILIO_SENDERS, or unset every TWILIO_* credential to use the local simulator',
    ]);
    const [problem] = problemsOf({ TWILIO_BASE_URL: 'https://api.twilio.com', TWILIO_AUTH_TOKEN: 'x' });
    expect(problem).toContain('also set TWILIO_ACCOUNT_SID, TWILIO_SENDERS');
    expect(problemsOf({ ...LIVE, TWILIO_API_KEY_SID: KEY_SID })).toEqual(['TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET must be set together']);
  });

  it('parses a full live configuration with its senders, Basic auth from the account or an API key', () => {
    const config = loadTwilioConfig(LIVE);
    expect(config).toEqual({
      mode: 'live',
      baseUrl: 'https://api.twilio.com',
      accountSid: SID,
      auth: { username: SID, password: 'a'.repeat(32) },
      authToken: 'a'.repeat(32),
      senders: [
        { channel: 'sms', address: '+15005550006', ratePerSecond: 1 },
        { channel: 'whatsapp', address: 'whatsapp:+14155238886', ratePerSecond: 80 },
        { channel: 'sms', address: 'RELAY', ratePerSecond: 10 },
      ],
      timeoutMs: 10_000,
      listSettleMs: 5_000,
    });
    expect(defaultSender(config, 'sms')?.address).toBe('+15005550006');
    expect(defaultSender(config, 'whatsapp')?.address).toBe('whatsapp:+14155238886');

    const withKey = loadTwilioConfig({
      ...LIVE,
      TWILIO_API_KEY_SID: KEY_SID,
      TWILIO_API_KEY_SECRET: 'secret',
      TWILIO_BASE_URL: 'http://twilio.internal:8080/',
      TWILIO_TIMEOUT_MS: '3000',
      TWILIO_LIST_SETTLE_MS: '2000',
    });
    // The API key authenticates REST calls; callbacks are still verified with the auth token.
    expect(withKey).toMatchObject({
      baseUrl: 'http://twilio.internal:8080',
      auth: { username: KEY_SID, password: 'secret' },
      authToken: 'a'.repeat(32),
      timeoutMs: 3000,
      listSettleMs: 2000,
    });
  });

  it('refuses bad sender syntax and bad values with readable problems', () => {
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: 'sms:+15005550006' })).toEqual([
      'TWILIO_SENDERS: entry 1 (sms:+15005550006) must look like channel:address@ratePerSecond, channel sms or whatsapp (e.g. sms:+15005550006@1)',
    ]);
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: 'fax:+15005550006@1' })[0]).toContain('channel sms or whatsapp');
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: 'whatsapp:RELAY@1' })[0]).toContain('needs an E.164 number');
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: 'sms:+15005550006@0' })[0]).toContain('needs a rate above 0');
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: 'sms:+15005550006@1,sms:+15005550006@2' })[0]).toContain('repeats a sender');
    expect(problemsOf({ ...LIVE, TWILIO_SENDERS: ' , ' })).toEqual(['TWILIO_SENDERS: at least one sender is required']);
    expect(problemsOf({ ...LIVE, TWILIO_ACCOUNT_SID: 'AC123', TWILIO_TIMEOUT_MS: 'soon' })).toEqual([
      'TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits',
      expect.stringMatching(/^TWILIO_TIMEOUT_MS: /),
    ]);
    expect(problemsOf({ ...LIVE, TWILIO_BASE_URL: 'ftp://api.twilio.com' })[0]).toMatch(/^TWILIO_BASE_URL: /);
  });

  it('never puts a secret into its error messages', () => {
    const problems = problemsOf({ TWILIO_AUTH_TOKEN: 'tok-very-secret', TWILIO_API_KEY_SECRET: 'key-very-secret' }).join('\n');
    expect(problems).not.toContain('very-secret');
  });

  it('is documented in .env.example', () => {
    const example = readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    const section = example.slice(example.indexOf('# --- Twilio (notifications)'));
    const documented = [...section.matchAll(/^#?\s*(TWILIO_[A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect([...new Set(documented)].sort()).toEqual([...TWILIO_CONFIG_VARIABLES].sort());
  });
});
