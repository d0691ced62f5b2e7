import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../domain/failure-types';

/** What a classifier sees of a vendor's answer. */
export interface VendorAnswer {
  vendor: string;
  method: string;
  /** Path and query as logged (secrets censored), for messages. */
  path: string;
  status: number;
  headers: Headers;
  /** Parsed JSON (`parse: 'json'`) or the text (`parse: 'text'`); undefined when empty or not parseable. */
  body: unknown;
  /** The raw response text, e.g. to recognise an HTML maintenance page. */
  text: string;
  /** `parse: 'json'` was asked for and the body is not JSON. */
  notJson: boolean;
}

export interface FailureSpec {
  type?: string;
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * The verdict on an answer:
 * - `ok`: return it to the caller (whatever the status, e.g. OHIP's 204 "not found");
 * - `retryable`: throw a retryable `ApplicationFailure`; `delayMs` (else the client's
 *   header parser) becomes its `nextRetryDelay`;
 * - `non-retryable`: throw a non-retryable `ApplicationFailure`;
 * - `custom`: throw this error as it is.
 */
export type Classification =
  | { outcome: 'ok' }
  | ({ outcome: 'retryable'; delayMs?: number } & FailureSpec)
  | ({ outcome: 'non-retryable'; type: string } & FailureSpec)
  | { outcome: 'custom'; error: Error };

/**
 * Per-adapter rules for vendors that break the HTTP conventions (Exact's 401 means
 * "refresh and retry", Cloudbeds answers 200 with `success: false`, ...). Return
 * `undefined` to fall back to {@link defaultClassify}. A retryable outcome must not use a
 * type from `NON_RETRYABLE_FAILURE_TYPES` (Temporal's retry policy would stop it anyway):
 * Mews' 409 "changed concurrently" is `VendorUnavailable`, not `Conflict`.
 */
export type Classifier = (answer: VendorAnswer) => Classification | undefined;

/**
 * The HTTP conventions: 2xx ok (unless JSON was expected and something else came, as from
 * a maintenance page); 429 rate limited; 5xx unavailable (502/504 to a write: outcome
 * unknown); all retryable. Other statuses are the vendor refusing this request:
 * non-retryable (401/403 `VendorAuthFailed`, 404/410 `NotFound`, 409 `Conflict`, else
 * `VendorRejected`).
 */
export function defaultClassify(answer: VendorAnswer): Classification {
  const { status } = answer;
  if (status >= 200 && status < 300) {
    if (answer.notJson) {
      const contentType = answer.headers.get('content-type') ?? 'no content type';
      return { outcome: 'retryable', type: FailureType.VendorUnavailable, message: `expected JSON, got ${contentType}` };
    }
    return { outcome: 'ok' };
  }
  if (status === 429) return { outcome: 'retryable', type: FailureType.VendorRateLimited };
  // A gateway gave up waiting for the vendor, which may still have applied the write.
  if ((status === 502 || status === 504) && !isSafeMethod(answer.method)) {
    return { outcome: 'retryable', type: FailureType.VendorOutcomeUnknown, message: `HTTP ${status} from a gateway` };
  }
  if (status >= 500) return { outcome: 'retryable', type: FailureType.VendorUnavailable };
  if (status === 401 || status === 403) return { outcome: 'non-retryable', type: FailureType.VendorAuthFailed };
  if (status === 404 || status === 410) return { outcome: 'non-retryable', type: FailureType.NotFound };
  if (status === 409) return { outcome: 'non-retryable', type: FailureType.Conflict };
  return { outcome: 'non-retryable', type: FailureType.VendorRejected };
}

/** Methods that change nothing at the vendor: a lost answer to them is never ambiguous. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

export interface VendorFailureDetails {
  vendor: string;
  method: string;
  path: string;
  status?: number;
  /** The request may have taken effect at the vendor although no complete answer came back. */
  ambiguous: boolean;
  [key: string]: unknown;
}

export function vendorFailure(options: {
  type: string;
  message: string;
  retryable: boolean;
  details: VendorFailureDetails;
  delayMs?: number;
  cause?: Error;
}): ApplicationFailure {
  const { vendor, method, path } = options.details;
  return ApplicationFailure.create({
    type: options.type,
    message: `${vendor} ${method} ${path}: ${options.message}`,
    nonRetryable: !options.retryable,
    details: [options.details],
    nextRetryDelay: options.retryable && options.delayMs !== undefined && options.delayMs > 0 ? options.delayMs : undefined,
    cause: options.cause,
  });
}

/**
 * Whether a vendor call may have taken effect although it failed: a non-idempotent caller
 * (e.g. sending a message) looks the result up before it sends again.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  return error instanceof ApplicationFailure && error.type === FailureType.VendorOutcomeUnknown;
}
