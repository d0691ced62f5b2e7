import { performance } from 'node:perf_hooks';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failure-types';
import type { Logger } from '../../logger';
import {
  type Classifier,
  defaultClassify,
  isSafeMethod,
  type VendorAnswer,
  type VendorFailureDetails,
  vendorFailure,
} from './classify';
import { ADDRESS_REFUSED } from './egress-guard';
import { redactHeaders, redactUrl } from './redact';
import { type RetryDelayParser, retryAfterDelay } from './retry-after';

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Scalar = string | number | boolean;
export type ParamValue = Scalar | readonly Scalar[] | undefined;

export interface VendorHttpClientOptions {
  /** Short vendor name for logs and failures: `exact-online`, `mews`, `twilio`, ... */
  vendor: string;
  /** Requests' paths are appended to it; absolute URLs must share its origin. */
  baseUrl: string;
  logger: Logger;
  /** Per attempt, from sending to the last byte of the answer. Default 30 s. */
  timeoutMs?: number;
  /** Sent with every request (e.g. `Prefer`), overridden by a request's own. */
  headers?: Record<string, string>;
  /** `Authorization` value per request (see `bearerAuth`, `basicAuth`), so a refreshed token is picked up. */
  authorization?: () => string | undefined | Promise<string | undefined>;
  /** The vendor's exceptions to HTTP conventions; falls back to `defaultClassify`. */
  classify?: Classifier;
  /** Where the vendor says how long to back off. Default: `Retry-After`. */
  retryDelay?: RetryDelayParser;
  /** Upper bound of a vendor-requested delay (a daily quota may reset hours later). Default 1 h. */
  maxRetryDelayMs?: number;
  /**
   * Opens the connections (fetch's `dispatcher`), e.g. `guardedAgent` to refuse addresses of
   * Relay's own network. Default: Node's shared one.
   */
  dispatcher?: NonNullable<RequestInit['dispatcher']>;
  /** How a request's URL appears in logs and failure messages. Default {@link redactUrl}. */
  redactUrl?: (url: URL) => string;
  /** Reads at most this many bytes of an answer; the rest is discarded unread (the connection closes). Default: all. */
  maxResponseBytes?: number;
}

