/**
 * `GET /api/oauth2/auth` and `POST /api/oauth2/token` over HTTP (see oauth.ts for the rules). Faults reach these
 * endpoints only when a rule's `path` names them (e.g. `{"loseAnswer":{"next":1,"path":"oauth2/token"}}`, a
 * refresh Exact applied whose answer was lost), so a rate-based fault meant for the REST API does not break
 * connections by accident; the maintenance page covers them like every other page.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { hold, sleep, type RouteState } from './api-routes';
import type { ExactEngine } from './engine';
import { MAINTENANCE_HTML } from './wire';

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function oauthRouter(engine: ExactEngine, state: RouteState): Router {
  const router = express.Router();

  const record = (req: Request, endpoint: string, status: number, outcome: 'answered' | 'lost' | 'hung' | 'abandoned', fault?: string) =>
    engine.calls.add({
      at: engine.clock.now(),
      method: req.method,
      path: req.path,
      query: '',
      division: null,
      endpoint,
      status,
      outcome,
      counted: false,
      ...(fault === undefined ? {} : { fault }),
    });

  /** A rule without `path` does not reach the OAuth endpoints. */
  const draw = <K extends 'status5xx' | 'timeout' | 'loseAnswer'>(name: K, req: Request) => {
    const rule = engine.faults.get()[name];
    if (rule === undefined || rule === null || rule.path === undefined) return null;
    return engine.faults.draw(name, req.method, req.path);
  };

  const maintenance = (req: Request, res: Response, endpoint: string): boolean => {
    const status = engine.faults.maintenance(req.method, req.path);
    if (status === null) return false;
    res.status(status).type('text/html').send(MAINTENANCE_HTML);
    record(req, endpoint, status, 'answered', 'maintenance');
    return true;
  };

  router.get('/api/oauth2/auth', (req, res) => {
    if (maintenance(req, res, 'oauth2/auth')) return;
    const answer = engine.oauth.authorize(new URL(req.originalUrl, 'http://simulator').searchParams);
    if ('redirect' in answer) {
      res.redirect(302, answer.redirect);
      record(req, 'oauth2/auth', 302, 'answered');
    } else {
      res.status(answer.status).type('text/html').send(answer.html);
      record(req, 'oauth2/auth', answer.status, 'answered');
    }
  });

  router.post('/api/oauth2/token', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    const endpoint = 'oauth2/token';
    if (maintenance(req, res, endpoint)) return;
    const fault5xx = draw('status5xx', req);
    if (fault5xx !== null) {
      res.status(fault5xx.status ?? 500).json({ error: 'server_error', error_description: 'An error has occurred.' });
      return record(req, endpoint, fault5xx.status ?? 500, 'answered', 'status5xx');
    }
    const timeout = draw('timeout', req);
    if (timeout !== null) {
      let gone = false;
      res.on('close', () => {
        if (!res.writableFinished) gone = true;
      });
      hold(state, res);
      await sleep(state, timeout.ms);
      if (gone || res.destroyed) return record(req, endpoint, 0, 'abandoned', 'timeout');
    }
    if (!req.is('application/x-www-form-urlencoded')) {
      res.status(400).json({ error: 'invalid_request', error_description: 'The token request must be application/x-www-form-urlencoded.' });
      return record(req, endpoint, 400, 'answered');
    }
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (typeof v === 'string') form[k] = v;
    const answer = engine.oauth.token(form, basicCredentials(req.headers.authorization));
    const lose = answer.status === 200 ? draw('loseAnswer', req) : null;
    if (lose !== null) {
      // The tokens are issued (and the old refresh token retired); the client never sees them.
      if (lose.mode === 'hang') {
        hold(state, res);
        return record(req, endpoint, 200, 'hung', 'loseAnswer');
      }
      req.socket.destroy();
      return record(req, endpoint, 200, 'lost', 'loseAnswer');
    }
    res.status(answer.status).set(answer.headers).json(answer.body);
    record(req, endpoint, answer.status, 'answered');
  });

  router.use('/api/oauth2', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    res.status(400).json({ error: 'invalid_request', error_description: 'The request could not be read.' });
    record(req, 'oauth2', 400, 'answered');
  });

  return router;
}
