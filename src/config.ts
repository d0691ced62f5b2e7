import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_PHONE_REGION, isPhoneRegion, type PhoneRegion } from './domain/phone-numbers';

/**
 * Relay's whole configuration, parsed once from the environment. Every variable is
 * documented in `.env.example`; a bad value stops start-up with a readable list.
 */

/** Local PostgreSQL; `npm start` creates the database when it is missing. */
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/relay';

export const ROLES = ['service', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  name: string;
  role: Role;
  secret: string;
  /**
   * The PMS properties this key may see and write (RELAY_API_KEY_PROPERTIES), e.g. a hotel
   * group's key; undefined: every property. Others answer 404, so their ids do not leak.
   */
  properties?: readonly string[];
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z.coerce.number().int().min(1).max(65_535);

export const csv = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `name:role:secret,name:role:secret` — names appear in logs and audit rows, secrets never do. */
const required = { error: (iss: { input: unknown }) => (iss.input === undefined ? 'is required' : undefined) };

const apiKeys = z.string(required).transform((value, ctx): ApiKey[] => {
  const keys: ApiKey[] = [];
  for (const [i, entry] of csv(value).entries()) {
    const [name, role, ...rest] = entry.split(':');
    const secret = rest.join(':');
    if (!name || !role || !secret) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must look like name:role:secret` });
    } else if (!(ROLES as readonly string[]).includes(role)) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) has role "${role}"; expected ${ROLES.join(' or ')}` });
    } else if (secret.length < 24) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) has a secret shorter than 24 characters` });
    } else if (keys.some((k) => k.name === name)) {
      // One key per person or system: audit rows and sessions name the key's owner.
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the name "${name}"; give every key its own name` });
    } else {
      keys.push({ name, role: role as Role, secret });
    }
  }
  if (keys.length === 0 && ctx.issues.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one API key is required' });
  return keys;
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `keyName:propertyId|propertyId,keyName:propertyId` — which keys are limited to which PMS properties. */
const apiKeyProperties = z.string().transform((value, ctx): Map<string, string[]> => {
  const scopes = new Map<string, string[]>();
  for (const [i, entry] of csv(value).entries()) {
    const sep = entry.indexOf(':');
    const name = sep > 0 ? entry.slice(0, sep) : '';
    const ids = sep > 0 ? entry.slice(sep + 1).split('|').map((s) => s.trim()).filter(Boolean) : [];
    if (!name || ids.length === 0) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must look like keyName:propertyId|propertyId` });
    else if (scopes.has(name)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} repeats the key "${name}"; list all of its properties in one entry, separated by |` });
    else if (ids.some((id) => !UUID.test(id))) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} (${name}) has a property id that is not a UUID (the id of GET /v1/properties)` });
    else scopes.set(name, ids.map((id) => id.toLowerCase()));
  }
  return scopes;
});

/** `keyId:base64(32 bytes),…` — the first key encrypts; all of them decrypt, so keys can rotate. */
const encryptionKeys = z.string(required).transform((value, ctx): EncryptionKey[] => {
  const keys: EncryptionKey[] = [];
  for (const [i, entry] of csv(value).entries()) {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep) : '';
    const key = Buffer.from(sep > 0 ? entry.slice(sep + 1) : '', 'base64');
    if (!id) ctx.addIssue({ code: 'custom', message: `entry ${i + 1} must look like keyId:base64key` });
    else if (key.length !== 32) ctx.addIssue({ code: 'custom', message: `key "${id}" must be 32 bytes of base64 (got ${key.length})` });
    else keys.push({ id, key });
  }
  if (keys.length === 0 && ctx.issues.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one key is required' });
  return keys;
});

const optionalPath = z.string().min(1).optional();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `json` for log shippers, `pretty` for people; default pretty in development, json elsewhere. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_DATABASE_URL),

  /** Unset: `npm start` runs a local dev server on 127.0.0.1:RELAY_DEV_TEMPORAL_PORT. */
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TLS: bool.default(false),
  TEMPORAL_TLS_CERT_PATH: optionalPath,
  TEMPORAL_TLS_KEY_PATH: optionalPath,
  TEMPORAL_TLS_CA_PATH: optionalPath,
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  /** `npm start` only: the local dev server's port and where it keeps its state. */
  RELAY_DEV_TEMPORAL_PORT: port.default(7233),
  RELAY_DATA_DIR: z.string().min(1).default('.data'),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  API_PUBLIC_URL: z.url().optional(),
  RELAY_API_KEYS: apiKeys,
  /** Keys limited to some PMS properties (a hotel group's key); unlisted keys see all. */
  RELAY_API_KEY_PROPERTIES: apiKeyProperties.optional(),
  /** Region of phone numbers written in national format (`06-12345678`), ISO 3166-1 alpha-2. */
  PHONE_DEFAULT_REGION: z
    .string()
    .transform((value, ctx): PhoneRegion => {
      const region = value.trim().toUpperCase();
      if (isPhoneRegion(region)) return region;
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO 3166-1 alpha-2 country code with a phone numbering plan, such as NL or FR` });
      return z.NEVER;
    })
    .default(DEFAULT_PHONE_REGION),

  PAYLOAD_ENCRYPTION_KEYS: encryptionKeys,
  /** Workers refuse inputs not encrypted with a known key; default on unless NODE_ENV=development. */
  STRICT_PAYLOADS: bool.optional(),
  CODEC_CORS_ORIGINS: z.string().default('http://127.0.0.1:8233,http://localhost:8233').transform(csv),

  /** Signs operator session cookies; derived from RELAY_API_KEYS when unset. */
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(480),
  /** Requests per window; 0 switches a limit off. */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(1_200),
  RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(2_400),

  /**
   * Integrations without credentials run in demo mode against local simulators in development
   * and tests; in production they are disabled unless this explicitly opts in (with a warning).
   */
  RELAY_DEMO: bool.default(false),

  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9464),
  /** A workflow bundle built ahead of time by `npm run build` (production images); built at start otherwise. */
  WORKFLOW_BUNDLE_PATH: optionalPath,
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
});

