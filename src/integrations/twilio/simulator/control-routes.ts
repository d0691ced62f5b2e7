/**
 * The simulator's own control API under `/__sim` (JSON, no auth: it listens on loopback for tests, benchmarks
 * and demo mode). Everything here is also available in-process on the handle `startTwilioSimulator` returns.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { SimulatorEngine } from './engine';
import type { ApiOperation, FaultKind } from './faults';
import type { SimMessage } from './model';

const FAULT_KINDS: FaultKind[] = ['error', 'tooManyRequests', 'timeout', 'dropAfterAccept'];

class BadRequest extends Error {}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new BadRequest(`${name} must be a non-empty string`);
  return value.trim();
}

/** A key function for duplicate counting: recipient + body, body alone, or a marker captured by a regex. */
function duplicateKey(by: string, marker: string | undefined): (m: SimMessage) => string | null {
  if (by === 'to-body') return (m) => `${m.to}\u0000${m.body}`;
  if (by === 'body') return (m) => m.body;
  if (by === 'marker') {
    if (marker === undefined) throw new BadRequest('by=marker needs a marker regex with one capture group');
    let re: RegExp;
    try {
      re = new RegExp(marker);
    } catch {
      throw new BadRequest('marker is not a valid regular expression');
    }
    return (m) => re.exec(m.body)?.[1] ?? null;
  }
  throw new BadRequest("by must be 'to-body', 'body' or 'marker'");
}

export function controlRouter(engine: SimulatorEngine): Router {
  const r = express.Router();
  r.use(express.json({ limit: '1mb' }));

  r.get('/', (_req, res) => {
    res.json(engine.info());
  });

  r.get('/messages', (req, res) => {
    const { to, from, sender } = req.query;
    const messages = engine.store
      .all()
      .filter((m) => (to === undefined || m.to === to) && (from === undefined || m.from === from) && (sender === undefined || m.sender === sender));
    res.json({ count: messages.length, messages });
  });

  r.get('/duplicates', (req, res) => {
    const by = typeof req.query.by === 'string' ? req.query.by : 'to-body';
    const marker = typeof req.query.marker === 'string' ? req.query.marker : undefined;
    const groups = engine.duplicates(duplicateKey(by, marker));
    res.json({ groups, duplicates: groups.reduce((n, g) => n + g.sids.length - 1, 0) });
  });

  r.get('/faults', (_req, res) => {
    res.json({ faults: engine.faults.get(), forced: engine.faults.pendingForced() });
  });
  r.patch('/faults', (req, res) => {
    res.json({ faults: engine.faults.set((req.body ?? {}) as object) });
  });
  r.delete('/faults', (_req, res) => {
    engine.faults.reset();
    res.json({ faults: engine.faults.get() });
  });
  r.post('/faults/force', (req, res) => {
    const { kind, count = 1, on = 'create' } = (req.body ?? {}) as { kind?: FaultKind; count?: number; on?: ApiOperation };
    if (!FAULT_KINDS.includes(kind as FaultKind)) throw new BadRequest(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    if (!Number.isInteger(count) || count < 1) throw new BadRequest('count must be a positive integer');
    if (on !== 'create' && on !== 'read') throw new BadRequest("on must be 'create' or 'read'");
    engine.faults.forceNext(kind!, count, on);
    res.json({ forced: engine.faults.pendingForced() });
  });

  r.get('/callbacks', (req, res) => {
    const messageSid = typeof req.query.messageSid === 'string' ? req.query.messageSid : undefined;
    res.json({ attempts: engine.callbacks(messageSid === undefined ? {} : { messageSid }) });
  });
  r.get('/callback-behaviour', (_req, res) => {
    res.json(engine.callbackBehaviour());
  });
  r.patch('/callback-behaviour', (req, res) => {
    res.json(engine.setCallbackBehaviour((req.body ?? {}) as object));
  });

  r.get('/opt-outs', (_req, res) => {
    res.json({ optedOut: engine.store.optedOutAddresses() });
  });
  r.post('/opt-outs', (req, res) => {
    engine.store.optOut(str((req.body as { address?: unknown })?.address, 'address'));
    res.status(201).json({ optedOut: engine.store.optedOutAddresses() });
  });
  r.delete('/opt-outs/:address', (req, res) => {
    engine.store.optIn(String(req.params.address));
    res.json({ optedOut: engine.store.optedOutAddresses() });
  });

  r.get('/sessions', (_req, res) => {
    res.json({ sessions: engine.store.openSessions(Date.now()) });
  });
  r.post('/sessions', (req, res) => {
    const { address, openedAt } = (req.body ?? {}) as { address?: unknown; openedAt?: unknown };
    const at = openedAt === undefined ? Date.now() : Date.parse(str(openedAt, 'openedAt'));
    if (Number.isNaN(at)) throw new BadRequest('openedAt must be an ISO 8601 time');
    engine.store.openSession(str(address, 'address'), at);
    res.status(201).json({ sessions: engine.store.openSessions(Date.now()) });
  });
  r.delete('/sessions/:address', (req, res) => {
    engine.store.closeSession(String(req.params.address));
    res.json({ sessions: engine.store.openSessions(Date.now()) });
  });

  r.get('/unreachable', (_req, res) => {
    res.json({ unreachable: engine.store.unreachableNumbers() });
  });
  r.post('/unreachable', (req, res) => {
    engine.store.markUnreachable(str((req.body as { address?: unknown })?.address, 'address'));
    res.status(201).json({ unreachable: engine.store.unreachableNumbers() });
  });
  r.delete('/unreachable/:address', (req, res) => {
    engine.store.markReachable(String(req.params.address));
    res.json({ unreachable: engine.store.unreachableNumbers() });
  });

  r.post('/inbound', (req, res) => {
    const { from, to, body } = (req.body ?? {}) as Record<string, unknown>;
    res.status(201).json(engine.inbound({ from: str(from, 'from'), to: str(to, 'to'), body: typeof body === 'string' ? body : '' }));
  });
  r.put('/inbound-webhook', (req, res) => {
    const url = (req.body as { url?: unknown })?.url;
    engine.setInboundWebhookUrl(url === null || url === undefined ? null : str(url, 'url'));
    res.json({ inboundWebhookUrl: url ?? null });
  });

  r.get('/rates', (req, res) => {
    const by = req.query.by === 'received' ? 'received' : 'dispatched';
    res.json({ by, senders: engine.rateStats(by) });
  });

  /** Waits (up to `timeoutMs`, default 30 s) until every scheduled status change and callback has happened. */
  r.get('/idle', async (req, res) => {
    const timeoutMs = Number(req.query.timeoutMs ?? 30_000);
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      engine.scheduler.idle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    res.status(idle ? 200 : 503).json({ idle, pendingWork: engine.scheduler.pending() });
  });

  r.post('/reset', (_req, res) => {
    engine.reset();
    res.json(engine.info());
  });

  r.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof BadRequest || err instanceof RangeError) return res.status(400).json({ error: err.message });
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return res.status(status).json({ error: 'bad request' });
    res.status(500).json({ error: 'internal error' });
  });

  return r;
}
