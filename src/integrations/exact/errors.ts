/**
 * What can go wrong talking to Exact Online, as typed errors. Each is an `ApplicationFailure`, so an activity
 * throws it as it is and Temporal sees its type, its retryability and its delay; inside the activity the class
 * tells them apart (`instanceof ExactBudgetExhausted`). Workflows see only the failure: they branch on `type` and
 * read the details with {@link exactFailureDetails}.
 *
 * Imports nothing but Temporal's common package and the failure type names: workflows may import it.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failure-types';

/** Failure types of Exact's own conditions (the others use `FailureType`). */
export const ExactFailureType = {
  /** The connection can no longer refresh its tokens: an operator must re-authorise it. */
  NeedsReauth: 'ExactNeedsReauth',
  /** The division's call budget is spent beyond the wait horizon: end the run as partial, resume at `retryAtMs`. */
  BudgetExhausted: 'ExactBudgetExhausted',
  /** Exact answered with its maintenance page: retry later. */
  Maintenance: 'ExactMaintenance',
} as const;

export type ExactRateScope = 'minutely' | 'daily';

/** What each Exact failure carries as its first detail (JSON, so it crosses Temporal). */
export interface ExactFailureDetails {
  vendor: 'exact-online';
  /** The endpoint, e.g. `crm/Accounts` (no keys, no filter values). */
  endpoint?: string;
  method?: string;
  status?: number;
  /** The request may have taken effect although no usable answer came back (a create: look it up first). */
  ambiguous: boolean;
  /** Epoch ms (this process's clock) from which a call may succeed again. */
  retryAtMs?: number;
  scope?: ExactRateScope;
  /** Why the connection needs re-authorising, or why the vendor refused (`invalid_grant`, Exact's message). */
  reason?: string;
  connectionId?: string;
  division?: number;
}

function defineName(cls: { prototype: object }, name: string): void {
  // Temporal defines `name` read-only on ApplicationFailure's prototype; a subclass redefines it on its own.
  Object.defineProperty(cls.prototype, 'name', { value: name, enumerable: true });
}

interface Init {
  message: string;
  type: string;
  retryable: boolean;
  details: Omit<ExactFailureDetails, 'vendor' | 'ambiguous'> & { ambiguous?: boolean };
  delayMs?: number;
  cause?: Error;
}

/** The base of every Exact failure. */
export abstract class ExactError extends ApplicationFailure {
  readonly exact: ExactFailureDetails;

  protected constructor(init: Init) {
    const details: ExactFailureDetails = { vendor: 'exact-online', ambiguous: false, ...init.details };
    const delay = init.retryable && init.delayMs !== undefined && init.delayMs > 0 ? Math.ceil(init.delayMs) : undefined;
    super(`exact-online: ${init.message}`, init.type, !init.retryable, [details], init.cause, delay);
    this.exact = details;
  }
}

/**
 * The tokens do not work. With `needsReauth` the connection is marked `needs_reauth` (refresh token invalid or
 * expired): nothing helps but an operator re-authorising, so it is not retryable. Without it, Exact refused a
 * fresh token (a 401 right after a refresh) or the token endpoint refused Relay's client credentials.
 */
export class ExactAuthError extends ExactError {
  readonly needsReauth: boolean;
  readonly reason: string;

  constructor(options: { reason: string; needsReauth: boolean; connectionId?: string; message?: string; retryable?: boolean; delayMs?: number; division?: number }) {
    super({
      message: options.message ?? (options.needsReauth ? `the connection needs re-authorising (${options.reason})` : `authentication failed (${options.reason})`),
      type: options.needsReauth ? ExactFailureType.NeedsReauth : FailureType.VendorAuthFailed,
      retryable: !options.needsReauth && options.retryable === true,
      details: { reason: options.reason, connectionId: options.connectionId, division: options.division },
      delayMs: options.delayMs,
    });
    this.needsReauth = options.needsReauth;
    this.reason = options.reason;
  }
}
defineName(ExactAuthError, 'ExactAuthError');

/**
 * Exact answered 429 again and again although Relay kept to the budget (someone else uses the division's calls).
 * Retryable after `retryAtMs`.
 */
export class ExactRateLimited extends ExactError {
  readonly retryAtMs: number;
  readonly scope: ExactRateScope;

  constructor(options: { retryAtMs: number; scope: ExactRateScope; division?: number; endpoint?: string; now?: number }) {
    const now = options.now ?? Date.now();
    super({
      message: `rate limited (${options.scope}) until ${new Date(options.retryAtMs).toISOString()}`,
      type: FailureType.VendorRateLimited,
      retryable: true,
      details: { retryAtMs: options.retryAtMs, scope: options.scope, division: options.division, endpoint: options.endpoint, status: 429 },
      delayMs: options.retryAtMs - now,
    });
    this.retryAtMs = options.retryAtMs;
    this.scope = options.scope;
  }
}
defineName(ExactRateLimited, 'ExactRateLimited');