export type RawConfig = z.infer<typeof schema>;

/**
 * Without SESSION_SECRET every API instance derives the same secret from the API keys, so
 * a session stays valid across instances; changing RELAY_API_KEYS signs everyone out.
 */
function sessionSecret(configured: string | undefined, keys: ApiKey[]): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const hmac = createHmac('sha256', 'relay operator session v1');
  for (const k of [...keys].sort((a, b) => a.name.localeCompare(b.name))) hmac.update(`${k.name}:${k.role}:${k.secret}\n`);
  return hmac.digest();
}

function refine(raw: RawConfig) {
  const certAndKey = [raw.TEMPORAL_TLS_CERT_PATH, raw.TEMPORAL_TLS_KEY_PATH].filter(Boolean).length;
  const problems: string[] = [];
  if (certAndKey === 1) problems.push('TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH must be set together (mTLS)');
  const unknown = [...(raw.RELAY_API_KEY_PROPERTIES?.keys() ?? [])].filter((name) => !raw.RELAY_API_KEYS.some((k) => k.name === name));
  if (unknown.length) problems.push(`RELAY_API_KEY_PROPERTIES: no key named ${unknown.join(', ')} in RELAY_API_KEYS`);
  return problems;
}

/** The keys with their property scopes attached. */
const scopedKeys = (raw: RawConfig): ApiKey[] =>
  raw.RELAY_API_KEYS.map((key) => {
    const properties = raw.RELAY_API_KEY_PROPERTIES?.get(key.name);
    return properties ? { ...key, properties } : key;
  });

