/**
 * `/api/v1/...` over HTTP, with Exact's pipeline in front of the resources: maintenance page, `Accept`
 * negotiation (JSON, Atom by default, `application/xml` refused), bearer authentication (401), division access,
 * the per-division minutely/daily limits (headers on every division answer, 429 over the limit), the per-endpoint
 * error limit (403 while blocked), then the injected faults (429, 5xx, timeout) and, after a write was applied,
 * the lost-answer fault. Every call lands in the call record.
 */
import type { ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { atomError, toAtom } from './atom';
import type { CallRecord } from './calls';
import { divisionCall, endpointOf, me, type ApiResult, type CallContext } from './endpoints';
import type { ExactEngine } from './engine';
import { ODataError } from './odata';
import { MAINTENANCE_HTML, odataErrorBody } from './wire';

export interface RouteState {
  /** Requests held open (hang faults); destroyed when the simulator stops. */
  held: Set<ServerResponse>;
  /** Pending fault delays; cleared when the simulator stops. */
  timers: Set<NodeJS.Timeout>;
}

type Format = 'json' | 'atom';

/** JSON when asked for; Atom (Exact's default) when nothing or Atom is asked for; refused otherwise. */
export function negotiate(accept: string | undefined): Format | null {
  if (accept === undefined || accept.trim() === '') return 'atom';
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  if (types.includes('application/json')) return 'json';
  if (types.includes('application/atom+xml') || types.includes('*/*')) return 'atom';
  return null;
}

export function sleep(state: RouteState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      state.timers.delete(t);
      resolve();
    }, ms);
    state.timers.add(t);
  });
}

export function hold(state: RouteState, res: ServerResponse): void {
  state.held.add(res);
  res.on('close', () => state.held.delete(res));
}

const statusOf = (result: ApiResult): number => (result.kind === 'collection' ? 200 : result.status);

const ERROR_LIMIT_STATUSES = new Set([400, 401, 403, 404]);

interface Call {
  method: string;
  path: string;
  query: string;
  division: number | null;
  endpoint: string;
  at: number;
  fault?: string;
  counted: boolean;
  user?: { userId: string; clientId: string };
}

