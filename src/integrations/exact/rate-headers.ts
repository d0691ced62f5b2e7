/**
 * Exact Online's rate-limit headers, sent on every response whose URL names a division: the daily window
 * (`X-RateLimit-Limit`, `-Remaining`, `-Reset`) and the minutely one (`X-RateLimit-Minutely-Limit`, `-Remaining`,
 * `-Reset`); resets are epoch milliseconds (UTC). A 429 for the minutely limit carries only the minutely headers.
 */

export interface ExactRateWindow {
  limit: number | undefined;
  remaining: number | undefined;
  /** Epoch ms at which the window resets (Exact's clock). */
  resetMs: number | undefined;
}

export interface ExactRateHeaders {
  minutely: ExactRateWindow;
  daily: ExactRateWindow;
}

function int(headers: Headers, name: string): number | undefined {
  const value = headers.get(name)?.trim();
  if (!value || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A reset time: epoch ms. A value that can only be seconds (before 2001 as ms) is read as seconds. */
function resetMs(headers: Headers, name: string): number | undefined {
  const n = int(headers, name);
  if (n === undefined) return undefined;
  return n < 1e12 ? n * 1000 : n;
}

export function parseRateHeaders(headers: Headers): ExactRateHeaders {
  return {
    minutely: {
      limit: int(headers, 'x-ratelimit-minutely-limit'),
      remaining: int(headers, 'x-ratelimit-minutely-remaining'),
      resetMs: resetMs(headers, 'x-ratelimit-minutely-reset'),
    },
    daily: {
      limit: int(headers, 'x-ratelimit-limit'),
      remaining: int(headers, 'x-ratelimit-remaining'),
      resetMs: resetMs(headers, 'x-ratelimit-reset'),
    },
  };
}

/** Whether Exact sent any rate header (responses for URLs without a division carry none). */
export function hasRateHeaders(rate: ExactRateHeaders): boolean {
  return [rate.minutely, rate.daily].some((w) => w.limit !== undefined || w.remaining !== undefined || w.resetMs !== undefined);
}

/**
 * When a refused call (429) may be made again: the reset of the window that is spent (the daily one when Exact
 * reports none left for the day), else the minutely reset, else the next clock minute (Exact's minutely window
 * is the clock minute) so that a 429 without headers still never leads to a burst.
 */
export function refusedUntil(rate: ExactRateHeaders, now: number): { retryAtMs: number; scope: 'minutely' | 'daily' } {
  if (rate.daily.remaining === 0 && rate.daily.resetMs !== undefined && rate.daily.resetMs > now) return { retryAtMs: rate.daily.resetMs, scope: 'daily' };
  if (rate.minutely.resetMs !== undefined && rate.minutely.resetMs > now) return { retryAtMs: rate.minutely.resetMs, scope: 'minutely' };
  return { retryAtMs: Math.floor(now / 60_000) * 60_000 + 60_000, scope: 'minutely' };
}
