/**
 * Relay's client of the Clock PMS+ `pms_api` for one hotel (account): every call goes to
 * `{base}/pms_api/{subscription_id}/{account_id}/...` signed with HTTP Digest, the shared limiter
 * asked before each request (the challenge request included). Clock's limit answers 429: the
 * client backs off as Clock prescribes (retry number × 500 ms, or the wait Clock names) at most
 * twice, then fails with a retryable VendorRateLimited; nothing else is repeated here. Array
 * parameters go out as repeated `key[]=` pairs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureType } from '../../../domain/failure-types';
import type { Logger } from '../../../logger';
import { type HttpMethod, retryAfterDelay, VendorHttpClient, type VendorResponse, vendorFailure } from '../../http';
import { pmsUnauthorized } from '../errors';
import { apiUserKey, type ClockDigestSessions, clockDigestSessions, type SignedRequest } from './auth';
import type { ClockCredentials } from './credentials';
import { type DigestChallenge, parseDigestChallenge } from './digest';
import { CLOCK_BAN_MS, CLOCK_KEY, CLOCK_VENDOR, type ClockCallDescription, clockClassifier } from './errors';
import { clockBaseUrl, type ClockSettings } from './settings';

/** 429s answered by backing off before the call fails for Temporal to retry later. */
const MAX_BACKOFFS = 2;
const BACKOFF_STEP_MS = 500;
/** A longer wait Clock names is left to Temporal's retry (an activity does not sleep that long unseen). */
const MAX_INLINE_BACKOFF_MS = 3_000;

type Scalar = string | number;
export type ClockQuery = Record<string, Scalar | readonly Scalar[] | undefined>;

export interface ClockCall extends ClockCallDescription {
  method: HttpMethod;
  /** Below the account, e.g. `bookings/` or `guests/123`. */
  path: string;
  query?: ClockQuery;
  json?: unknown;
}

export interface ClockAnswer<T> {
  status: number;
  /** Undefined for a 404 read as null. */
  body: T | undefined;
}

export interface ClockClientOptions {
  settings: ClockSettings;
  credentials: ClockCredentials;
  /** The Clock account id (the property's `vendorPropertyId`). */
  accountId: string;
  logger: Logger;
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  signal?: AbortSignal;
  sessions?: ClockDigestSessions;
  timeoutMs?: number;
}

/** `key=v` pairs, an array as repeated `key[]=v`, in the order given (the Digest `uri` hashes them as sent). */
export function encodeQuery(query: ClockQuery | undefined): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value as Scalar[]) parts.push(`${encodeURIComponent(name)}[]=${encodeURIComponent(String(item))}`);
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

export class ClockClient {
  private readonly http: VendorHttpClient;
  private readonly sessions: ClockDigestSessions;
  private readonly accountBase: string;
  private readonly sessionKey: string;

  constructor(private readonly options: ClockClientOptions) {
    const { settings, credentials, accountId } = options;
    if (!/^\d+$/.test(accountId)) throw pmsUnauthorized(CLOCK_VENDOR, `the property's Clock account id must be a number, got ${accountId}`);
    const base = clockBaseUrl(settings, credentials.region);
    this.accountBase = `${base}/pms_api/${credentials.subscriptionId}/${accountId}`;
    this.sessionKey = apiUserKey(settings, credentials);
    this.sessions = options.sessions ?? clockDigestSessions;
    this.http = new VendorHttpClient({
      vendor: CLOCK_KEY,
      baseUrl: base,
      logger: options.logger,
      // Clock promises no tail latency; a read that hangs belongs to the next attempt.
      timeoutMs: options.timeoutMs ?? 20_000,
      // The firewall's ban is waited out, not retried into.
      maxRetryDelayMs: CLOCK_BAN_MS + 10 * 60_000,
    });
  }

