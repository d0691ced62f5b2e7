/**
 * Cloudbeds' request limit at its real scope: 5 requests per second per property-level API key,
 * 10 per second per technology partner (an OAuth client, whichever hotel its tokens are for), in
 * a sliding second. A request beyond it is answered 429 and counted as over the limit, as
 * `bench:arrivals` reports; a refused request does not count toward the window.
 */
import { hashedScope, SlidingWindowLimits } from '../../simulator-kit/limits';

export const KEY_LIMIT_PER_SECOND = 5;
export const PARTNER_LIMIT_PER_SECOND = 10;

/** `key:<first 16 hex digits of SHA-256>`: a scope name that does not reveal the key. */
export const keyScope = (apiKey: string): string => hashedScope('key', apiKey);

export function clientScope(clientId: string): string {
  return `client:${clientId}`;
}

export class RequestLimits extends SlidingWindowLimits {
  /** Cloudbeds counts in a sliding second; tests may pass another window. */
  constructor(windowMs = 1000) {
    super(windowMs);
  }

  /** Takes one request from the scope's window; false when it is spent. */
  take(scope: string, limit: number, now = Date.now()): boolean {
    return this.takeFrom(scope, limit, now).ok;
  }
}
