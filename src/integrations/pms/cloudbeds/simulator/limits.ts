/**
 * Cloudbeds' request limit at its real scope: 5 requests per second per property-level API key,
 * 10 per second per technology partner (an OAuth client, whichever hotel its tokens are for), in
 * a sliding second. A request beyond it is answered 429 and counted as over the limit, as
 * `bench:arrivals` reports; a refused request does not count toward the window.
 */
import { createHash } from 'node:crypto';
import type { SimStats } from '../../simulator-control';

export const KEY_LIMIT_PER_SECOND = 5;
export const PARTNER_LIMIT_PER_SECOND = 10;

/** `key:<first 16 hex digits of SHA-256>`: a scope name that does not reveal the key. */
export function keyScope(apiKey: string): string {
  return `key:${createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16)}`;
}

export function clientScope(clientId: string): string {
  return `client:${clientId}`;
}

export class RequestLimits {
  private readonly windows = new Map<string, number[]>();
  private stats: SimStats = { requests: 0, overLimit: 0, byScope: {} };

  constructor(private readonly windowMs = 1000) {}

  /** Counts a vendor-format request (whatever its fate). */
  received(): void {
    this.stats.requests++;
  }

  /** Takes one request from the scope's window; false when it is spent. */
  take(scope: string, limit: number, now = Date.now()): boolean {
    const counts = (this.stats.byScope[scope] ??= { requests: 0, overLimit: 0 });
    counts.requests++;
    const recent = (this.windows.get(scope) ?? []).filter((at) => at > now - this.windowMs);
    this.windows.set(scope, recent);
    if (recent.length >= limit) {
      counts.overLimit++;
      this.stats.overLimit++;
      return false;
    }
    recent.push(now);
    return true;
  }

  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.windows.clear();
    this.stats = { requests: 0, overLimit: 0, byScope: {} };
  }
}