  /** One call: signed, limited, renewed once on a 401 (a fresh nonce), refused for good on a second. */
  async call<T>(call: ClockCall): Promise<ClockAnswer<T>> {
    const url = this.url(call.path, call.query);
    const uri = `${url.pathname}${url.search}`;
    const { apiUser, apiKey } = this.options.credentials;
    const sign = () => this.sessions.sign(this.sessionKey, { method: call.method, uri, username: apiUser, password: apiKey }, () => this.challenge());
    for (let renewed = false; ; renewed = true) {
      const { res, nonce } = await this.send<T>(call, url, sign);
      if (res.status === 404) return { status: 404, body: undefined };
      if (res.status !== 401) return { status: res.status, body: res.body };
      this.sessions.renew(this.sessionKey, nonce!, parseDigestChallenge(res.headers.get('www-authenticate')));
      if (renewed) throw pmsUnauthorized(CLOCK_VENDOR, `${call.operation}: the API user ${apiUser} and its key were refused (HTTP 401 with a fresh nonce)`);
      this.options.logger.info({ vendor: CLOCK_KEY, operation: call.operation }, 'clock refused the nonce; signing again with the fresh one');
    }
  }

  /** An unsigned request to the account's root page: Clock answers 401 with its Digest challenge. */
  private async challenge(): Promise<DigestChallenge> {
    const { credentials, accountId } = this.options;
    const call: ClockCall = { method: 'GET', path: '', operation: 'Digest challenge', write: false, missing: `account ${accountId} in subscription ${credentials.subscriptionId}` };
    const url = this.url('', undefined);
    const { res } = await this.send<unknown>(call, url, undefined);
    const challenge = res.status === 401 ? parseDigestChallenge(res.headers.get('www-authenticate')) : undefined;
    if (challenge) return challenge;
    throw vendorFailure({
      type: FailureType.VendorUnavailable,
      message: `expected a Digest challenge (401 with WWW-Authenticate), got HTTP ${res.status}`,
      retryable: true,
      details: { vendor: CLOCK_KEY, method: 'GET', path: url.pathname, status: res.status, ambiguous: false },
    });
  }

  /**
   * One HTTP request after the shared limiter, backing off on Clock's 429 as it prescribes. Each
   * attempt is signed anew (a nonce-count is never sent twice).
   */
  private async send<T>(call: ClockCall, url: URL, sign: (() => Promise<SignedRequest>) | undefined): Promise<{ res: VendorResponse<T>; nonce?: string }> {
    const { withinLimit, signal, logger } = this.options;
    for (let refused = 0; ; refused++) {
      const signed = sign ? await sign() : undefined;
      const res = await withinLimit(() =>
        this.http.request<T>({
          method: call.method,
          path: url.href,
          json: call.json,
          headers: signed ? { authorization: signed.authorization } : {},
          classify: clockClassifier(call),
          signal,
        }),
      );
      if (res.status !== 429) return { res, nonce: signed?.nonce };
      const delayMs = retryAfterDelay(res.headers, Date.now()) ?? (refused + 1) * BACKOFF_STEP_MS;
      if (refused >= MAX_BACKOFFS || delayMs > MAX_INLINE_BACKOFF_MS) {
        throw vendorFailure({
          type: FailureType.VendorRateLimited,
          message: `over the API user's limit (5 calls a second) after ${refused} back-offs`,
          retryable: true,
          delayMs,
          details: { vendor: CLOCK_KEY, method: call.method, path: url.pathname, status: 429, ambiguous: false, operation: call.operation },
        });
      }
      logger.info({ vendor: CLOCK_KEY, operation: call.operation, delayMs }, 'clock answered 429; backing off');
      await sleep(delayMs, undefined, { signal });
    }
  }

  private url(path: string, query: ClockQuery | undefined): URL {
    const url = new URL(`${this.accountBase}${path === '' ? '' : `/${path.replace(/^\/+/, '')}`}`);
    const search = encodeQuery(query);
    if (search) url.search = `?${search}`;
    return url;
  }
}