/**
 * The division's budget has no call left within the wait horizon. Not a failure of the run: the workflow ends it
 * as a partial success with its cursor saved and resumes at `retryAtMs`. Not retryable (an activity retry would
 * only wait where the workflow should).
 */
export class ExactBudgetExhausted extends ExactError {
  readonly retryAtMs: number;
  readonly scope: ExactRateScope;

  constructor(options: { retryAtMs: number; scope: ExactRateScope; division: number }) {
    super({
      message: `division ${options.division}: ${options.scope} call budget spent until ${new Date(options.retryAtMs).toISOString()}`,
      type: ExactFailureType.BudgetExhausted,
      retryable: false,
      details: { retryAtMs: options.retryAtMs, scope: options.scope, division: options.division },
    });
    this.retryAtMs = options.retryAtMs;
    this.scope = options.scope;
  }
}
defineName(ExactBudgetExhausted, 'ExactBudgetExhausted');

/** Exact's maintenance page (HTML, with 200 or 503) came instead of data: retry later, never parse it. */
export class ExactMaintenance extends ExactError {
  constructor(options: { status: number; method: string; endpoint: string; delayMs?: number }) {
    super({
      message: `${options.method} ${options.endpoint}: Exact Online is down for maintenance (HTTP ${options.status})`,
      type: ExactFailureType.Maintenance,
      retryable: true,
      details: { status: options.status, method: options.method, endpoint: options.endpoint },
      delayMs: options.delayMs,
    });
  }
}
defineName(ExactMaintenance, 'ExactMaintenance');

/**
 * Exact refused the request itself (4xx other than 401 and 429): sending it again will not help. Counts toward
 * Exact's error limit (more than 10 per endpoint per hour blocks the key). `message` is Exact's
 * `error.message.value`.
 */
export class ExactRequestRejected extends ExactError {
  readonly status: number;
  readonly vendorMessage: string | undefined;

  constructor(options: { status: number; method: string; endpoint: string; vendorMessage?: string }) {
    const type = options.status === 404 ? FailureType.NotFound : options.status === 409 ? FailureType.Conflict : FailureType.VendorRejected;
    super({
      message: `${options.method} ${options.endpoint}: HTTP ${options.status}${options.vendorMessage ? `: ${options.vendorMessage}` : ''}`,
      type,
      retryable: false,
      details: { status: options.status, method: options.method, endpoint: options.endpoint, reason: options.vendorMessage },
    });
    this.status = options.status;
    this.vendorMessage = options.vendorMessage;
  }
}
defineName(ExactRequestRejected, 'ExactRequestRejected');

/**
 * No usable answer: 5xx, a timeout, a lost connection, an answer that is not what Exact sends. Retryable. With
 * `ambiguous` a write may have been applied (type `VendorOutcomeUnknown`, so `isOutcomeUnknown` sees it): look
 * the account up (its SearchCode) before creating it again.
 */
export class ExactUnavailable extends ExactError {
  readonly ambiguous: boolean;

  constructor(options: { message: string; method?: string; endpoint?: string; status?: number; ambiguous: boolean; timedOut?: boolean; cause?: Error; delayMs?: number }) {
    super({
      message: options.method ? `${options.method} ${options.endpoint ?? ''}: ${options.message}` : options.message,
      type: options.ambiguous ? FailureType.VendorOutcomeUnknown : options.timedOut ? FailureType.VendorTimeout : FailureType.VendorUnavailable,
      retryable: true,
      details: { status: options.status, method: options.method, endpoint: options.endpoint, ambiguous: options.ambiguous },
      cause: options.cause,
      delayMs: options.delayMs,
    });
    this.ambiguous = options.ambiguous;
  }
}
defineName(ExactUnavailable, 'ExactUnavailable');

/** The details of an Exact failure as a workflow sees it (the activity's failure's cause), or undefined. */
export function exactFailureDetails(failure: unknown): ExactFailureDetails | undefined {
  if (!(failure instanceof ApplicationFailure)) return undefined;
  const first: unknown = failure.details?.[0];
  if (typeof first !== 'object' || first === null || (first as { vendor?: unknown }).vendor !== 'exact-online') return undefined;
  return first as ExactFailureDetails;
}

/**
 * What to throw when the caller's signal aborted a wait: the reason Temporal aborted it with (a
 * `CancelledFailure` in an activity), or a `CancelledFailure` for a plain `abort()`.
 */
export function cancellation(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name !== 'AbortError' ? reason : new CancelledFailure('cancelled while waiting for Exact Online');
}

/** Waits `ms`, or rejects with {@link cancellation} as soon as `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancellation(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancellation(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