export function apiRouter(engine: ExactEngine, state: RouteState): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: '10mb' });

  const record = (call: Call, status: number, outcome: CallRecord['outcome']) => {
    engine.calls.add({
      at: call.at,
      method: call.method,
      path: call.path,
      query: call.query,
      division: call.division,
      endpoint: call.endpoint,
      status,
      outcome,
      counted: call.counted,
      ...(call.fault === undefined ? {} : { fault: call.fault }),
    });
    // Exact's error limit: too many 4xx answers for one user, app, division and endpoint block the endpoint.
    if (ERROR_LIMIT_STATUSES.has(status) && call.user !== undefined && call.division !== null && call.fault !== 'errorLimit')
      engine.errors.record(errorKey(call.user, call.division, call.endpoint), engine.clock.now());
  };

  const errorKey = (user: { userId: string; clientId: string }, division: number, endpoint: string) => `${user.userId}|${user.clientId}|${division}|${endpoint}`;

  const sendError = (res: Response, format: Format, call: Call, err: ODataError, headers: Record<string, string> = {}) => {
    res.status(err.status).set({ ...headers, ...err.headers });
    if (format === 'json') res.json(odataErrorBody(err.message));
    else res.type('application/xml').send(atomError(err.message));
    record(call, err.status, 'answered');
  };

  const sendResult = (res: Response, format: Format, call: Call, result: ApiResult) => {
    if (result.kind === 'empty') res.status(result.status).end();
    else if (result.kind === 'text') res.status(result.status).type('text/plain').send(result.body);
    else if (format === 'atom') {
      res.status(result.kind === 'entity' ? result.status : 200).type(result.kind === 'entity' ? 'application/atom+xml;type=entry' : 'application/atom+xml;type=feed');
      res.send(toAtom(result, `${call.path}`, engine.clock.now()));
    } else if (result.kind === 'collection') {
      res.status(200).json({
        d: {
          results: result.rows,
          ...(result.count === undefined ? {} : { __count: String(result.count) }),
          ...(result.next === undefined ? {} : { __next: result.next }),
        },
      });
    } else res.status(result.status).json({ d: result.row });
    record(call, statusOf(result), 'answered');
  };

  router.use('/api/v1', raw, async (req: Request, res: Response) => {
    const url = new URL(req.originalUrl, 'http://simulator');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const rest = path.replace(/^\/api\/v1\//, '');
    const divisionMatch = /^(\d+)\/(.+)$/.exec(rest);
    const division = divisionMatch === null ? null : Number(divisionMatch[1]);
    const sub = divisionMatch?.[2] ?? rest;
    const call: Call = {
      method: req.method,
      path,
      query: url.search,
      division,
      endpoint: division === null ? rest : (endpointOf(sub) ?? sub),
      at: engine.clock.now(),
      counted: false,
    };
    let format: Format = 'json';
    try {
      const latency = engine.faults.latencyMs();
      if (latency > 0) await sleep(state, latency);

      const maintenance = engine.faults.maintenance(req.method, path);
      if (maintenance !== null) {
        call.fault = 'maintenance';
        res.status(maintenance).type('text/html').send(MAINTENANCE_HTML);
        return record(call, maintenance, 'answered');
      }

      const negotiated = negotiate(req.headers.accept);
      if (negotiated === null) {
        res.status(406).type('application/xml').send(atomError("The Accept header asks for a format Exact Online does not serve: use 'application/json'."));
        return record(call, 406, 'answered');
      }
      format = negotiated;

      const auth = engine.oauth.authenticate(req.headers.authorization);
      if (!auth.ok) {
        if (auth.userId !== undefined && auth.clientId !== undefined) call.user = { userId: auth.userId, clientId: auth.clientId };
        res.set('WWW-Authenticate', 'Bearer');
        return sendError(res, format, call, new ODataError(401, auth.reason === 'expired' ? 'The access token has expired.' : 'Unauthorized: a valid access token is required.'));
      }
      call.user = { userId: auth.userId, clientId: auth.clientId };

      if (division === null && rest !== 'current/Me') return sendError(res, format, call, new ODataError(404, `Resource not found for the segment '${rest}'.`));
      if (division !== null && !engine.hasDivision(division))
        return sendError(res, format, call, new ODataError(403, `Forbidden: the user has no access to division ${division}.`));

      if (division !== null) {
        const rateKey = `${auth.clientId}|${division}`;
        // A forced 429 looks like the minutely limit and is not counted against the limits.
        if (engine.faults.draw('rateLimit429', req.method, path) !== null) {
          engine.noteForced429(division);
          call.fault = 'rateLimit429';
          return sendError(res, format, call, new ODataError(429, 'API rate limit exceeded.'), engine.rates.refusal(rateKey, engine.clock.now()));
        }
        const verdict = engine.rates.take(rateKey, engine.clock.now());
        if (!verdict.ok) {
          engine.noteOverLimit(division);
          call.fault = `limit:${verdict.exceeded}`;
          return sendError(res, format, call, new ODataError(429, `API rate limit exceeded: the ${verdict.exceeded} limit for this division is reached.`), verdict.headers);
        }
        call.counted = true;
        // On every answer from here on, errors included.
        res.set(verdict.headers);

        const blockedUntil = engine.errors.blockedUntil(errorKey(call.user, division, call.endpoint), engine.clock.now());
        if (blockedUntil !== null) {
          engine.noteBlocked(division);
          call.fault = 'errorLimit';
          return sendError(
            res,
            format,
            call,
            new ODataError(
              403,
              `Forbidden: this endpoint (${call.endpoint}) is blocked for your API key in division ${division} until ${new Date(blockedUntil).toISOString()} because of too many errors (more than ${engine.limits().errorsPerHour} in an hour).`,
            ),
          );
        }

      }

      const fault5xx = engine.faults.draw('status5xx', req.method, path);
      if (fault5xx !== null) {
        call.fault = 'status5xx';
        return sendError(res, format, call, new ODataError(fault5xx.status ?? 500, 'An error has occurred.'));
      }

      const timeout = engine.faults.draw('timeout', req.method, path);
      if (timeout !== null) {
        call.fault = 'timeout';
        let gone = false;
        res.on('close', () => {
          if (!res.writableFinished) gone = true;
        });
        hold(state, res);
        await sleep(state, timeout.ms);
        if (gone || res.destroyed) return record(call, 0, 'abandoned');
      }

      const short = engine.faults.draw('shortPages', req.method, path);
      const ctx: CallContext = {
        engine,
        base: `${req.protocol}://${req.get('host') ?? 'localhost'}`,
        method: req.method,
        path,
        params: url.searchParams,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: req.headers['content-type'],
        prefer: req.get('prefer'),
        pageSizeOverride: short === null ? null : (short.size ?? 1),
      };
      if (short !== null) call.fault = 'shortPages';
      const result = division === null ? me(ctx) : divisionCall(ctx, division, sub);

      const lose = statusOf(result) < 400 ? engine.faults.draw('loseAnswer', req.method, path) : null;
      if (lose !== null) {
        // The change is applied; the client never hears so.
        call.fault = 'loseAnswer';
        if (lose.mode === 'hang') {
          hold(state, res);
          return record(call, statusOf(result), 'hung');
        }
        req.socket.destroy();
        return record(call, statusOf(result), 'lost');
      }
      sendResult(res, format, call, result);
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof ODataError) return sendError(res, format, call, err);
      if (err instanceof RangeError) return sendError(res, format, call, new ODataError(400, err.message));
      sendError(res, format, call, new ODataError(500, 'An error has occurred.'));
    }
  });

  router.use('/api/v1', (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    res.status(code).json(odataErrorBody(code === 413 ? 'The request body is too large (10 MB at most).' : 'Bad request.'));
    engine.calls.add({ at: engine.clock.now(), method: req.method, path: req.path, query: '', division: null, endpoint: 'unknown', status: code, outcome: 'answered', counted: false });
  });

  return router;
}
