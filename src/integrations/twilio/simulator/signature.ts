/**
 * X-Twilio-Signature as Twilio computes it for form-encoded webhooks: HMAC-SHA1 keyed with the account's auth
 * token over the full URL followed by every parameter name and value, names sorted by code point (repeated names:
 * values sorted), no separators; Base64.
 */
import { createHmac } from 'node:crypto';

export type FormParams = Record<string, string | readonly string[]>;

export function signatureBase(url: string, params: FormParams): string {
  const names = Object.keys(params).sort();
  let data = url;
  for (const name of names) {
    const value = params[name]!;
    const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
    for (const v of values) data += name + v;
  }
  return data;
}

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  return createHmac('sha1', authToken).update(Buffer.from(signatureBase(url, params), 'utf8')).digest('base64');
}
