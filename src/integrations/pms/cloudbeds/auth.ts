/**
 * Cloudbeds' OAuth 2 access tokens for hotels connected by consent: `POST /api/v1.3/access_token`,
 * form encoded, `grant_type=refresh_token` with Relay's client id and secret. An access token
 * lives `expires_in` seconds; it is renewed when about five sixths of that (at most ten minutes
 * before the end) have passed, never per call.
 *
 * Tokens are cached in this process per (API address, client, hotel's refresh token), so every
 * adapter of a hotel shares one. At most one refresh per hotel is in flight; callers arriving
 * meanwhile wait for it. A refresh token Cloudbeds rotates is used for the next refresh (the
 * stored credential stays the first one). A data call answered 401 invalidates the token it
 * used (only that one: a token another caller already renewed is kept).
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Logger } from '../../../logger';
import { VendorHttpClient } from '../../http';
import { CLOUDBEDS_KEY, CLOUDBEDS_VENDOR, cloudbedsTokenClassifier } from './errors';
import { keyFingerprint } from './limits';
import type { CloudbedsOAuthClient } from './settings';
import type { WireTokenAnswer } from './wire';

export const CLOUDBEDS_TOKEN_PATH = '/api/v1.3/access_token';
const RENEW_LEAD_MS = 10 * 60_000;

interface CachedToken {
  value: string;
  renewAt: number;
  expiresAt: number;
}

interface Entry {
  token?: CachedToken;
  pending?: Promise<CachedToken>;
  /** The newest refresh token Cloudbeds handed out for this grant. */
  refreshToken: string;
}

export interface TokenRequest {
  baseUrl: string;
  client: CloudbedsOAuthClient;
  /** The hotel's refresh token as stored with the property. */
  refreshToken: string;
  logger: Logger;
  /** The client's shared limiter: a refresh is a request like any other. */
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
}

export class CloudbedsTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Refresh requests sent by this cache (tests, metrics). */
  requests = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The hotel's access token: the cached one while fresh, else one refresh shared by every caller. */
  async token(request: TokenRequest): Promise<string> {
    const entry = this.entry(request);
    if (entry.token && this.now() < entry.token.renewAt) return entry.token.value;
    entry.pending ??= this.refresh(request, entry).finally(() => {
      entry.pending = undefined;
    });
    try {
      entry.token = await entry.pending;
      return entry.token.value;
    } catch (error) {
      // A refresh that failed for a passing reason: the current token still works for a while.
      const current = entry.token;
      if (current && this.now() < current.expiresAt && error instanceof ApplicationFailure && !error.nonRetryable) {
        request.logger.warn({ vendor: CLOUDBEDS_KEY, err: error }, 'cloudbeds token refresh failed; using the current token until it expires');
        return current.value;
      }
      throw error;
    }
  }

  /** Cloudbeds refused `token` (401): forget it, unless another caller already replaced it. */
  invalidate(request: Pick<TokenRequest, 'baseUrl' | 'client' | 'refreshToken'>, token: string): void {
    const entry = this.entries.get(cacheKey(request));
    if (entry?.token?.value === token) entry.token = undefined;
  }

  clear(): void {
    this.entries.clear();
    this.requests = 0;
  }

  private entry(request: TokenRequest): Entry {
    const key = cacheKey(request);
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { refreshToken: request.refreshToken }));
    return entry;
  }

  private async refresh(request: TokenRequest, entry: Entry): Promise<CachedToken> {
    const http = new VendorHttpClient({ vendor: CLOUDBEDS_KEY, baseUrl: request.baseUrl, logger: request.logger, classify: cloudbedsTokenClassifier });
    const sentAt = this.now();
    this.requests++;
    const res = await request.withinLimit(() =>
      http.request<WireTokenAnswer>({
        method: 'POST',
        path: CLOUDBEDS_TOKEN_PATH,
        form: { grant_type: 'refresh_token', client_id: request.client.clientId, client_secret: request.client.clientSecret, refresh_token: entry.refreshToken },
        signal: request.signal,
      }),
    );
    const answer = res.body ?? {};
    const expiresIn = Number(answer.expires_in);
    if (typeof answer.access_token !== 'string' || answer.access_token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: `${CLOUDBEDS_VENDOR} token answer without access_token or expires_in` });
    }
    if (typeof answer.refresh_token === 'string' && answer.refresh_token !== '') entry.refreshToken = answer.refresh_token;
    const lifeMs = expiresIn * 1000;
    // Counted from when the request was sent: the token's clock started no earlier.
    return { value: answer.access_token, renewAt: sentAt + lifeMs - Math.min(RENEW_LEAD_MS, lifeMs / 6), expiresAt: sentAt + lifeMs };
  }
}

function cacheKey(request: Pick<TokenRequest, 'baseUrl' | 'client' | 'refreshToken'>): string {
  return JSON.stringify([request.baseUrl, request.client.clientId, keyFingerprint(request.refreshToken)]);
}

/** The process-wide cache every Cloudbeds adapter uses. */
export const cloudbedsTokens = new CloudbedsTokenCache();
