import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config';
import { closeIfBodyUnread } from './body';
import type { Principal } from './auth';
import { TooManyRequestsError } from './http-errors';

/**
 * Request rate limits for callers that authenticate with an API key or an operator
 * session: one per client address (mounted before authentication, so floods of bad keys
 * are throttled too) and one per key (after it). 429 with `Retry-After` and the IETF
 * `RateLimit`/`RateLimit-Policy` headers.
 *
 * Rule: these are mounted only on the API-key/operator routers. Vendor callbacks
 * (`/v1/webhooks/*`, e.g. Twilio status callbacks) are authenticated by signature and
 * mounted before them, never behind a limiter: a vendor retries a refused callback
 * rarely or never.
 *
 * Counters live in each API process (memory store); with N instances behind a load
 * balancer, a caller gets up to N times the limit. The address is `req.ip`: behind a proxy
 * on another host, set Express's `trust proxy` to it, or every client shares its bucket.
 */
export interface RateLimits {
  perAddress: RequestHandler;
  perKey: RequestHandler;
}

const passThrough: RequestHandler = (_req, _res, next) => next();

function refuse(req: Request, res: Response, next: NextFunction): void {
  closeIfBodyUnread(req, res);
  next(new TooManyRequestsError('Too many requests; retry after the number of seconds in Retry-After'));
}

export function rateLimits(config: Config['rateLimit']): RateLimits {
  const common = { windowMs: config.windowMs, standardHeaders: 'draft-8', legacyHeaders: false, handler: refuse } as const;
  return {
    perAddress:
      config.perAddress > 0
        ? rateLimit({ ...common, limit: config.perAddress, identifier: 'per-address', requestPropertyName: 'rateLimitPerAddress' })
        : passThrough,
    perKey:
      config.perKey > 0
        ? rateLimit({
            ...common,
            limit: config.perKey,
            identifier: 'per-key',
            requestPropertyName: 'rateLimitPerKey',
            // Runs after authentication: the principal (one per key or signed-in operator) is the bucket.
            keyGenerator: (_req, res) => `principal:${(res.locals.principal as Principal).name}`,
          })
        : passThrough,
  };
}
