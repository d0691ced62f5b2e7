/**
 * The limit the simulator enforces at the scope protel would count it: requests per hotel token
 * in a sliding window. A request beyond it is answered 429 with `Retry-After` (seconds until the
 * oldest counted request leaves the window) and counted as over the limit under
 * `token:<first 16 hex digits of its SHA-256>`, so stats never show a token.
 */
import { createHash } from 'node:crypto';
import type { SimStats } from '../../simulator-control';

export function tokenScope(token: string): string {
  return `token:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16)}`;
}

export class TokenLimits {
  private readonly windows = new Map<string, number[]>();
  private stats: SimStats = { requests: 0, overLimit: 0, byScope: {} };

  constructor(
    private readonly limit: { requests: number; windowMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a request of `scope`; the wait in whole seconds when the scope's window is spent. */
  take(scope: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.now();
    const counts = (this.stats.byScope[scope] ??= { requests: 0, overLimit: 0 });
    counts.requests++;
    this.stats.requests++;
    const recent = (this.windows.get(scope) ?? []).filter((at) => at > now - this.limit.windowMs);
    this.windows.set(scope, recent);
    if (recent.length >= this.limit.requests) {
      counts.overLimit++;
      this.stats.overLimit++;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.limit.windowMs - now) / 1000)) };
    }
    recent.push(now);
    return { ok: true };
  }

  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.windows.clear();
    this.stats = { requests: 0, overLimit: 0, byScope: {} };
  }
}
