/**
 * HTTP Basic authentication as Twilio's REST API takes it: `AccountSid:AuthToken`, or `ApiKeySid:ApiKeySecret`
 * with the account SID in the path.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  accountSid: string;
  authToken: string;
  apiKeys: ReadonlyArray<{ sid: string; secret: string }>;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** True when the Authorization header authenticates for `pathAccountSid`. */
export function authenticate(header: string | undefined, pathAccountSid: string, credentials: Credentials): boolean {
  if (header === undefined || !/^basic /i.test(header)) return false;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return false;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (pathAccountSid !== credentials.accountSid) return false;
  if (user === credentials.accountSid) return same(password, credentials.authToken);
  const key = credentials.apiKeys.find((k) => k.sid === user);
  return key !== undefined && same(password, key.secret);
}
