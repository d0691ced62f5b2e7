/**
 * What every route of the simulator shares, and the one way it answers: `reply` records the
 * exchange (for the wire checks), loses a write's answer when the `loseAnswers` fault says so
 * (the change is applied, then the connection is destroyed), and sends JSON or an empty body.
 */
import type { Request, Response } from 'express';
import type { FaultState } from './faults';
import type { OperaStore } from './store';
import type { EnvThrottle } from './throttle';
import type { TokenService } from './tokens';

/** One request and its answer as the wire saw them. */
export interface SimExchange {
  method: string;
  /** The path without the query. */
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
  responseHeaders: Record<string, string>;
  /** The answer was never delivered (`loseAnswers`). */
  lost: boolean;
}

export interface OperaSimContext {
  store: OperaStore;
  tokens: TokenService;
  throttle: EnvThrottle;
  faults: FaultState;
  /** The application key the gateway accepts (`x-app-key`). */
  appKey: string;
  /** Most rows one page holds, whatever `limit` asks. */
  maxPageSize: number;
  /** Rows per page when `limit` is absent. */
  defaultPageSize: number;
  record?: (exchange: SimExchange) => void;
  logRequests: boolean;
  /** Pending delays, cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

export function sleep(ctx: OperaSimContext, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ctx.timers.delete(timer);
      resolve();
    }, ms);
    ctx.timers.add(timer);
  });
}

export function reply(ctx: OperaSimContext, req: Request, res: Response, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const lost = res.locals.loseAnswer === true;
  ctx.record?.({
    method: req.method,
    path: `${req.baseUrl}${req.path}`,
    query: { ...(req.query as Record<string, unknown>) },
    headers: { ...req.headers },
    requestBody: req.body as unknown,
    status,
    responseBody: body,
    responseHeaders: headers,
    lost,
  });
  if (ctx.logRequests) console.log(`opera-sim ${req.method} ${req.originalUrl} → ${lost ? 'answer lost' : status}`);
  if (lost) {
    req.socket.destroy();
    return;
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) res.status(status).end();
  else res.status(status).json(body);
}
