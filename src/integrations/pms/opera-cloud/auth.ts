/**
 * OHIP's OAuth (client credentials, OCIM environments): `POST {gateway}/oauth/v1/tokens`, form
 * encoded, with `Authorization: Basic clientId:clientSecret`, `x-app-key` and `enterpriseId`
 * headers. Tokens live 60 minutes and there are no refresh tokens: a new token is requested when
 * about 50 minutes have passed, never per call.
 *
 * Tokens are cached in this process per (gateway, client, enterprise): every property and every
 * adapter of the environment share one. At most one token request per key is in flight; callers
 * arriving meanwhile wait for it. A data call answered 401 invalidates the token it used (only
 * that one: a token already renewed by another caller is kept) and asks again.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Logger } from '../../../logger';
import { basicAuth, VendorHttpClient } from '../../http';
import { OPERA_VENDOR, operaTokenClassifier } from './errors';
import type { OperaSettings } from './settings';

export const OPERA_TOKEN_PATH = '/oauth/v1/tokens';
/** The scope OCIM client-credentials environments grant: every scope the client was given. */
export const OPERA_TOKEN_SCOPE = 'urn:opc:hgbu:ws:__myscopes__';
/** A token is renewed this long before it expires (10 of its 60 minutes), or after 5/6 of a shorter life. */
const RENEW_LEAD_MS = 10 * 60_000;

interface CachedToken {
  value: string;
  /** From then on the next caller renews it (the current one still works until `expiresAt`). */
  renewAt: number;
  expiresAt: number;
}

interface Entry {
  token?: CachedToken;
  pending?: Promise<CachedToken>;
}

export interface TokenRequestContext {
  logger: Logger;
  /** The shared limiter of the environment: a token request counts like any other request. */
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
}

export class OperaTokenCache {
  private readonly entries = new Map<string, Entry>();
  /** Token requests sent by this cache (for tests and metrics). */
  requests = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A token for the environment: the cached one while it is fresh, else one new request shared by every caller. */
  async token(settings: OperaSettings, ctx: TokenRequestContext): Promise<string> {
    const key = cacheKey(settings);
    const entry = this.entry(key);
    const now = this.now();
    if (entry.token && now < entry.token.renewAt) return entry.token.value;
    entry.pending ??= this.request(settings, ctx).finally(() => {
      entry.pending = undefined;
    });
    try {
      const fresh = await entry.pending;
      entry.token = fresh;
      return fresh.value;
    } catch (error) {
      // A renewal that failed for a passing reason: the current token still works for a while.
      const current = entry.token;
      if (current && this.now() < current.expiresAt && isPassing(error)) {
        ctx.logger.warn({ vendor: OPERA_VENDOR, err: error }, 'opera token renewal failed; using the current token until it expires');
        return current.value;
      }
      throw error;
    }
  }

  /** OPERA refused `token` (401): forget it, unless another caller already replaced it. */
  invalidate(settings: OperaSettings, token: string): void {
    const entry = this.entries.get(cacheKey(settings));
    if (entry?.token?.value === token) entry.token = undefined;
  }

  /** Forgets every token (tests). */
  clear(): void {
    this.entries.clear();
    this.requests = 0;
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = {}));
    return entry;
  }

  private async request(settings: OperaSettings, ctx: TokenRequestContext): Promise<CachedToken> {
    const http = new VendorHttpClient({ vendor: 'opera-cloud', baseUrl: settings.gatewayUrl, logger: ctx.logger, classify: operaTokenClassifier });
    const sentAt = this.now();
    this.requests++;
    const res = await ctx.withinLimit(() =>
      http.request<unknown>({
        method: 'POST',
        path: OPERA_TOKEN_PATH,
        headers: {
          authorization: basicAuth(settings.clientId, settings.clientSecret),
          'x-app-key': settings.appKey,
          enterpriseId: settings.enterpriseId,
        },
        form: { grant_type: 'client_credentials', scope: OPERA_TOKEN_SCOPE },
        signal: ctx.signal,
      }),
    );
    return readTokenAnswer(res.body, sentAt);
  }
}

function readTokenAnswer(body: unknown, sentAt: number): CachedToken {
  const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const value = answer.access_token;
  const expiresIn = Number(answer.expires_in);
  if (typeof value !== 'string' || value === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: `${OPERA_VENDOR} token answer without access_token or expires_in` });
  }
  const lifeMs = expiresIn * 1000;
  // Counted from when the request was sent: the token's clock started no earlier.
  return { value, renewAt: sentAt + lifeMs - Math.min(RENEW_LEAD_MS, lifeMs / 6), expiresAt: sentAt + lifeMs };
}

function cacheKey(settings: OperaSettings): string {
  return JSON.stringify([settings.gatewayUrl, settings.clientId, settings.enterpriseId]);
}

function isPassing(error: unknown): boolean {
  return error instanceof ApplicationFailure && !error.nonRetryable;
}

/** The process-wide cache every OPERA adapter uses. */
export const operaTokens = new OperaTokenCache();
