import { ApplicationFailure } from '@temporalio/common';
import type { PmsOperation } from './operations';

/** Failure types a PMS activity raises; workflows and the API branch on these names, never on messages. */
export const PmsFailureType = {
  /** The vendor does not offer this operation (see the capability table). Never retried. */
  Unsupported: 'PmsUnsupportedOperation',
  /** The vendor refused the request as invalid (unknown reservation, bad amount, business rule). Never retried. */
  Rejected: 'PmsRequestRejected',
  /** The property's credentials were refused. Never retried: an operator must fix them. */
  Unauthorized: 'PmsUnauthorized',
  /** The record does not exist at the vendor. Never retried. */
  NotFound: 'PmsNotFound',
  /** The vendor could not be reached or failed (5xx, timeout, maintenance). Retried. */
  Unavailable: 'PmsUnavailable',
} as const;

export type PmsFailureTypeName = (typeof PmsFailureType)[keyof typeof PmsFailureType];

export function unsupportedOperation(vendor: string, operation: PmsOperation, note?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: PmsFailureType.Unsupported,
    message: `${vendor} does not support ${operation}${note ? `: ${note}` : ''}`,
    nonRetryable: true,
    details: [{ vendor, operation }],
  });
}

export function pmsRejected(vendor: string, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type: PmsFailureType.Rejected, message: `${vendor} refused the request: ${message}`, nonRetryable: true, details: details ? [details] : [] });
}

export function pmsNotFound(vendor: string, what: string): ApplicationFailure {
  return ApplicationFailure.create({ type: PmsFailureType.NotFound, message: `${vendor} has no ${what}`, nonRetryable: true });
}

export function pmsUnauthorized(vendor: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: PmsFailureType.Unauthorized, message: `${vendor} refused the property's credentials: ${message}`, nonRetryable: true });
}

/**
 * How far a vendor's refusal reaches: the request's own rate scope, or every scope of the vendor
 * (a firewall that bans Relay's address answers every credential alike).
 */
export type PmsCallPauseScope = 'rate-scope' | 'vendor';

/** What an adapter puts in a failure's details when its vendor refuses every call at a scope for a while. */
export interface PmsCallPauseRequest {
  pauseCalls: { scope: PmsCallPauseScope; ms: number };
}

/**
 * The pause a failure asks for, if any. The core then stops every call there, in every worker,
 * until it has passed: a vendor whose ban each new call extends is waited out, not called into.
 */
export function pauseRequestOf(error: unknown): PmsCallPauseRequest['pauseCalls'] | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const pause = (error.details?.[0] as Partial<PmsCallPauseRequest> | undefined)?.pauseCalls;
  if (!pause || (pause.scope !== 'rate-scope' && pause.scope !== 'vendor') || !(pause.ms > 0)) return undefined;
  return pause;
}
