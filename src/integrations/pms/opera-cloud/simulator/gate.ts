/**
 * What happens to a request before an endpoint sees it, in the gateway's order:
 *
 * 1. the environment's throttle counts it (`env:<enterprise>`, from the bearer token or the token
 *    request's `enterpriseId`) and holds the 51st+ request of a second about 1000 ms;
 * 2. switchable faults: latency, an outage (503 without a body), a drawn 5xx or 429;
 * 3. data calls only: `x-app-key` must be the registered application key and the bearer token
 *    valid (else 401 without a body, as OHIP documents 401), `x-hotelid` present (else 400 with
 *    an `exceptionDetailType`) and a hotel of the enterprise (else 403 without a body).
 *
 * A write (POST, PUT, DELETE) may then be marked to lose its answer.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type OperaSimContext, reply, sleep } from './context';
import { problem } from './views';

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The limit's scope of a request: its enterprise, as far as it can be told. */
function scopeOf(ctx: OperaSimContext, req: Request): string {
  const enterprise = ctx.tokens.enterpriseOf(header(req, 'authorization')) ?? header(req, 'enterpriseid');
  return `env:${enterprise ?? 'unknown'}`;
}

/** Steps 1 and 2, for every vendor endpoint (the token endpoint included). */
export function gatewayGate(ctx: OperaSimContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      await sleep(ctx, ctx.throttle.admit(scopeOf(ctx, req)));
      await sleep(ctx, ctx.faults.latencyMs());
      const fault = ctx.faults.draw();
      if (fault?.kind === 'outage') return reply(ctx, req, res, 503);
      if (fault?.kind === 'status') {
        const body = fault.status === 500 ? problem(500, 'Internal Server Error', 'simulated failure', req.originalUrl) : undefined;
        return reply(ctx, req, res, fault.status, body);
      }
      next();
    })().catch(next);
  };
}

/** Step 3, and the lost-answer draw for writes: every data endpoint. */
export function dataGate(ctx: OperaSimContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (header(req, 'x-app-key') !== ctx.appKey) return reply(ctx, req, res, 401);
    if (ctx.tokens.verify(header(req, 'authorization')) === undefined) return reply(ctx, req, res, 401);
    const hotelId = header(req, 'x-hotelid');
    if (!hotelId) return reply(ctx, req, res, 400, problem(400, 'Bad Request', 'x-hotelid header is required', req.originalUrl, 'MISSING_HOTEL_ID'));
    if (!ctx.store.hotels.has(hotelId)) return reply(ctx, req, res, 403);
    res.locals.hotelId = hotelId;
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'DELETE') res.locals.loseAnswer = ctx.faults.takeLostAnswer();
    next();
  };
}
