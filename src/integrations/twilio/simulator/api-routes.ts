/**
 * Twilio's Messages endpoints over HTTP, with the fault pipeline in front of them: concurrency limit (20429),
 * injected latency, Basic auth (20003), then the drawn fault (429, 5xx, a held request, or accept-then-drop).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { authenticate } from './auth';
import type { SimulatorEngine } from './engine';
import { TwilioApiError, twilioErrors } from './errors';
import type { ApiOperation, FaultKind } from './faults';
import type { ApiOutcome } from './model';
import { API_VERSION } from './wire';

export interface ApiRouteState {
  /** Requests held open by the timeout fault; destroyed when the simulator stops. */
  held: Set<ServerResponse>;
}

function sendError(res: Response, err: TwilioApiError): void {
  res.status(err.status).set(err.headers).json(err.toBody());
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function apiRouter(engine: SimulatorEngine, state: ApiRouteState): Router {
  const router = express.Router();
  let inFlight = 0;

  router.use((req, res, next) => {
    res.locals.receivedAt = Date.now();
    inFlight++;
    res.on('close', () => inFlight--);
    res.set('Twilio-Request-Id', `RQ${randomBytes(16).toString('hex')}`);
    // Counted on arrival, before the body is read, so simultaneous calls see each other.
    const { maxConcurrentRequests, retryAfterSeconds } = engine.faults.get();
    if (maxConcurrentRequests > 0 && inFlight > maxConcurrentRequests)
      return sendError(res, twilioErrors.tooManyRequests(retryAfterSeconds));
    next();
  });

  const hold = (res: Response) => {
    state.held.add(res);
    res.on('close', () => state.held.delete(res));
  };

  /** Runs the shared pipeline, then `work` with the fault drawn for this call (if it still applies). */
  const endpoint =
    (op: ApiOperation, work: (req: Request, res: Response, fault: FaultKind | null) => void) =>
    async (req: Request, res: Response): Promise<void> => {
      try {
        const faults = engine.faults.get();
        const latency = engine.faults.latency();
        if (latency > 0) await sleep(latency);
        if (!authenticate(req.headers.authorization, String(req.params.accountSid), engine.credentials)) {
          res.set('WWW-Authenticate', 'Basic realm="Twilio API"');
          throw twilioErrors.authenticate();
        }
        const fault = engine.faults.draw(op);
        if (fault === 'tooManyRequests') throw twilioErrors.tooManyRequests(faults.retryAfterSeconds);
        if (fault === 'error') throw twilioErrors.internal(faults.errorStatus);
        if (fault === 'timeout' && !(op === 'create' && faults.timeoutAccepts)) return hold(res);
        work(req, res, fault);
      } catch (err) {
        if (err instanceof TwilioApiError) return sendError(res, err);
        throw err;
      }
    };

  const base = `/${API_VERSION}/Accounts/:accountSid`;
  const form = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 10_000 });

  router.post(
    `${base}/Messages.json`,
    form,
    endpoint('create', (req, res, fault) => {
      const outcome: ApiOutcome = fault === 'dropAfterAccept' ? 'dropped' : fault === 'timeout' ? 'held' : 'answered';
      const message = engine.createMessage((req.body ?? {}) as Record<string, string | string[]>, res.locals.receivedAt as number, outcome);
      if (outcome === 'dropped') {
        // The message is accepted and will be sent; the client never learns its SID.
        req.socket.destroy();
        return;
      }
      if (outcome === 'held') return hold(res);
      res.status(201).json(engine.toJson(message));
    }),
  );

  router.get(
    `${base}/Messages.json`,
    endpoint('read', (req, res) => {
      res.status(200).json(engine.listMessages(req.query as Record<string, unknown>));
    }),
  );

  router.get(
    `${base}/Messages/:sid.json`,
    endpoint('read', (req, res) => {
      res.status(200).json(engine.fetchMessage(String(req.params.sid), req.path));
    }),
  );

  router.use(`/${API_VERSION}`, (req, res) => sendError(res, twilioErrors.notFound(req.originalUrl.split('?')[0]!)));

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    if (err instanceof TwilioApiError) return sendError(res, err);
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, new TwilioApiError(status, 20001, 'Bad request'));
    sendError(res, twilioErrors.internal(500));
  });

  return router;
}
