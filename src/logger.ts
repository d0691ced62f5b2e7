import { EventEmitter } from 'node:events';
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * Structured JSON logs, or readable lines in development (`LOG_FORMAT`, see {@link logFormat}).
 * Anything that can carry a secret or personal data is redacted here, once, before either
 * format is written, so no call site has to remember it:
 *
 * - every logged object, child binding and interpolation argument is copied with fields
 *   named like a secret or personal data replaced by `[redacted]`, at any depth, in arrays,
 *   Maps, Sets and Errors (see {@link isSensitiveKey});
 * - every string, including messages and error stacks, has e-mail addresses, phone numbers
 *   in international format and secret-named URL query parameters replaced (see
 *   {@link scrubText}); this catches Twilio's `To`/`From` without hiding date windows that
 *   are also called `from`/`to`;
 * - Buffers and typed arrays are logged as their length only (they are usually bodies).
 *
 * Message bodies, HTTP bodies and names of people are personal data and are redacted by key
 * (`body`, `firstName`, ...); free text elsewhere (an `error.message` quoting a name) is
 * not recognisable and must not be logged by callers.
 */
export const CENSOR = '[redacted]';

/**
 * The request/response serializers of pino-http run after the key walk below, so the
 * headers they produce are redacted by path.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** Keys compared after lower-casing and dropping everything but letters and digits. */
const SENSITIVE_SUFFIXES = [
  // secrets
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  // OHIP's application key (`x-app-key`)
  'appkey',
  'authorization',
  'cookie',
  'signature',
  'privatekey',
  'databaseurl',
  'connectionstring',
  // contact and identity data
  'email',
  'emailaddress',
  'phone',
  'phonenumber',
  'mobile',
  'telephone',
  'fax',
  'firstname',
  'lastname',
  'givenname',
  'middlename',
  'surname',
  'fullname',
  'personname',
  'birthdate',
  'dateofbirth',
  'documentnumber',
  'passportnumber',
  'nationalid',
  'taxid',
  'postcode',
  'postalcode',
  'zipcode',
  // payment data
  'iban',
  'accountnumber',
  'cardnumber',
  'cvc',
  'cvv',
];
const SENSITIVE_KEYS = new Set([
  'auth',
  'credentials',
  'ssn',
  'bic',
  'zip',
  'street',
  'housenumber',
  'address',
  'guestname',
  // message texts and HTTP bodies: personal content, never logged
  'body',
  'contentvariables',
]);
const ADDRESS_LINE = /^addressline\d*$/;

/** Whether a field with this name is censored wherever it appears (`apiKey`, `api_key`, `X-Api-Key` alike). */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SENSITIVE_KEYS.has(k) || ADDRESS_LINE.test(k)) return true;
  for (const suffix of SENSITIVE_SUFFIXES) if (k.endsWith(suffix)) return true;
  return false;
}

