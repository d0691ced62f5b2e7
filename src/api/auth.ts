import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiKey, Role } from '../config';
import { closeIfBodyUnread } from './body';
import { ForbiddenError, UnauthorizedError } from './http-errors';
import { type OperatorSessions, originAllowed } from './session';

export interface Principal {
  name: string;
  role: Role;
}

/** Operators can do everything a service can, plus resolve conflicts and manage schedules. */
const GRANTS: Record<Role, readonly Role[]> = { service: ['service'], operator: ['service', 'operator'] };

// Hashing first gives equal-length buffers, so the comparison time says nothing about the key.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Returns a lookup from a presented secret to its configured key; configured keys are hashed once. */
export function keyLookup(keys: ApiKey[]): (presented: string) => ApiKey | undefined {
  const known = keys.map((key) => ({ key, digest: digest(key.secret) }));
  return (presented) => {
    const candidate = digest(presented);
    let match: ApiKey | undefined;
    // Compare against every key (no early exit) to keep timing flat.
    for (const k of known) if (timingSafeEqual(candidate, k.digest)) match = k.key;
    return match;
  };
}

/** Returns a lookup from a presented key to its principal. */
export function keyMatcher(keys: ApiKey[]): (presented: string) => Principal | undefined {
  const find = keyLookup(keys);
  return (presented) => {
    const key = find(presented);
    return key && { name: key.name, role: key.role };
  };
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/** How a request proved who it is; cookie-authenticated requests get CSRF checks. */
export type AuthMethod = 'bearer' | 'session';

export interface SessionAuth {
  sessions: OperatorSessions;
  /** Origins whose pages may make state-changing requests with the session cookie. */
  allowedOrigins: readonly string[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sets `res.locals.principal` (and `res.locals.authMethod`) from a bearer API key or, when
 * `session` is given, from an operator's session cookie; answers 401 otherwise. A bearer
 * header wins over a cookie. Cookie-authenticated state-changing requests must come from
 * an allowed origin (403), on top of the cookie's SameSite=Strict.
 * Runs before any body is read: refusals close the connection instead of draining it.
 */
export function authenticate(keys: ApiKey[], session?: SessionAuth) {
  const findPrincipal = keyMatcher(keys);

  function identify(req: Request): { principal: Principal; method: AuthMethod } | UnauthorizedError | ForbiddenError {
    if (session && req.get('authorization') === undefined && session.sessions.presented(req)) {
      const signedIn = session.sessions.principal(req);
      if (!signedIn) return new UnauthorizedError('Session expired or invalid; sign in again at /ui/sign-in');
      if (!SAFE_METHODS.has(req.method) && !originAllowed(req, session.allowedOrigins)) {
        return new ForbiddenError('A signed-in browser may only call this from an allowed origin');
      }
      return { principal: { name: signedIn.name, role: signedIn.role }, method: 'session' };
    }
    const token = bearerToken(req);
    const principal = token ? findPrincipal(token) : undefined;
    if (!principal) return new UnauthorizedError(token ? 'Unknown API key' : 'Missing bearer API key');
    return { principal, method: 'bearer' };
  }

  return (req: Request, res: Response, next: NextFunction): void => {
    const identity = identify(req);
    if (identity instanceof Error) {
      closeIfBodyUnread(req, res);
      if (identity instanceof UnauthorizedError) res.set('WWW-Authenticate', 'Bearer realm="relay"');
      throw identity;
    }
    res.locals.principal = identity.principal;
    res.locals.authMethod = identity.method;
    next();
  };
}

/** Answers 403 when the authenticated key's role does not grant `role`. */
export function requireRole(role: Role) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const principal = res.locals.principal as Principal | undefined;
    if (!principal) throw new UnauthorizedError('Missing bearer API key');
    if (!GRANTS[principal.role].includes(role)) {
      closeIfBodyUnread(req, res);
      throw new ForbiddenError(`This action needs the ${role} role`);
    }
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
