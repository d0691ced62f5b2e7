import { type RequestHandler, Router } from 'express';
import type { ApiKey } from '../../../../config';
import { createExactAuthRequest } from '../../../../db/company-sync/auth-requests';
import { NotFoundError, RelayError } from '../../../../errors';
import { ExactTokenEndpointError } from '../../../../integrations/exact';
import { html, sendPage } from '../../../admin/html';
import { authenticate, principalOf, requireRole } from '../../../auth';
import { httpStatusOf } from '../../../http-errors';
import type { OperatorSessions } from '../../../session';
import { validated } from '../../../validate';
import type { ExactRouteDeps } from './router';
import { exactProblem } from './errors';
import { CallbackQuery, ConnectQuery } from './schemas';

/**
 * Connecting an Exact account (OAuth authorization code). Both routes are reached by the
 * operator's browser, so they sit before Relay's API-key authentication:
 * - `GET /v1/exact/connect` takes an operator key or a signed-in operator's session, stores a
 *   fresh `state` (valid 10 minutes, used once) and sends the browser to Exact's authorize page;
 * - `GET /v1/exact/callback` is where Exact sends it back: no key, the state authenticates it.
 *   The code is exchanged at once (Exact keeps it valid for 3 minutes), the connection stored,
 *   and the browser sent on to choose the divisions to sync (`/admin/exact/connections/:id`).
 */

export const EXACT_STATE_TTL_MS = 10 * 60_000;

export interface ExactOAuthRouteDeps extends Pick<ExactRouteDeps, 'prisma' | 'exact'> {
  /** RELAY_API_KEYS: `connect` accepts an operator key as well as a session. */
  keys: ApiKey[];
  sessions: OperatorSessions;
  /** The API's base URL as browsers reach it. */
  publicUrl: string;
  /** Per-address rate limit (these routes are mounted before the app's own). */
  rateLimit?: RequestHandler;
}

export function exactOAuthRouter(deps: ExactOAuthRouteDeps): Router {
  const router = Router();
  const limit: RequestHandler[] = deps.rateLimit ? [deps.rateLimit] : [];
  const publicOrigin = new URL(deps.publicUrl).origin;

  router.get(
    '/v1/exact/connect',
    ...limit,
    authenticate(deps.keys, { sessions: deps.sessions, allowedOrigins: [publicOrigin] }),
    requireRole('operator'),
    validated({ query: ConnectQuery }, async ({ query }, _req, res) => {
      if (query.connectionId) {
        const known = await deps.prisma.exactConnection.findUnique({ where: { id: query.connectionId }, select: { id: true } });
        if (!known) throw new NotFoundError(`No Exact connection ${query.connectionId}`);
      }
      const request = await createExactAuthRequest(deps.prisma, { requestedBy: principalOf(res).name, connectionId: query.connectionId ?? null, ttlMs: EXACT_STATE_TTL_MS });
      // Re-authorising: let the operator sign in at Exact as the connection's user, not whoever is signed in there.
      res.set('Cache-Control', 'no-store').redirect(302, deps.exact.authorizeUrl(request.state, { forceLogin: query.connectionId !== undefined }));
    }),
  );

  router.get('/v1/exact/callback', ...limit, async (req, res) => {
    const again = html`<p><a href="/admin/exact">Back to the Exact connections</a>, and connect again from there.</p>`;
    const query = CallbackQuery.safeParse(req.query);
    if (!query.success) return sendPage(res, 400, 'Exact Online: not connected', html`<p class="notice error" role="alert">The address Exact sent you back to is malformed.</p>${again}`);
    const { code, state, error, error_description: description } = query.data;
    if (error) {
      return sendPage(res, 400, 'Exact Online: not connected', html`<p class="notice error" role="alert">Exact did not authorise Relay: ${description ?? error}.</p>${again}`);
    }
    if (!code || !state) return sendPage(res, 400, 'Exact Online: not connected', html`<p class="notice error" role="alert">Exact's answer lacks the code or the state.</p>${again}`);
    try {
      const connected = await deps.exact.connect({ state, code });
      req.log?.info({ connectionId: connected.connection.id, reauthorised: connected.reauthorised, by: connected.requestedBy }, 'exact connection authorised');
      res.redirect(303, `/admin/exact/connections/${connected.connection.id}?connected=${connected.reauthorised ? 'again' : 'new'}`);
    } catch (err) {
      const problem = err instanceof ExactTokenEndpointError ? undefined : exactProblem(err);
      if (err instanceof ExactTokenEndpointError) {
        req.log?.warn({ error: err.error }, 'exact refused the authorisation code');
        return sendPage(res, 400, 'Exact Online: not connected', html`<p class="notice error" role="alert">Exact refused the authorisation (${err.error}); its code is valid for 3 minutes and only once.</p>${again}`);
      }
      if (problem instanceof RelayError) {
        // An unknown, used or expired state (400, a forged or stale callback), another Exact user (409), Exact down (503).
        const status = problem.code === 'unprocessable' ? 400 : httpStatusOf(problem);
        return sendPage(res, status, 'Exact Online: not connected', html`<p class="notice error" role="alert">${problem.message}.</p>${again}`);
      }
      throw err;
    }
  });

  return router;
}
