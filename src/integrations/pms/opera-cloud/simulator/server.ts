/**
 * The OPERA Cloud (OHIP 25.5) simulator: one OPERA environment (an enterprise behind a gateway)
 * speaking OHIP's token endpoint, the reservation, profile, cashiering and housekeeping endpoints
 * Relay uses, OHIP's headers, paging, error bodies and throttling, and the `/__sim/` control
 * protocol. Its wire shapes are its own (views.ts), written from the OpenAPI specs.
 */
import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SimStats } from '../../simulator-control';
import { listen } from '../../simulator-kit/listen';
import { churnOnce, churnStream } from './churn';
import { type OperaSimContext, reply, type SimExchange } from './context';
import { OPERA_DEMO } from './demo';
import { operaFaults } from './faults';
import { dataGate, gatewayGate } from './gate';
import { controlRouter } from './routes/control';
import { crmRouter } from './routes/crm';
import { cshRouter } from './routes/csh';
import { hskRouter } from './routes/hsk';
import { oauthRouter } from './routes/oauth';
import { rsvRouter } from './routes/rsv';
import { OperaStore } from './store';
import { EnvThrottle, OPERA_LIMIT_PER_SECOND } from './throttle';
import { type SimClient, TokenService } from './tokens';
import { problem } from './views';

export interface OperaSimulatorOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  logRequests?: boolean;
  /** The OAuth clients of the environment (default: the demo client). */
  clients?: SimClient[];
  /** The application key the gateway accepts (default: the demo key). */
  appKey?: string;
  /** `expires_in` of issued tokens (default 3600, as OHIP's). */
  tokenLifetimeSeconds?: number;
  /** Most rows per page whatever `limit` asks (default 200). */
  maxPageSize?: number;
  /** Requests per second per environment before OHIP delays them (default 50). */
  limitPerSecond?: number;
  /** Receives every vendor-format exchange (wire checks). */
  record?: (exchange: SimExchange) => void;
}

export interface OperaSimulator {
  url: string;
  context: OperaSimContext;
  /** Every issued token stops working now. */
  expireTokens(): number;
  stats(): SimStats;
  close(): Promise<void>;
}

export async function startOperaSimulator(options: OperaSimulatorOptions = {}): Promise<OperaSimulator> {
  const ctx: OperaSimContext = {
    store: new OperaStore(),
    tokens: new TokenService(options.clients ?? [{ clientId: OPERA_DEMO.clientId, clientSecret: OPERA_DEMO.clientSecret, enterpriseId: OPERA_DEMO.enterpriseId }], options.tokenLifetimeSeconds ?? 3600),
    throttle: new EnvThrottle(options.limitPerSecond ?? OPERA_LIMIT_PER_SECOND),
    faults: operaFaults(),
    appKey: options.appKey ?? OPERA_DEMO.appKey,
    maxPageSize: options.maxPageSize ?? 200,
    defaultPageSize: 20,
    record: options.record,
    logRequests: options.logRequests ?? false,
    timers: new Set(),
  };
  const churn = new Set<NodeJS.Timeout>();
  const hooks = {
    startChurn: (hotel: Parameters<typeof churnStream>[0], everyMs: number) => {
      const rng = churnStream(hotel);
      const timer = setInterval(() => churnOnce(ctx.store, hotel, rng), everyMs);
      timer.unref();
      churn.add(timer);
    },
    reset: () => {
      for (const timer of churn) clearInterval(timer);
      churn.clear();
      ctx.store.reset();
      ctx.tokens.reset();
      ctx.throttle.reset();
      ctx.faults.reset();
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/__sim', controlRouter(ctx, hooks));
  app.use(oauthRouter(ctx));
  app.use('/rsv/v1', gatewayGate(ctx), dataGate(ctx), rsvRouter(ctx));
  app.use('/crm/v1', gatewayGate(ctx), dataGate(ctx), crmRouter(ctx));
  app.use('/csh/v1', gatewayGate(ctx), dataGate(ctx), cshRouter(ctx));
  app.use('/hsk/v1', gatewayGate(ctx), dataGate(ctx), hskRouter(ctx));
  app.use((req: Request, res: Response) => reply(ctx, req, res, 404, problem(404, 'Not Found', `no resource at ${req.path}`, req.originalUrl)));
  app.use((error: Error & { status?: number; type?: string }, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    // A body that is not JSON is the caller's mistake; anything else is the simulator's.
    if (error.status === 400 || error.type === 'entity.parse.failed') return reply(ctx, req, res, 400, problem(400, 'Bad Request', 'the body is not valid JSON', req.originalUrl));
    reply(ctx, req, res, 500, problem(500, 'Internal Server Error', error.message, req.originalUrl));
  });

  const server = createServer(app);
  const url = await listen(server, options);

  let closed: Promise<void> | null = null;
  return {
    url,
    context: ctx,
    expireTokens: () => ctx.tokens.expireAll(),
    stats: () => ctx.throttle.snapshot(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const timer of churn) clearInterval(timer);
        for (const timer of ctx.timers) clearTimeout(timer);
        ctx.timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
