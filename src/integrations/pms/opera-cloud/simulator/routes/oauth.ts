/**
 * `POST /oauth/v1/tokens` (OCIM client credentials): form-encoded `grant_type=client_credentials`
 * and `scope=urn:opc:hgbu:ws:__myscopes__`, `Authorization: Basic clientId:clientSecret`,
 * `x-app-key`, `enterpriseId`. 200 with a JWT-shaped token for `expires_in` seconds; 400 for a
 * malformed request (OAuth 2.0 error body), 401 for refused credentials, scope or key.
 */
import express, { type Request, type Response, Router } from 'express';
import { type OperaSimContext, reply } from '../context';
import { gatewayGate } from '../gate';

export const TOKEN_SCOPE = 'urn:opc:hgbu:ws:__myscopes__';

export function oauthRouter(ctx: OperaSimContext): Router {
  const router = Router();
  router.post('/oauth/v1/tokens', express.urlencoded({ extended: false }), gatewayGate(ctx), (req: Request, res: Response) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    if (!req.is('application/x-www-form-urlencoded')) {
      return reply(ctx, req, res, 400, { error: 'invalid_request', error_description: 'the token request is form encoded' });
    }
    if (form.grant_type !== 'client_credentials') {
      return reply(ctx, req, res, 400, { error: 'unsupported_grant_type', error_description: 'this environment issues client_credentials tokens' });
    }
    const client = ctx.tokens.client(req.headers.authorization);
    const enterpriseId = req.headers.enterpriseid;
    if (client === undefined || req.headers['x-app-key'] !== ctx.appKey || enterpriseId !== client.enterpriseId || form.scope !== TOKEN_SCOPE) {
      return reply(ctx, req, res, 401);
    }
    reply(ctx, req, res, 200, ctx.tokens.issue(client), { 'cache-control': 'no-store' });
  });
  return router;
}
