/**
 * Mews' request limit at its real scope: N requests per AccessToken in a sliding window. A
 * request beyond it is answered 429 with `Retry-After` (seconds until the oldest counted
 * request leaves the window) and counted as over the limit, as `bench:arrivals` reports.
 */
import { hashedScope, retryAfterSeconds, SlidingWindowLimits } from '../../simulator-kit/limits';

export interface LimitSettings {
  requests: number;
  windowMs: number;
}

/** `token:<first 16 hex digits of SHA-256>`: a scope name that does not reveal the token. */
export const tokenScope = (accessToken: string): string => hashedScope('token', accessToken);

export class RequestLimits extends SlidingWindowLimits {
  constructor(private readonly settings: LimitSettings) {
    super(settings.windowMs);
  }

  /** Takes one request from the scope's window; the delay in seconds when it is spent. */
  take(scope: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const taken = this.takeFrom(scope, this.settings.requests, now);
    return taken.ok ? taken : { ok: false, retryAfterSeconds: retryAfterSeconds(taken.waitMs) };
  }
}
