import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { ApiKey, Role } from '../config';
import { ForbiddenError, UnauthorizedError } from './http-errors';

export interface Principal {
  name: string;
  role: Role;
}

/** Operators can do everything a service can, plus resolve conflicts and manage schedules. */
const GRANTS: Record<Role, readonly Role[]> = { service: ['service'], operator: ['service', 'operator'] };

// Hashing first gives equal-length buffers, so the comparison time says nothing about the key.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Returns a lookup from a presented key to its principal; configured keys are hashed once. */
export function keyMatcher(keys: ApiKey[]): (presented: string) => Principal | undefined {
  const known = keys.map((k) => ({ principal: { name: k.name, role: k.role }, digest: digest(k.secret) }));
  return (presented) => {
    const candidate = digest(presented);
    let match: Principal | undefined;
    // Compare against every key (no early exit) to keep timing flat.
    for (const key of known) if (timingSafeEqual(candidate, key.digest)) match = key.principal;
    return match;
  };
}

export function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m?.[1];
}

/** Sets `res.locals.principal` or answers 401. */
export function authenticate(keys: ApiKey[]) {
  const findPrincipal = keyMatcher(keys);
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req);
    const principal = token ? findPrincipal(token) : undefined;
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="relay"');
      throw new UnauthorizedError(token ? 'Unknown API key' : 'Missing bearer API key');
    }
    res.locals.principal = principal;
    next();
  };
}

/** Answers 403 when the authenticated key's role does not grant `role`. */
export function requireRole(role: Role) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const principal = res.locals.principal as Principal | undefined;
    if (!principal) throw new UnauthorizedError('Missing bearer API key');
    if (!GRANTS[principal.role].includes(role)) throw new ForbiddenError(`This action needs the ${role} role`);
    next();
  };
}

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