const EMAIL = /[^\s@<>()[\]"'`,;:]+@[^\s@<>()[\]"'`,;:/]+\.[A-Za-z]{2,}/g;
// International format only (+ and 7 to 15 digits, separators allowed): bare digit runs are ids and amounts.
const PHONE = /(?<![\w+])\+[1-9](?:[\s().-]{0,2}\d){6,14}(?!\d)/g;
const QUERY_PARAM = /([?&;])([^=&#\s]+)=([^&#\s]*)/g;

/** Replaces e-mail addresses, international phone numbers and secret-named query parameters in free text. */
export function scrubText(text: string): string {
  let out = text;
  if (out.includes('@')) out = out.replace(EMAIL, CENSOR);
  if (out.includes('+')) out = out.replace(PHONE, CENSOR);
  if (out.includes('=')) {
    out = out.replace(QUERY_PARAM, (match, sep: string, name: string) =>
      isSensitiveKey(safeDecode(name)) ? `${sep}${name}=${CENSOR}` : match,
    );
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const MAX_DEPTH = 24;

/**
 * A copy of `value` fit for a log line: censored keys, scrubbed strings, cycles as
 * `[Circular]`, Errors kept as Errors (message and stack included). Never mutates `value`.
 * Streams and HTTP messages are passed through untouched for pino's serializers.
 */
export function redactForLog(value: unknown): unknown {
  return walk(value, new Set(), 0);
}

function walk(value: unknown, ancestors: Set<object>, depth: number): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (ancestors.has(value)) return '[Circular]';
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`;
  if (value instanceof ArrayBuffer) return `[ArrayBuffer ${value.byteLength} bytes]`;
  if (value instanceof Date) return value;
  // Requests, responses, sockets: pino's serializers pick the fields they log.
  if (value instanceof EventEmitter) return value;
  if (depth >= MAX_DEPTH) return '[Truncated]';

  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, ancestors, depth + 1));
    // Not only `instanceof`: errors thrown by Node's own fetch may come from another realm.
    if (value instanceof Error || Object.prototype.toString.call(value) === '[object Error]') return copyError(value as Error, ancestors, depth);
    if (value instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value) out[String(k)] = field(String(k), v, ancestors, depth);
      return out;
    }
    if (value instanceof Set) return [...value].map((item) => walk(item, ancestors, depth + 1));
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(value), ancestors, depth + 1);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = field(key, read(value, key), ancestors, depth);
    return out;
  } catch {
    return '[Unserializable]';
  } finally {
    ancestors.delete(value);
  }
}

function field(key: string, value: unknown, ancestors: Set<object>, depth: number): unknown {
  if (value === undefined) return undefined;
  return isSensitiveKey(key) ? CENSOR : walk(value, ancestors, depth + 1);
}

function read(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return '[Unreadable]';
  }
}

/**
 * Same prototype, so pino's error serializer still sees an `Error` of the right type; message,
 * stack and name become own enumerable fields so they also survive when the error sits
 * deeper than pino's serializers reach (plain `JSON.stringify` drops them).
 */
function copyError(err: Error, ancestors: Set<object>, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Record<string, unknown>;
  copy.name = err.name;
  copy.message = typeof err.message === 'string' ? scrubText(err.message) : err.message;
  if (err.stack !== undefined) copy.stack = scrubText(err.stack);
  for (const key of Object.keys(err)) copy[key] = field(key, read(err, key), ancestors, depth);
  // `cause` and AggregateError's `errors` are own but not enumerable.
  for (const key of ['cause', 'errors']) {
    if (!(key in copy) && Object.prototype.hasOwnProperty.call(err, key)) {
      copy[key] = field(key, read(err, key), ancestors, depth);
    }
  }
  return copy as unknown as Error;
}

function redactRecord(obj: Record<string, unknown>): Record<string, unknown> {
  return walk(obj, new Set(), 0) as Record<string, unknown>;
}

export type LogFormat = 'json' | 'pretty';

/**
 * `LOG_FORMAT`: `json` (one object a line, for log shippers) or `pretty` (readable lines);
 * unset, `pretty` in development (NODE_ENV unset or `development`) and `json` otherwise.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  const value = env.LOG_FORMAT?.trim().toLowerCase();
  if (value === 'json' || value === 'pretty') return value;
  if (value) throw new Error(`LOG_FORMAT must be json or pretty, got "${env.LOG_FORMAT}"`);
  return (env.NODE_ENV || 'development') === 'development' ? 'pretty' : 'json';
}

/**
 * Readable lines, formatted and written synchronously in this thread (no transport worker
 * that could lose the last lines at exit). pino hands over the finished, redacted JSON line.
 */
function prettyDestination(destination: pino.DestinationStream | undefined): pino.DestinationStream {
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  const pretty = prettyFactory({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The process name heads each line; `service` repeats it for log shippers.
    ignore: 'pid,hostname,service',
    singleLine: false,
  });
  return { write: (line: string) => out.write(pretty(line)) };
}

/**
 * `format`: by default {@link logFormat} for stdout; a caller-supplied `destination` (tests,
 * tools that parse the lines) gets JSON unless it asks for `pretty`.
 */
export function createLogger(options: { level: string; name: string; format?: LogFormat }, destination?: pino.DestinationStream): Logger {
  const format = options.format ?? (destination ? 'json' : logFormat());
  const logger = pino(
    {
      name: options.name,
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: redactRecord, bindings: redactRecord },
      hooks: {
        // The message and printf-style arguments; the merging object goes through `formatters.log`.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const head = typeof first === 'string' ? scrubText(first) : first;
          return method.apply(this, [head, ...rest.map((a) => redactForLog(a))] as Parameters<typeof method>);
        },
      },
    },
    format === 'pretty' ? prettyDestination(destination) : destination,
  );
  // `formatters.bindings` only sees the root's bindings; children inherit this override.
  const baseChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return baseChild.call(this, redactRecord(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

export type { Logger };
