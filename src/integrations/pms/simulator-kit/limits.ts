/**
 * A vendor's request limit as its gateway counts it: requests per scope (a token, a user, a
 * client) in a sliding window, with the counters `/__sim/stats` shows. Which scope a request
 * falls in, how many a window holds and how a refusal is answered stay in each simulator.
 */
import { createHash } from 'node:crypto';
import type { SimStats } from '../simulator-control';

/** A request taken from its window, or refused with how long until the window has room again. */
export type Taken = { ok: true } | { ok: false; waitMs: number };

const noStats = (): SimStats => ({ requests: 0, overLimit: 0, byScope: {} });

export class SlidingWindowLimits {
  private readonly windows = new Map<string, number[]>();
  private stats: SimStats = noStats();

  constructor(private readonly windowMs: number) {}

  /** Counts a vendor-format request, whatever its fate. */
  received(): void {
    this.stats.requests++;
  }

  /**
   * Takes one request of `scope` from a window holding `limit`. A refused request is counted over
   * the limit and does not take a place, as the vendors' gateways count it.
   */
  takeFrom(scope: string, limit: number, now: number): Taken {
    const counts = (this.stats.byScope[scope] ??= { requests: 0, overLimit: 0 });
    counts.requests++;
    const recent = (this.windows.get(scope) ?? []).filter((at) => at > now - this.windowMs);
    this.windows.set(scope, recent);
    if (recent.length >= limit) {
      counts.overLimit++;
      this.stats.overLimit++;
      return { ok: false, waitMs: recent[0]! + this.windowMs - now };
    }
    recent.push(now);
    return { ok: true };
  }

  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.windows.clear();
    this.stats = noStats();
  }
}

/** A `Retry-After` in whole seconds (at least one) for a wait in milliseconds. */
export const retryAfterSeconds = (waitMs: number): number => Math.max(1, Math.ceil(waitMs / 1000));

/** `<kind>:<first 16 hex digits of SHA-256>`: a scope name for a secret (a token, a key) that does not reveal it. */
export function hashedScope(kind: string, secret: string): string {
  return `${kind}:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)}`;
}
