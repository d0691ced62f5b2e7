/**
 * The limit the simulator enforces at the scope protel would count it: requests per hotel token
 * in a sliding window. A request beyond it is answered 429 with `Retry-After` (seconds until the
 * oldest counted request leaves the window) and counted as over the limit under
 * `token:<first 16 hex digits of its SHA-256>`, so stats never show a token.
 */
import { hashedScope, retryAfterSeconds, SlidingWindowLimits } from '../../simulator-kit/limits';

export const tokenScope = (token: string): string => hashedScope('token', token);

export class TokenLimits extends SlidingWindowLimits {
  constructor(
    private readonly limit: { requests: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {
    super(limit.windowMs);
  }

  /** Counts a request of `scope` (every request passes here); the wait in whole seconds when the scope's window is spent. */
  take(scope: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.received();
    const taken = this.takeFrom(scope, this.limit.requests, this.now());
    return taken.ok ? taken : { ok: false, retryAfterSeconds: retryAfterSeconds(taken.waitMs) };
  }
}