export interface Config {
  env: RawConfig['NODE_ENV'];
  logLevel: RawConfig['LOG_LEVEL'];
  logFormat: 'json' | 'pretty';
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    /** Set when TLS is on (Temporal Cloud or a secured cluster). */
    tls?: { certPath?: string; keyPath?: string; caPath?: string; serverName?: string };
    apiKey?: string;
    uiUrl: string;
  };
  /** What `npm start` runs locally: the dev server's port (when TEMPORAL_ADDRESS is unset) and its state directory. */
  local: { temporalPort: number; dataDir: string };
  api: { host: string; port: number; publicUrl: string; keys: ApiKey[] };
  /** `defaultRegion`: of phone numbers given in national format (PHONE_DEFAULT_REGION). */
  phone: { defaultRegion: PhoneRegion };
  /** `strictPayloads`: workers refuse starts, signals, updates and queries not encrypted with a known key. */
  codec: { keys: EncryptionKey[]; corsOrigins: string[]; strictPayloads: boolean };
  /** Operator sign-in (`/ui/sign-in`): HMAC secret for the session cookie, its lifetime, Secure flag. */
  session: { secret: Buffer; ttlMs: number; secure: boolean };
  rateLimit: { windowMs: number; perKey: number; perAddress: number };
  /** Whether integrations without credentials may run in demo mode; `productionOptIn`: RELAY_DEMO=true in production. */
  demo: { allowed: boolean; productionOptIn: boolean };
  worker: { metricsHost: string; metricsPort: number; shutdownGraceMs: number; workflowBundlePath?: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings (e.g. `FOO=` in .env) mean "not set", as most tools treat them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  const raw = parsed.data;
  const problems = refine(raw);
  if (problems.length) throw new ConfigError(problems);

  // An API key implies TLS: Temporal Cloud only accepts API keys over TLS.
  const tlsOn = raw.TEMPORAL_TLS || Boolean(raw.TEMPORAL_TLS_CERT_PATH) || Boolean(raw.TEMPORAL_API_KEY);
  const publicUrl = raw.API_PUBLIC_URL ?? `http://${raw.API_HOST === '0.0.0.0' ? '127.0.0.1' : raw.API_HOST}:${raw.API_PORT}`;
  return {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    logFormat: raw.LOG_FORMAT ?? (raw.NODE_ENV === 'development' ? 'pretty' : 'json'),
    databaseUrl: raw.DATABASE_URL,
    temporal: {
      address: raw.TEMPORAL_ADDRESS ?? `127.0.0.1:${raw.RELAY_DEV_TEMPORAL_PORT}`,
      namespace: raw.TEMPORAL_NAMESPACE,
      tls: tlsOn
        ? {
            certPath: raw.TEMPORAL_TLS_CERT_PATH,
            keyPath: raw.TEMPORAL_TLS_KEY_PATH,
            caPath: raw.TEMPORAL_TLS_CA_PATH,
            serverName: raw.TEMPORAL_TLS_SERVER_NAME,
          }
        : undefined,
      apiKey: raw.TEMPORAL_API_KEY,
      uiUrl: raw.TEMPORAL_UI_URL,
    },
    local: { temporalPort: raw.RELAY_DEV_TEMPORAL_PORT, dataDir: raw.RELAY_DATA_DIR },
    api: {
      host: raw.API_HOST,
      port: raw.API_PORT,
      publicUrl,
      keys: scopedKeys(raw),
    },
    phone: { defaultRegion: raw.PHONE_DEFAULT_REGION },
    codec: {
      keys: raw.PAYLOAD_ENCRYPTION_KEYS,
      corsOrigins: raw.CODEC_CORS_ORIGINS,
      strictPayloads: raw.STRICT_PAYLOADS ?? raw.NODE_ENV !== 'development',
    },
    session: {
      secret: sessionSecret(raw.SESSION_SECRET, raw.RELAY_API_KEYS),
      ttlMs: raw.SESSION_TTL_MINUTES * 60_000,
      secure: new URL(publicUrl).protocol === 'https:',
    },
    rateLimit: {
      windowMs: raw.RATE_LIMIT_WINDOW_SECONDS * 1_000,
      perKey: raw.RATE_LIMIT_PER_KEY,
      perAddress: raw.RATE_LIMIT_PER_ADDRESS,
    },
    demo: {
      allowed: raw.NODE_ENV !== 'production' || raw.RELAY_DEMO,
      productionOptIn: raw.NODE_ENV === 'production' && raw.RELAY_DEMO,
    },
    worker: {
      metricsHost: raw.WORKER_METRICS_HOST,
      metricsPort: raw.WORKER_METRICS_PORT,
      shutdownGraceMs: raw.WORKER_SHUTDOWN_GRACE_MS,
      workflowBundlePath: raw.WORKFLOW_BUNDLE_PATH,
    },
  };
}

/** Names of every variable Relay reads; used to check `.env.example` and docker-compose stay in sync. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);
