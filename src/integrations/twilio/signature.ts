/**
 * Verifies Twilio's webhook signature (`X-Twilio-Signature`) and parses status callbacks.
 *
 * Algorithm (Twilio's own helper libraries): HMAC-SHA1, keyed with the account's auth token, over the full URL
 * Twilio requested (query included) followed by every POST parameter as name + value, names sorted by code point,
 * a repeated name's distinct values sorted; Base64. Twilio is inconsistent about ports when signing, so the URL is
 * tried with the port stripped and with the scheme's default port added. Webhooks with a JSON body carry
 * `bodySHA256` in the URL instead: the signature then covers the URL alone and the body must match that hash.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TWILIO_MESSAGE_STATUSES } from './mapping';

export type TwilioWebhookParams = Record<string, string | readonly string[] | undefined> | URLSearchParams;

export interface VerifyTwilioSignatureInput {
  /** The account's auth token, also when REST calls use an API key. */
  authToken: string;
  /** The full URL Twilio called, exactly as configured with Twilio (scheme, host, port, path and query). */
  url: string;
  /** The form-encoded POST parameters as received (all of them: Twilio adds parameters without notice). */
  params: TwilioWebhookParams;
  /** The `X-Twilio-Signature` header. */
  signature: string | undefined;
  /** The raw request body, needed only for JSON webhooks signed with `bodySHA256`. */
  rawBody?: string | Buffer;
}

function normalise(params: TwilioWebhookParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, value: string) => out.set(name, [...(out.get(name) ?? []), value]);
  if (params instanceof URLSearchParams) for (const [name, value] of params) add(name, value);
  else
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      for (const v of typeof value === 'string' ? [value] : value) add(name, v);
    }
  return out;
}

/** The string Twilio signs: URL, then name+value for every parameter in code-point order of names. */
export function twilioSignatureBase(url: string, params: TwilioWebhookParams): string {
  const byName = normalise(params);
  // Plain code-point order, as Twilio sorts; localeCompare would not match.
  const names = [...byName.keys()].sort();
  let data = url;
  for (const name of names) for (const value of [...new Set(byName.get(name))].sort()) data += name + value;
  return data;
}

export function computeTwilioSignature(authToken: string, url: string, params: TwilioWebhookParams): string {
  return createHmac('sha1', authToken).update(Buffer.from(twilioSignatureBase(url, params), 'utf8')).digest('base64');
}

function withDefaultPort(url: URL): string {
  if (url.port !== '') return url.toString();
  // URL drops a default port when serialising, so it is spelled out by hand.
  const port = url.protocol === 'https:' ? ':443' : ':80';
  const userinfo = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${userinfo}${url.host}${port}${url.pathname}${url.search}${url.hash}`;
}

function withoutPort(url: URL): string {
  const copy = new URL(url.toString());
  copy.port = '';
  return copy.toString();
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when `signature` is Twilio's signature of this request. Never throws on bad input; answers false. */
export function verifyTwilioSignature(input: VerifyTwilioSignatureInput): boolean {
  const { authToken, signature } = input;
  if (!authToken || !signature) return false;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return false;
  }
  const bodyHash = url.searchParams.get('bodySHA256');
  const params = bodyHash === null ? input.params : {};
  // Compare against every candidate (no early exit), so timing does not tell which URL form matched.
  let valid = false;
  for (const candidate of new Set([withoutPort(url), withDefaultPort(url)]))
    valid = sameText(signature, computeTwilioSignature(authToken, candidate, params)) || valid;
  if (!valid || bodyHash === null) return valid;
  if (input.rawBody === undefined) return false;
  return sameText(createHash('sha256').update(input.rawBody).digest('hex'), bodyHash.toLowerCase());
}

const errorCode = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .regex(/^\d+$/, 'must be a numeric Twilio error code')
    .transform(Number)
    .optional(),
);

/**
 * A message status callback's form parameters. Only what Relay relies on is checked; every other parameter Twilio
 * sends passes through untouched (and stays part of the signature).
 */
export const twilioStatusCallbackParams = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be a message SID'),
  MessageStatus: z.enum(TWILIO_MESSAGE_STATUSES),
  ErrorCode: errorCode,
  AccountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an account SID'),
  /** Absent while a Messaging Service has not yet picked a sender. */
  From: z.string().min(1).optional(),
  To: z.string().min(1),
});

export type TwilioStatusCallback = z.output<typeof twilioStatusCallbackParams>;