export interface VendorRequest {
  method?: HttpMethod;
  /** Relative to `baseUrl`; an absolute URL (a `__next` link) must be on the same origin. */
  path: string;
  query?: Record<string, ParamValue>;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`; arrays repeat the key (Twilio's `MediaUrl`). */
  form?: Record<string, ParamValue>;
  /** Sent as is (e.g. SOAP XML); set `content-type` in `headers`. */
  body?: string | Uint8Array;
  /** How to read the answer. Default `json` (an empty body reads as `undefined`). */
  parse?: 'json' | 'text';
  /** Cancels the request; in an activity pass `Context.current().cancellationSignal`. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Rules for this request only, consulted before the client's. */
  classify?: Classifier;
}

export interface VendorResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  durationMs: number;
}

// Failures raised before any byte can have reached the vendor.
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRY_DELAY_MS = 60 * 60_000;

/**
 * The one way Relay talks HTTP to vendors: Node's fetch with a timeout and the caller's
 * cancellation, vendor answers turned into `ApplicationFailure`s with named types, and
 * one log line per call (method, path without secrets, status, duration; bodies never).
 */
export class VendorHttpClient {
  private readonly base: URL;
  private lastCallAt: number | undefined;

  constructor(private readonly options: VendorHttpClientOptions) {
    this.base = new URL(options.baseUrl);
  }

  get vendor(): string {
    return this.options.vendor;
  }

  /**
   * Milliseconds since this client last called the vendor (Infinity before its first call).
   * Idle keep-alive connections close after a few seconds, so the next call opens a new one.
   */
  idleMs(now = Date.now()): number {
    return this.lastCallAt === undefined ? Infinity : now - this.lastCallAt;
  }

  async request<T = unknown>(req: VendorRequest): Promise<VendorResponse<T>> {
    const { vendor, logger } = this.options;
    const method = req.method ?? 'GET';
    const parse = req.parse ?? 'json';
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    let url: URL;
    let path: string;
    let headers: Headers;
    let body: string | Uint8Array | undefined;
    try {
      url = this.url(req);
      path = (this.options.redactUrl ?? redactUrl)(url);
      headers = new Headers(this.options.headers);
      for (const [name, value] of Object.entries(req.headers ?? {})) headers.set(name, value);
      body = encodeBody(req, headers);
      if (parse === 'json' && !headers.has('accept')) headers.set('accept', 'application/json');
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      // A bug on our side (bad URL, a header value with a newline): retrying will not help.
      throw ApplicationFailure.create({
        type: FailureType.InvalidInput,
        message: `${vendor} ${method}: could not build the request: ${(error as Error).message}`,
        nonRetryable: true,
      });
    }

    // Outside the try above: a token endpoint that is down is worth retrying, its own failure says so.
    if (!headers.has('authorization') && this.options.authorization) {
      const value = await this.options.authorization();
      if (value) headers.set('authorization', value);
    }

    const ctx = { vendor, method, path };
    if (req.signal?.aborted) throw cancellation(req.signal);

    const controller = new AbortController();
    const state = { timedOut: false };
    const timer = setTimeout(() => {
      state.timedOut = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onCancel = () => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onCancel, { once: true });

    logger.debug({ ...ctx, headers: redactHeaders(headers) }, 'vendor request');
    const started = performance.now();
    let response: Response | undefined;
    let text: string;
    try {
      // Redirects are never followed: a 3xx would re-send credentials or a signed body to
      // another address (an internal one, for a hostile webhook endpoint). It is classified instead.
      this.lastCallAt = Date.now();
      response = await fetch(url, { method, headers, body, signal: controller.signal, redirect: 'manual', dispatcher: this.options.dispatcher });
      text = await readText(response, this.options.maxResponseBytes);
    } catch (error) {
      const durationMs = Math.round(performance.now() - started);
      if (req.signal?.aborted) {
        logger.info({ ...ctx, status: response?.status, durationMs }, 'vendor request cancelled');
        throw cancellation(req.signal);
      }
      throw this.transportFailure(error, { ...ctx, status: response?.status, durationMs, timedOut: state.timedOut, timeoutMs });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCancel);
    }
    const durationMs = Math.round(performance.now() - started);

    let parsed: unknown;
    let notJson = false;
    if (parse === 'text') parsed = text;
    else if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        notJson = true;
      }
    }
    const answer: VendorAnswer = { ...ctx, status: response.status, headers: response.headers, body: parsed, text, notJson };
    const verdict = req.classify?.(answer) ?? this.options.classify?.(answer) ?? defaultClassify(answer);
    const logged = {
      ...ctx,
      status: response.status,
      durationMs,
      ...(logger.isLevelEnabled('debug') ? { headers: redactHeaders(response.headers) } : {}),
    };

    if (verdict.outcome === 'ok') {
      logger.info(logged, 'vendor response');
      return { status: response.status, headers: response.headers, body: parsed as T, durationMs };
    }
    if (verdict.outcome === 'custom') {
      logger.warn({ ...logged, failure: verdict.error.name }, 'vendor request failed');
      throw verdict.error;
    }

    const retryable = verdict.outcome === 'retryable';
    const type = verdict.type ?? FailureType.VendorUnavailable;
    const delayMs = retryable ? this.retryDelay(verdict.delayMs, response.headers) : undefined;
    const details: VendorFailureDetails = {
      ...ctx,
      status: response.status,
      ambiguous: type === FailureType.VendorOutcomeUnknown,
      ...verdict.details,
    };
    logger.warn({ ...logged, failure: type, retryable, retryDelayMs: delayMs, ambiguous: details.ambiguous }, 'vendor request failed');
    throw vendorFailure({ type, message: verdict.message ?? `HTTP ${response.status}`, retryable, details, delayMs });
  }

  private url(req: VendorRequest): URL {
    let url: URL;
    if (/^https?:\/\//i.test(req.path)) {
      url = new URL(req.path);
      // Credentials go to the configured vendor only, whatever a response links to.
      if (url.origin !== this.base.origin) {
        throw ApplicationFailure.create({
          type: FailureType.InvalidInput,
          message: `${this.options.vendor}: refusing to send a request to another origin than ${this.base.origin}`,
          nonRetryable: true,
        });
      }
    } else {
      url = new URL(`${this.base.href.replace(/\/+$/, '')}/${req.path.replace(/^\/+/, '')}`);
    }
    const query = encodeParams(req.query, encodeURIComponent);
    if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
    return url;
  }

  private retryDelay(requested: number | undefined, headers: Headers): number | undefined {
    const parse = this.options.retryDelay ?? retryAfterDelay;
    const delay = requested ?? parse(headers, Date.now());
    if (delay === undefined) return undefined;
    return Math.min(Math.max(0, delay), this.options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS);
  }

  /** No complete answer: refused, reset, timed out. */
  private transportFailure(
    error: unknown,
    ctx: { vendor: string; method: string; path: string; status?: number; durationMs: number; timedOut: boolean; timeoutMs: number },
  ): ApplicationFailure {
    const { timedOut, timeoutMs, durationMs, ...where } = ctx;
    const code = errorCode(error);
    if (code === ADDRESS_REFUSED) {
      // The dispatcher refused the address before connecting: nothing was sent, and the same
      // address would be refused again.
      const message = rootCause(error).message;
      this.options.logger.warn({ ...where, durationMs, failure: FailureType.DestinationRefused, retryable: false, code, reason: message }, 'vendor request refused');
      return vendorFailure({ type: FailureType.DestinationRefused, message, retryable: false, details: { ...where, ambiguous: false, reason: 'address-refused', code } });
    }
    const sent = timedOut || code === undefined || !NOT_SENT.has(code);
    // Reading or listing changes nothing, so only a lost answer to a write is ambiguous.
    const ambiguous = sent && !isSafeMethod(ctx.method);
    let type: string;
    let message: string;
    if (timedOut) {
      type = ambiguous ? FailureType.VendorOutcomeUnknown : FailureType.VendorTimeout;
      message = `no complete answer within ${timeoutMs} ms`;
    } else {
      type = ambiguous ? FailureType.VendorOutcomeUnknown : code === 'UND_ERR_CONNECT_TIMEOUT' ? FailureType.VendorTimeout : FailureType.VendorUnavailable;
      message = `${sent ? 'connection lost' : 'could not connect'} (${code ?? 'unknown'}: ${rootCause(error).message})`;
    }
    this.options.logger.warn({ ...where, durationMs, failure: type, retryable: true, ambiguous, code }, 'vendor request failed');
    return vendorFailure({
      type,
      message,
      retryable: true,
      details: { ...where, ambiguous, reason: timedOut ? 'timeout' : sent ? 'connection-lost' : 'connect-failed', code },
      cause: timedOut ? undefined : rootCause(error),
    });
  }
}

/** The answer's text, or its first `limit` bytes: the rest is not read (cancelling the body closes the connection). */
async function readText(response: Response, limit: number | undefined): Promise<string> {
  if (limit === undefined || !response.body) return response.text();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const part = value.subarray(0, limit - size);
      chunks.push(part);
      size += part.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function encodeParams(params: Record<string, ParamValue> | undefined, encode: (s: string) => string): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${encode(name)}=${encode(String(item))}`);
  }
  return parts.join('&');
}

