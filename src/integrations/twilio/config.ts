/**
 * Twilio's optional configuration section, parsed by the processes that talk to Twilio (worker, API) and never
 * required by the core config: without any Twilio credential Relay runs in demo mode against the local Twilio
 * simulator, which `npm start` starts with the values in `TWILIO_DEMO`.
 */
import { z } from 'zod';
import { ConfigError } from '../../config';

export type TwilioChannel = 'sms' | 'whatsapp';

export interface TwilioSender {
  channel: TwilioChannel;
  /** Exactly what Twilio takes as `From`: `+15005550006`, an alphanumeric ID, or `whatsapp:+14155238886`. */
  address: string;
  /** The sender's sending rate (messages per second) that Relay keeps to across all workers. */
  ratePerSecond: number;
}

interface TwilioConfigBase {
  /** Replaces https://api.twilio.com; no trailing slash. */
  baseUrl: string;
  accountSid: string;
  /** HTTP Basic credentials for REST calls: an API key when configured, else the account SID and auth token. */
  auth: { username: string; password: string };
  /** Key of X-Twilio-Signature on callbacks, whatever authenticates REST calls. */
  authToken: string;
  /** The first sender of each channel is that channel's default. */
  senders: TwilioSender[];
  timeoutMs: number;
  /**
   * How long Twilio's Messages list may take to show a message it created: a look-up for a create whose answer was
   * lost waits this long after the create's bound before it trusts "not there".
   */
  listSettleMs: number;
}

export interface TwilioLiveConfig extends TwilioConfigBase {
  mode: 'live';
}

export interface TwilioDemoConfig extends TwilioConfigBase {
  mode: 'demo';
  /** Port of the local simulator that `npm start` runs (TWILIO_SIMULATOR_PORT). */
  simulatorPort: number;
  /** The simulator runs elsewhere (TWILIO_SIMULATOR_URL, e.g. a container): `npm start` does not start one. */
  simulatorExternal: boolean;
}

export type TwilioConfig = TwilioLiveConfig | TwilioDemoConfig;

/**
 * Demo-mode account: public, simulator-only values, so demo mode needs no secret. `npm start` starts the Twilio
 * simulator with exactly these (account, token, port, senders) and the worker and API, finding no Twilio
 * credentials, talk to it with the same values.
 */
export const TWILIO_DEMO = {
  accountSid: `AC${'de30'.repeat(8)}`,
  authToken: 'de30'.repeat(8),
  port: 4010,
  senders: [
    { channel: 'sms', address: '+33757000001', ratePerSecond: 10 },
    { channel: 'whatsapp', address: 'whatsapp:+33757000002', ratePerSecond: 10 },
  ] as const satisfies readonly TwilioSender[],
} as const;

export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';
export const TWILIO_DEFAULT_TIMEOUT_MS = 10_000;
export const TWILIO_DEFAULT_LIST_SETTLE_MS = 5_000;

/** Any of these set means "use a real Twilio account" (or another Twilio-compatible endpoint). */
const LIVE_VARIABLES = [
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SID',
  'TWILIO_API_KEY_SECRET',
  'TWILIO_BASE_URL',
  'TWILIO_SENDERS',
] as const;
/** What a live Twilio account needs; without any credential Relay runs demo mode (development) or disables notifications (production). */
export const TWILIO_REQUIRED_LIVE = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_SENDERS'] as const;

/** Every variable this section reads, for documentation checks (`.env.example`). */
export const TWILIO_CONFIG_VARIABLES = [...LIVE_VARIABLES, 'TWILIO_TIMEOUT_MS', 'TWILIO_LIST_SETTLE_MS', 'TWILIO_SIMULATOR_PORT', 'TWILIO_SIMULATOR_URL'] as const;

const E164 = /^\+[1-9]\d{6,14}$/;
/** Alphanumeric sender ID (1-11 characters, at least one letter) or a short code. */
const SMS_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$|^\d{3,8}$/;

