/**
 * The simulator's own control API under `/__sim` (JSON, no auth: it listens on loopback for tests, benchmarks and
 * demo mode). Everything here is also available in-process on the handle `createExactSimulator` returns.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { CallFilter } from './calls';
import type { ExactEngine } from './engine';
import type { ExactFaults } from './faults';
import { ODataError } from './odata';
import { deletedJson, divisionJson, wireAccount } from './views';

class BadRequest extends Error {}

function divisionParam(req: Request): number {
  const n = Number(req.params.division);
  if (!Number.isInteger(n)) throw new BadRequest('division must be an integer');
  return n;
}

function intField(body: Record<string, unknown>, name: string, fallback?: number): number {
  const v = body[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadRequest(`${name} must be an integer`);
  return v;
}

export function callFilter(query: Record<string, unknown>): CallFilter {
  const filter: CallFilter = {};
  const str = (k: string) => (typeof query[k] === 'string' ? (query[k] as string) : undefined);
  const num = (k: string) => {
    const s = str(k);
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isInteger(n)) throw new BadRequest(`${k} must be an integer`);
    return n;
  };
  const method = str('method');
  const path = str('path');
  const endpoint = str('endpoint');
  const division = num('division');
  const status = num('status');
  const sinceSeq = num('sinceSeq');
  if (method !== undefined) filter.method = method;
  if (path !== undefined) filter.path = path;
  if (endpoint !== undefined) filter.endpoint = endpoint;
  if (division !== undefined) filter.division = division;
  if (status !== undefined) filter.status = status;
  if (sinceSeq !== undefined) filter.sinceSeq = sinceSeq;
  return filter;
}

export function controlRouter(engine: ExactEngine, info: () => Record<string, unknown>): Router {
  const r = express.Router();
  r.use(express.json({ limit: '10mb' }));

  r.get('/', (_req, res) => {
    res.json(info());
  });

  // --- divisions and accounts, as an Exact user changes them in Exact's own screens --------------------------------

  r.get('/divisions', (_req, res) => {
    res.json({ divisions: engine.divisionCodes().map((code) => divisionJson(engine.division(code).info)) });
  });
  r.post('/divisions', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const description = typeof body.description === 'string' ? body.description : undefined;
    const d = engine.addDivision({ code: intField(body, 'code'), ...(description === undefined ? {} : { description }) });
    res.status(201).json(divisionJson(d.info));
  });
  r.post('/divisions/:division/move', (req, res) => {
    const body = (req.body ?? {}) as { timestampStart?: unknown };
    const start = body.timestampStart;
    if (start !== undefined && typeof start !== 'number' && typeof start !== 'string') throw new BadRequest('timestampStart must be a number or a digit string');
    res.json(divisionJson(engine.moveDivision(divisionParam(req), start === undefined ? {} : { timestampStart: start })));
  });

  r.get('/divisions/:division/accounts', (req, res) => {
    const accounts = engine.division(divisionParam(req)).rowsByTimestamp().map(wireAccount);
    res.json({ count: accounts.length, accounts });
  });
  r.get('/divisions/:division/accounts/:id', (req, res) => {
    const row = engine.division(divisionParam(req)).get(String(req.params.id).toLowerCase());
    if (row === undefined) return res.status(404).json({ error: 'no such account' });
    res.json(wireAccount(row));
  });
  r.post('/divisions/:division/accounts', (req, res) => {
    res.status(201).json(wireAccount(engine.userCreate(divisionParam(req), req.body)));
  });
  r.patch('/divisions/:division/accounts/:id', (req, res) => {
    const row = engine.userUpdate(divisionParam(req), String(req.params.id), req.body);
    if (row === undefined) return res.status(404).json({ error: 'no such account' });
    res.json(wireAccount(row));
  });
  r.delete('/divisions/:division/accounts/:id', (req, res) => {
    const row = engine.userDelete(divisionParam(req), String(req.params.id));
    if (row === undefined) return res.status(404).json({ error: 'no such account' });
    res.json(deletedJson(row));
  });
  r.get('/divisions/:division/deleted', (req, res) => {
    const deleted = engine.division(divisionParam(req)).deleted.map(deletedJson);
    res.json({ count: deleted.length, deleted });
  });

  /** `{division?, count, seed?}`: without a division, every division gets `count` accounts. */
  r.post('/seed', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const count = intField(body, 'count');
    const seed = intField(body, 'seed', 1);
    const divisions = body.division === undefined ? engine.divisionCodes() : [intField(body, 'division')];
    const created: Record<string, number> = {};
    for (const d of divisions) created[d] = engine.seed(d, count, seed).length;
    res.status(201).json({ created });
  });

  // --- faults, limits, clock, tokens ---------------------------------------------------------------------------------

  r.get('/faults', (_req, res) => {
    res.json({ faults: engine.faults.get(), fired: engine.faults.fired });
  });
  r.put('/faults', (req, res) => {
    res.json({ faults: engine.applyFaults((req.body ?? {}) as ExactFaults, 'replace') });
  });
  r.patch('/faults', (req, res) => {
    res.json({ faults: engine.applyFaults((req.body ?? {}) as ExactFaults, 'merge') });
  });
  r.delete('/faults', (_req, res) => {
    res.json({ faults: engine.faults.replace({}) });
  });

  r.get('/limits', (_req, res) => {
    res.json({ limits: engine.limits(), usage: engine.rates.usage(engine.clock.now()), blocks: engine.errors.blocks(engine.clock.now()) });
  });
  r.patch('/limits', (req, res) => {
    res.json({ limits: engine.setLimits((req.body ?? {}) as object) });
  });

  r.get('/clock', (_req, res) => {
    res.json({ now: engine.clock.now(), offsetMs: engine.clock.offset() });
  });
  /** `{advanceMs}` moves the clock forward; `{offsetMs}` sets the offset from real time. */
  r.post('/clock', (req, res) => {
    const body = (req.body ?? {}) as { advanceMs?: unknown; offsetMs?: unknown };
    if (body.advanceMs !== undefined) {
      if (typeof body.advanceMs !== 'number') throw new BadRequest('advanceMs must be a number');
      engine.clock.advance(body.advanceMs);
    } else if (body.offsetMs !== undefined) {
      if (typeof body.offsetMs !== 'number') throw new BadRequest('offsetMs must be a number');
      engine.clock.setOffset(body.offsetMs);
    } else throw new BadRequest('send advanceMs or offsetMs');
    res.json({ now: engine.clock.now(), offsetMs: engine.clock.offset() });
  });

  r.post('/tokens/expire', (_req, res) => {
    res.json({ expired: engine.oauth.expireAccessTokens() });
  });
  r.get('/oauth', (_req, res) => {
    res.json({ decision: engine.oauth.decision, stats: engine.oauth.tokenStats(), grants: engine.oauth.grantList() });
  });
  /** `{decision: 'approve'|'deny'}`: what the user answers on the authorize page. */
  r.put('/oauth', (req, res) => {
    const decision = (req.body as { decision?: unknown } | undefined)?.decision;
    if (decision !== 'approve' && decision !== 'deny') throw new BadRequest("decision must be 'approve' or 'deny'");
    engine.oauth.decision = decision;
    res.json({ decision });
  });

  // --- the record ------------------------------------------------------------------------------------------------------

  r.get('/calls', (req, res) => {
    const calls = engine.calls.list(callFilter(req.query as Record<string, unknown>));
    res.json({ count: calls.length, calls });
  });
  r.get('/stats', (_req, res) => {
    res.json({
      calls: engine.calls.count(),
      tokens: engine.oauth.tokenStats(),
      divisions: engine.divisionStats(),
      faultsFired: engine.faults.fired,
      blocks: engine.errors.blocks(engine.clock.now()),
    });
  });

  r.post('/reset', (_req, res) => {
    engine.reset();
    res.json(info());
  });

  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof BadRequest || err instanceof RangeError || err instanceof SyntaxError) return res.status(400).json({ error: err.message });
    if (err instanceof ODataError) return res.status(err.status).json({ error: err.message });
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return res.status(status).json({ error: 'bad request' });
    res.status(500).json({ error: err instanceof Error ? err.message : 'internal error' });
  });

  return r;
}
