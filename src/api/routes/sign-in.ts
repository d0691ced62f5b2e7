import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { ApiKey } from '../../config';
import { closeIfBodyUnread, formBody } from '../body';
import { keyLookup } from '../auth';
import type { OperatorSessions } from '../session';

/**
 * Operator sign-in: a small HTML page where an operator enters their own API key once and
 * gets a session cookie (see `../session.ts`). The Temporal Web UI's codec calls then carry
 * that cookie, so a signed-in browser sees decoded payloads; admin pages will use it too.
 */

export interface SignInDeps {
  sessions: OperatorSessions;
  keys: ApiKey[];
  /** The API's base URL as browsers reach it; forms must come from its origin. */
  publicUrl: string;
  /** Where operators open the Temporal Web UI. */
  webUiUrl: string;
  /** Per-address limit: sign-in takes a secret, so guesses are throttled. */
  rateLimit: RequestHandler;
}

export const SIGN_IN_PATH = '/ui/sign-in';
const SIGN_OUT_PATH = '/ui/sign-out';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * CSRF defence for the forms, in addition to SameSite=Strict on the cookie: a browser sends
 * `Origin` with every form POST (and `Sec-Fetch-Site`); tools like curl send neither and
 * cannot be made to post on someone's behalf.
 */
function fromOwnPage(req: Request, publicOrigin: string): boolean {
  const origin = req.get('origin');
  if (origin !== undefined) return origin === publicOrigin;
  const site = req.get('sec-fetch-site');
  return site === undefined || site === 'same-origin';
}

export function signInRouter(deps: SignInDeps): Router {
  const router = Router();
  const findKey = keyLookup(deps.keys);
  const publicOrigin = new URL(deps.publicUrl).origin;
  const codecEndpoint = `${deps.publicUrl}/codec`;

  function page(res: Response, status: number, body: { signedIn?: { name: string; expiresAt: Date }; error?: string }): void {
    const { signedIn, error } = body;
    const form = signedIn
      ? `<p class="ok">Signed in as <strong>${escapeHtml(signedIn.name)}</strong> until ${escapeHtml(signedIn.expiresAt.toISOString())}.</p>
<form method="post" action="${SIGN_OUT_PATH}"><button type="submit">Sign out</button></form>`
      : `<form method="post" action="${SIGN_IN_PATH}">
<label for="key">Your operator API key</label>
<input id="key" name="key" type="password" autocomplete="off" required minlength="24" autofocus>
<button type="submit">Sign in</button>
</form>`;
    res
      .status(status)
      .set({
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        'X-Frame-Options': 'DENY',
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'same-origin',
      })
      .type('html')
      .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Relay operator sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
input{display:block;width:100%;margin:.5rem 0 1rem;padding:.4rem}.error{color:#b00020}.ok{color:#0a6b2c}code{background:#eee;padding:0 .2rem}</style>
</head><body>
<h1>Relay operator sign-in</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
${form}
<h2>Decoded payloads in the Temporal Web UI</h2>
<p>Signed in, this browser may decode payloads through Relay's codec endpoint. In the
<a href="${escapeHtml(deps.webUiUrl)}">Temporal Web UI</a> (opened on the same host name as this page), open the
<em>Codec Server</em> settings and, unless the UI already sends credentials, choose
<em>Use my browser setting</em>, enter <code>${escapeHtml(codecEndpoint)}</code>, switch on
<em>Include cross-origin credentials</em> and apply.</p>
</body></html>`);
  }

  const refuseCrossSite: RequestHandler = (req, res, next) => {
    if (fromOwnPage(req, publicOrigin)) return next();
    closeIfBodyUnread(req, res);
    page(res, 403, { error: `This form only works from ${deps.publicUrl}${SIGN_IN_PATH}; open it there and try again.` });
  };

  router.get(SIGN_IN_PATH, deps.rateLimit, (req, res) => {
    const signedIn = deps.sessions.principal(req);
    page(res, 200, { signedIn });
  });

  router.post(SIGN_IN_PATH, deps.rateLimit, refuseCrossSite, ...formBody(4 * 1024), (req, res) => {
    const presented = typeof req.body?.key === 'string' ? (req.body.key as string).trim() : '';
    const key = presented ? findKey(presented) : undefined;
    if (!key) {
      req.log.warn('operator sign-in refused: unknown key');
      return page(res, 401, { error: 'Unknown key.' });
    }
    if (key.role !== 'operator') {
      req.log.warn({ principal: key.name }, 'operator sign-in refused: not an operator key');
      return page(res, 403, { error: 'Only operator keys can sign in.' });
    }
    const { expiresAt } = deps.sessions.signIn(res, key);
    req.log.info({ operator: key.name, expiresAt }, 'operator signed in');
    res.redirect(303, SIGN_IN_PATH);
  });

  router.post(SIGN_OUT_PATH, deps.rateLimit, refuseCrossSite, (req, res) => {
    deps.sessions.signOut(res);
    res.redirect(303, SIGN_IN_PATH);
  });

  return router;
}
