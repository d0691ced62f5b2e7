/**
 * OHIP's property API throttling: more than 50 requests in a second per OPERA environment and the
 * 51st and later are delayed about 1000 ms, not refused. Counted per scope `env:<enterprise>` in
 * `/__sim/stats` (requests, and those over the limit).
 */
import type { SimStats } from '../../simulator-control';

export const OPERA_LIMIT_PER_SECOND = 50;
export const OPERA_THROTTLE_DELAY_MS = 1000;

export class EnvThrottle {
  private readonly recent = new Map<string, number[]>();
  private stats: SimStats = { requests: 0, overLimit: 0, byScope: {} };

  constructor(
    private readonly limit = OPERA_LIMIT_PER_SECOND,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `scope`; returns how long OPERA would hold it (0 within the limit). */
  admit(scope: string): number {
    const now = this.now();
    const times = (this.recent.get(scope) ?? []).filter((t) => t > now - 1000);
    const over = times.length >= this.limit;
    times.push(now);
    this.recent.set(scope, times);
    const entry = (this.stats.byScope[scope] ??= { requests: 0, overLimit: 0 });
    entry.requests++;
    this.stats.requests++;
    if (over) {
      entry.overLimit++;
      this.stats.overLimit++;
    }
    return over ? OPERA_THROTTLE_DELAY_MS : 0;
  }

  snapshot(): SimStats {
    return structuredClone(this.stats);
  }

  reset(): void {
    this.recent.clear();
    this.stats = { requests: 0, overLimit: 0, byScope: {} };
  }
}
