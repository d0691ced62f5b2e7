import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Request, Response } from 'express';
import type { ApiKey, Config } from '../config';
import type { Principal } from './auth';

/**
 * Operator sessions: after signing in once with their own API key (`/ui/sign-in`), an
 * operator's browser carries a short-lived, HttpOnly, SameSite=Strict cookie that the codec
 * endpoint (and later the admin pages) accept instead of a bearer key.
 *
 * The cookie is stateless: `v1.<payload>.<mac>`, base64url, HMAC-SHA256 over `v1.<payload>`
 * with `SESSION_SECRET`. The payload names the operator, holds the expiry and a fingerprint
 * of the key used to sign in, so replacing or removing an operator's key ends their sessions.
 * Browsers scope cookies by host, not port: over plain http on 127.0.0.1 other local servers
 * (the Web UI's among them) receive it too; over https the `__Host-` cookie is bound to the host.
 */

interface SessionPayload {
  /** Operator name (RELAY_API_KEYS). */
  sub: string;
  /** Fingerprint of the key the operator signed in with. */
  kfp: string;
  /** Issued at / expires at, epoch milliseconds. */
  iat: number;
  exp: number;
}

export interface OperatorSessions {
  /** `__Host-` prefixed when Secure: the browser then refuses it from any other host or path. */
  readonly cookieName: string;
  /** A signed session token for an operator key; the caller has checked the key and its role. */
  issue(key: ApiKey, now?: number): { token: string; expiresAt: Date };
  /** Issues a session and sets it as the cookie. */
  signIn(res: Response, key: ApiKey, now?: number): { expiresAt: Date };
  signOut(res: Response): void;
  /** The signed-in operator, or undefined for a missing, tampered, expired or revoked session. */
  principal(req: Request, now?: number): (Principal & { expiresAt: Date }) | undefined;
  /** Whether the request presents a session cookie at all (valid or not). */
  presented(req: Request): boolean;
}

const VERSION = 'v1';
const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function operatorSessions(config: Pick<Config, 'session'> & { api: Pick<Config['api'], 'keys'> }): OperatorSessions {
  const { secret, ttlMs, secure } = config.session;
  const cookieName = secure ? '__Host-relay_session' : 'relay_session';
  const mac = (data: string) => createHmac('sha256', secret).update(data).digest();
  const fingerprint = (key: ApiKey) => createHmac('sha256', secret).update(`key:${key.name}:${key.secret}`).digest('base64url').slice(0, 22);
  const operators = new Map(config.api.keys.filter((k) => k.role === 'operator').map((k) => [k.name, fingerprint(k)]));

  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure, path: '/' };

  const read = (req: Request): string | undefined => parseCookies(req.headers.cookie ?? '')[cookieName];

  function verify(token: string, now: number): SessionPayload | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== VERSION) return undefined;
    const expected = mac(`${parts[0]}.${parts[1]}`);
    const given = Buffer.from(parts[2]!, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let payload: SessionPayload;
    try {
      payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as SessionPayload;
    } catch {
      return undefined;
    }
    if (typeof payload.exp !== 'number' || payload.exp <= now) return undefined;
    // A signed-in operator whose key was replaced, removed or demoted is signed out.
    if (typeof payload.sub !== 'string' || operators.get(payload.sub) !== payload.kfp) return undefined;
    return payload;
  }

  return {
    cookieName,
    issue(key, now = Date.now()) {
      const payload: SessionPayload = { sub: key.name, kfp: fingerprint(key), iat: now, exp: now + ttlMs };
      const body = `${VERSION}.${b64url(JSON.stringify(payload))}`;
      return { token: `${body}.${b64url(mac(body))}`, expiresAt: new Date(payload.exp) };
    },
    signIn(res, key, now = Date.now()) {
      const { token, expiresAt } = this.issue(key, now);
      res.cookie(cookieName, token, { ...cookieOptions, expires: expiresAt });
      return { expiresAt };
    },
    signOut(res) {
      res.clearCookie(cookieName, cookieOptions);
    },
    principal(req, now = Date.now()) {
      const token = read(req);
      const payload = token ? verify(token, now) : undefined;
      return payload ? { name: payload.sub, role: 'operator', expiresAt: new Date(payload.exp) } : undefined;
    },
    presented: (req) => read(req) !== undefined,
  };
}

/**
 * CSRF defence for cookie-authenticated requests, in addition to SameSite=Strict: a browser
 * always sends `Origin` on cross-origin and on POST requests, and a page cannot forge it.
 */
export function originAllowed(req: Request, allowed: readonly string[]): boolean {
  const origin = req.get('origin');
  return origin !== undefined && allowed.includes(origin);
}