/** `channel:address@ratePerSecond,…`, e.g. `sms:+15005550006@1,whatsapp:+14155238886@80`. */
const senders = z.string().transform((value, ctx): TwilioSender[] => {
  const list: TwilioSender[] = [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const [i, entry] of entries.entries()) {
    const match = /^(sms|whatsapp):(.+)@([0-9]+(?:\.[0-9]+)?)$/.exec(entry);
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${entry}) ${message}` });
    if (!match) {
      problem('must look like channel:address@ratePerSecond, channel sms or whatsapp (e.g. sms:+15005550006@1)');
      continue;
    }
    const channel = match[1] as TwilioChannel;
    const bare = match[2]!;
    const ratePerSecond = Number(match[3]);
    if (channel === 'whatsapp' ? !E164.test(bare) : !E164.test(bare) && !SMS_SENDER.test(bare)) {
      problem(channel === 'whatsapp' ? 'needs an E.164 number such as +14155238886' : 'needs an E.164 number, short code or alphanumeric sender ID');
      continue;
    }
    if (!(ratePerSecond > 0)) {
      problem('needs a rate above 0 messages per second');
      continue;
    }
    const address = channel === 'whatsapp' ? `whatsapp:${bare}` : bare;
    if (list.some((s) => s.address === address)) {
      problem('repeats a sender; list each one once');
      continue;
    }
    list.push({ channel, address, ratePerSecond });
  }
  if (list.length === 0 && ctx.issues.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one sender is required' });
  return list;
});

const schema = z.object({
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_API_KEY_SID: z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'must be SK followed by 32 hex digits').optional(),
  TWILIO_API_KEY_SECRET: z.string().min(1).optional(),
  TWILIO_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  TWILIO_SENDERS: senders.optional(),
  TWILIO_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(TWILIO_DEFAULT_TIMEOUT_MS),
  TWILIO_LIST_SETTLE_MS: z.coerce.number().int().min(0).max(300_000).default(TWILIO_DEFAULT_LIST_SETTLE_MS),
  TWILIO_SIMULATOR_PORT: z.coerce.number().int().min(1).max(65_535).default(TWILIO_DEMO.port),
  /** Demo mode: where the simulator listens when it is not `npm start`'s (e.g. another container). */
  TWILIO_SIMULATOR_URL: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});

/**
 * Reads the Twilio section from `env`. No Twilio credential at all: demo mode. Some but not all: a ConfigError
 * naming what is missing, never a silent fall-back to the simulator.
 */
export function loadTwilioConfig(env: NodeJS.ProcessEnv = process.env): TwilioConfig {
  // Empty strings (`TWILIO_AUTH_TOKEN=` in .env) mean "not set", as in the core config.
  const cleaned = Object.fromEntries(
    (TWILIO_CONFIG_VARIABLES as readonly string[]).flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  const parsed = schema.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const present = LIVE_VARIABLES.filter((name) => cleaned[name] !== undefined);
  const missing = TWILIO_REQUIRED_LIVE.filter((name) => cleaned[name] === undefined);
  if (present.length > 0 && missing.length > 0)
    problems.push(
      `Twilio is partly configured (${present.join(', ')} set): also set ${missing.join(', ')}, or unset every TWILIO_* credential to use the local simulator`,
    );
  if (Boolean(cleaned.TWILIO_API_KEY_SID) !== Boolean(cleaned.TWILIO_API_KEY_SECRET))
    problems.push('TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET must be set together');
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const raw = parsed.data;

  if (present.length === 0) {
    return {
      mode: 'demo',
      baseUrl: raw.TWILIO_SIMULATOR_URL ?? `http://127.0.0.1:${raw.TWILIO_SIMULATOR_PORT}`,
      accountSid: TWILIO_DEMO.accountSid,
      auth: { username: TWILIO_DEMO.accountSid, password: TWILIO_DEMO.authToken },
      authToken: TWILIO_DEMO.authToken,
      senders: TWILIO_DEMO.senders.map((s) => ({ ...s })),
      timeoutMs: raw.TWILIO_TIMEOUT_MS,
      listSettleMs: raw.TWILIO_LIST_SETTLE_MS,
      simulatorPort: raw.TWILIO_SIMULATOR_PORT,
      simulatorExternal: raw.TWILIO_SIMULATOR_URL !== undefined,
    };
  }

  const accountSid = raw.TWILIO_ACCOUNT_SID!;
  const authToken = raw.TWILIO_AUTH_TOKEN!;
  return {
    mode: 'live',
    baseUrl: raw.TWILIO_BASE_URL ?? TWILIO_DEFAULT_BASE_URL,
    accountSid,
    auth:
      raw.TWILIO_API_KEY_SID && raw.TWILIO_API_KEY_SECRET
        ? { username: raw.TWILIO_API_KEY_SID, password: raw.TWILIO_API_KEY_SECRET }
        : { username: accountSid, password: authToken },
    authToken,
    senders: raw.TWILIO_SENDERS!,
    timeoutMs: raw.TWILIO_TIMEOUT_MS,
    listSettleMs: raw.TWILIO_LIST_SETTLE_MS,
  };
}

/** The default sender of a channel: the first one listed for it. */
export function defaultSender(config: Pick<TwilioConfig, 'senders'>, channel: TwilioChannel): TwilioSender | undefined {
  return config.senders.find((s) => s.channel === channel);
}
