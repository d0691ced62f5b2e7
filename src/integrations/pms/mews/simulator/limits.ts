/**
 * Mews' request limit at its real scope: N requests per AccessToken in a sliding window. A
 * request beyond it is answered 429 with `Retry-After` (seconds until the oldest counted
 * request leaves the window) and counted as over the limit, as `bench:arrivals` reports.
 */
import { createHash } from 'node:crypto';
import type { SimStats } from '../../simulator-control';

export interface LimitSettings {
  requests: number;
  windowMs: number;
}

/** `token:<first 16 hex digits of SHA-256>`: a scope name that does not reveal the token. */
export function tokenScope(accessToken: string): string {
  return `token:${createHash('sha256').update(accessToken, 'utf8').digest('hex').slice(0, 16)}`;
}

export class RequestLimits {
  private readonly windows = new Map<string, number[]>();
  private stats: SimStats = { requests: 0, overLimit: 0, byScope: {} };

  constructor(private readonly settings: LimitSettings) {}

  /** Counts a vendor-format request (whatever its fate). */
  received(): void {
    this.stats.requests++;
  }

  /** Takes one request from the scope's window; the delay in seconds when it is spent. */
  take(scope: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const counts = (this.stats.byScope[scope] ??= { requests: 0, overLimit: 0 });
    counts.requests++;
    const recent = (this.windows.get(scope) ?? []).filter((at) => at > now - this.settings.windowMs);
    this.windows.set(scope, recent);
    if (recent.length >= this.settings.requests) {
      counts.overLimit++;
      this.stats.overLimit++;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.settings.windowMs - now) / 1000)) };
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
