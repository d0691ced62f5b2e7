/**
 * Exact's API limits, counted on the simulator's clock:
 * - per app and division: a minutely limit on the clock minute (60 calls in 10:00:00–10:00:40 → refused until
 *   10:01:00) and a daily limit on the UTC day; the answer's headers report both (reset times in epoch ms);
 * - the error limit: more than N error answers (400/401/403/404) for one user, app, division and endpoint within a
 *   clock hour block that endpoint for them for an hour (answered 403).
 */

export interface ExactLimits {
  /** Calls per app per division per clock minute (Exact: 60). 0 = unlimited. */
  minutely: number;
  /** Calls per app per division per UTC day (Exact: 5000). 0 = unlimited. */
  daily: number;
  /** Error answers (400/401/403/404) per user/app/division/endpoint per clock hour before the block (Exact: 10). 0 = never block. */
  errorsPerHour: number;
  /** How long an endpoint stays blocked after the error limit (Exact: an hour). */
  errorBlockMs: number;
  /** Token-endpoint calls per app per user per UTC day (Exact: 200). 0 = unlimited. */
  tokenCallsPerDay: number;
}

export const defaultLimits = (): ExactLimits => ({
  minutely: 60,
  daily: 5000,
  errorsPerHour: 10,
  errorBlockMs: 60 * 60 * 1000,
  tokenCallsPerDay: 200,
});

export function validateLimits(limits: ExactLimits): void {
  const known = Object.keys(defaultLimits());
  for (const key of Object.keys(limits)) if (!known.includes(key)) throw new RangeError(`unknown limit ${key}`);
  for (const [key, value] of Object.entries(limits))
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer`);
}

const MINUTE = 60_000;
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;

interface Window {
  minuteStart: number;
  minuteUsed: number;
  dayStart: number;
  dayUsed: number;
}

export interface RateVerdict {
  ok: boolean;
  /** Which limit refused the call. */
  exceeded?: 'minutely' | 'daily';
  headers: Record<string, string>;
}

export interface RateUsage {
  key: string;
  minuteUsed: number;
  minuteStart: number;
  dayUsed: number;
  dayStart: number;
}

export class RateLimiter {
  private windows = new Map<string, Window>();

  constructor(private readonly limits: () => ExactLimits) {}

  private window(key: string, now: number): Window {
    const minuteStart = now - (now % MINUTE);
    const dayStart = now - (now % DAY);
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { minuteStart, minuteUsed: 0, dayStart, dayUsed: 0 };
      this.windows.set(key, w);
    }
    if (w.minuteStart !== minuteStart) {
      w.minuteStart = minuteStart;
      w.minuteUsed = 0;
    }
    if (w.dayStart !== dayStart) {
      w.dayStart = dayStart;
      w.dayUsed = 0;
    }
    return w;
  }

  /** Counts one call for `key` if the limits allow it; the headers describe the state after the call. */
  take(key: string, now: number): RateVerdict {
    const { minutely, daily } = this.limits();
    const w = this.window(key, now);
    const minuteFull = minutely > 0 && w.minuteUsed >= minutely;
    const dayFull = daily > 0 && w.dayUsed >= daily;
    if (minuteFull) return { ok: false, exceeded: 'minutely', headers: this.minutelyHeaders(w) };
    if (dayFull) return { ok: false, exceeded: 'daily', headers: this.dailyHeaders(w) };
    w.minuteUsed++;
    w.dayUsed++;
    return { ok: true, headers: { ...this.dailyHeaders(w), ...this.minutelyHeaders(w) } };
  }

  /** Headers as a refused call would carry them, without counting (for a forced 429). */
  refusal(key: string, now: number): Record<string, string> {
    const w = this.window(key, now);
    return { ...this.minutelyHeaders(w), 'X-RateLimit-Minutely-Remaining': '0' };
  }

  private minutelyHeaders(w: Window): Record<string, string> {
    const { minutely } = this.limits();
    return {
      'X-RateLimit-Minutely-Limit': String(minutely),
      'X-RateLimit-Minutely-Remaining': String(Math.max(0, minutely - w.minuteUsed)),
      'X-RateLimit-Minutely-Reset': String(w.minuteStart + MINUTE),
    };
  }

  private dailyHeaders(w: Window): Record<string, string> {
    const { daily } = this.limits();
    return {
      'X-RateLimit-Limit': String(daily),
      'X-RateLimit-Remaining': String(Math.max(0, daily - w.dayUsed)),
      'X-RateLimit-Reset': String(w.dayStart + DAY),
    };
  }

  usage(now: number): RateUsage[] {
    return [...this.windows.keys()].map((key) => {
      const w = this.window(key, now);
      return { key, minuteUsed: w.minuteUsed, minuteStart: w.minuteStart, dayUsed: w.dayUsed, dayStart: w.dayStart };
    });
  }

  clear(): void {
    this.windows.clear();
  }
}

interface ErrorWindow {
  hourStart: number;
  errors: number;
  blockedUntil: number;
}

export interface EndpointBlock {
  key: string;
  blockedUntil: number;
}

export class ErrorLimiter {
  private windows = new Map<string, ErrorWindow>();

  constructor(private readonly limits: () => ExactLimits) {}

  /** The end of the block on `key`, or null when calls may pass. */
  blockedUntil(key: string, now: number): number | null {
    const w = this.windows.get(key);
    return w !== undefined && w.blockedUntil > now ? w.blockedUntil : null;
  }

  /** Counts an error answer; the one that goes past the limit starts the block. */
  record(key: string, now: number): void {
    const { errorsPerHour, errorBlockMs } = this.limits();
    if (errorsPerHour === 0) return;
    const hourStart = now - (now % HOUR);
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { hourStart, errors: 0, blockedUntil: 0 };
      this.windows.set(key, w);
    }
    if (w.hourStart !== hourStart) {
      w.hourStart = hourStart;
      w.errors = 0;
    }
    w.errors++;
    if (w.errors > errorsPerHour) w.blockedUntil = now + errorBlockMs;
  }

  blocks(now: number): EndpointBlock[] {
    return [...this.windows].filter(([, w]) => w.blockedUntil > now).map(([key, w]) => ({ key, blockedUntil: w.blockedUntil }));
  }

  clear(): void {
    this.windows.clear();
  }
}
