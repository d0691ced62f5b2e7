/**
 * How long a vendor asks us to wait before the next attempt, read from response headers.
 * Parsers are pluggable because vendors signal it differently: `Retry-After` (Mews,
 * Cloudbeds, most), epoch reset headers (Exact Online's `X-RateLimit-Reset`, in ms).
 */
export type RetryDelayParser = (headers: Headers, now: number) => number | undefined;

/** RFC 9110 `Retry-After`: delay in seconds, or an HTTP-date. */
export const retryAfterDelay: RetryDelayParser = (headers, now) => {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
};

/** A header holding the epoch time at which the limit resets, e.g. `resetHeaderDelay('x-ratelimit-reset', 'ms')`. */
export function resetHeaderDelay(name: string, unit: 'ms' | 's'): RetryDelayParser {
  return (headers, now) => {
    const value = headers.get(name)?.trim();
    if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
    const at = Number(value) * (unit === 's' ? 1000 : 1);
    return Math.max(0, Math.round(at - now));
  };
}

/** The first parser that finds a delay wins. */
export function firstDelay(...parsers: RetryDelayParser[]): RetryDelayParser {
  return (headers, now) => {
    for (const parse of parsers) {
      const delay = parse(headers, now);
      if (delay !== undefined) return delay;
    }
    return undefined;
  };
}
