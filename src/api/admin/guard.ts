import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { closeIfBodyUnread } from '../body';
import type { OperatorSessions } from '../session';

/**
 * The admin pages' door: the operator sign-in that guards the codec (same session cookie,
 * HttpOnly and SameSite=Strict). Without a valid session the browser is sent to sign in.
 * Forms carry a per-session token and must come from Relay's own origin, on top of SameSite.
 */

export const SIGN_IN_PATH = '/ui/sign-in';

export interface AdminOperator {
  name: string;
  /** The form token of this session. */
  csrf: string;
}

export interface GuardDeps {
  sessions: OperatorSessions;
  /** SESSION_SECRET: the form tokens are MACs of the session with it. */
  sessionSecret: string | Buffer;
  /** The API's base URL as browsers reach it; forms must come from its origin. */
  publicUrl: string;
}

export const operatorOf = (res: Response): AdminOperator => res.locals.adminOperator as AdminOperator;

/** A token bound to the session cookie: a new sign-in gets a new one, another session's is useless here. */
function formToken(deps: GuardDeps, req: Request): string {
  const session = parseCookies(req.headers.cookie ?? '')[deps.sessions.cookieName] ?? '';
  return createHmac('sha256', deps.sessionSecret).update(`admin-form:${session}`).digest('base64url');
}

/** Signed-in operators only; anyone else is redirected to sign in (303, so a POST becomes a GET). */
export function requireOperatorSession(deps: GuardDeps): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const operator = deps.sessions.principal(req);
    if (!operator) {
      closeIfBodyUnread(req, res);
      res.set('Cache-Control', 'no-store').redirect(303, `${SIGN_IN_PATH}?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.locals.adminOperator = { name: operator.name, csrf: formToken(deps, req) } satisfies AdminOperator;
    next();
  };
}

/**
 * A form post is accepted only from Relay's own pages: the browser's `Origin` (or, without one,
 * `Sec-Fetch-Site`) and the session's form token. Returns the refusal, or undefined.
 */
export function formRefusal(deps: GuardDeps, req: Request, token: unknown): string | undefined {
  const origin = req.get('origin');
  const site = req.get('sec-fetch-site');
  const own = origin !== undefined ? origin === new URL(deps.publicUrl).origin : site === undefined || site === 'same-origin';
  if (!own) return `This form only works from Relay's own pages (${deps.publicUrl}/admin); open it there and try again.`;
  const expected = Buffer.from(formToken(deps, req));
  const given = Buffer.from(typeof token === 'string' ? token : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'The form is out of date (signed in again since it was opened?); reload the page and try again.';
  return undefined;
}
