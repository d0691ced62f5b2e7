import { FailureType } from '../failure-types';

/**
 * What went wrong with a PMS call, in the terms the API answers in. Adapters raise the PMS
 * failure types (src/integrations/pms/errors.ts, named here by value: this folder imports no
 * other) and, through the shared vendor HTTP client, the generic vendor ones; both are folded
 * here. Workflow-safe.
 */
export type PmsProblem =
  /** The PMS refused the request (validation, business rule). */
  | 'rejected'
  /** The PMS has no such record. */
  | 'not_found'
  /** The PMS refused the property's credentials: an operator must update them. */
  | 'unauthorized'
  /** The vendor does not offer the operation (capability table). */
  | 'unsupported'
  /** Relay cannot use the property now (deleted, its vendor not configured, its credentials unreadable). */
  | 'misconfigured'
  /** The PMS did not answer (down, 5xx, timeout, its limit): retried, then reported. */
  | 'unavailable';

/** Raised by Relay itself when a property cannot be served (deleted, vendor disabled, bad credentials). Never retried. */
export const PMS_PROPERTY_UNUSABLE = 'PmsPropertyUnusable';

const BY_TYPE: Record<string, PmsProblem> = {
  PmsRequestRejected: 'rejected',
  PmsNotFound: 'not_found',
  PmsUnauthorized: 'unauthorized',
  PmsUnsupportedOperation: 'unsupported',
  [PMS_PROPERTY_UNUSABLE]: 'misconfigured',
  [FailureType.VendorRejected]: 'rejected',
  [FailureType.Conflict]: 'rejected',
  [FailureType.InvalidInput]: 'rejected',
  [FailureType.NotFound]: 'not_found',
  [FailureType.VendorAuthFailed]: 'unauthorized',
};

/** The problem a failure of this type names; anything else is the PMS being unavailable. */
export function pmsProblemOf(type: string | null | undefined): PmsProblem {
  return BY_TYPE[type ?? ''] ?? 'unavailable';
}