function encodeBody(req: VendorRequest, headers: Headers): string | Uint8Array | undefined {
  const given = [req.json !== undefined, req.form !== undefined, req.body !== undefined].filter(Boolean).length;
  if (given > 1) throw new Error('give one of json, form and body');
  if (req.json !== undefined) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    return JSON.stringify(req.json);
  }
  if (req.form !== undefined) {
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
    // Form encoding proper: spaces as '+', as Twilio and OAuth token endpoints expect.
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(req.form)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, String(item));
    }
    return form.toString();
  }
  return req.body;
}

/**
 * What an activity throws when it is cancelled: the reason Temporal aborted its signal with
 * (a `CancelledFailure`), or a `CancelledFailure` for a plain `abort()`.
 */
function cancellation(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return isError(reason) && reason.name !== 'AbortError' ? reason : new CancelledFailure('vendor request cancelled');
}

function rootCause(error: unknown): Error {
  let current: unknown = error;
  while (isError(current) && isError(current.cause)) current = current.cause;
  return isError(current) ? current : new Error(String(error));
}

/** `ECONNREFUSED`, `UND_ERR_SOCKET`, ...: on the error, a cause, or the first of an AggregateError. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let i = 0; i < 5 && isError(current); i++) {
    const { code, errors } = current as { code?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    current = current.cause ?? (Array.isArray(errors) ? (errors[0] as unknown) : undefined);
  }
  return undefined;
}

/** Not `instanceof`: fetch's errors may come from another realm (a test sandbox). */
function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}
