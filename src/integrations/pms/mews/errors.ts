/**
 * How Mews' answers become Relay failures (guidelines/responses.md). Every Connector API call is
 * a POST, reads included, so whether a lost answer is ambiguous depends on the operation, not
 * the method: the client says which calls write.
 *
 *   401 credentials refused or permission missing → PmsUnauthorized (an operator must act)
 *   400 malformed request or unknown id, 403 business rule → PmsRequestRejected
 *   404 the operation's address is wrong → a bug in Relay, never retried
 *   408 request too heavy → retryable; reads over a time window split it first
 *   409 data changed concurrently → retryable
 *   429 over the limit → retryable after `Retry-After` (the shared client reads it)
 *   5xx → retryable (a gateway's 502/504 to a write: outcome unknown)
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Classification, Classifier, VendorAnswer } from '../../http';
import { pmsRejected, pmsUnauthorized } from '../errors';

/** The vendor as operators read it (PMS failures). */
export const MEWS_VENDOR = 'Mews';
/** The vendor as the HTTP client's logs and failure details name it. */
export const MEWS_KEY = 'mews';

/** What Mews says went wrong, shortened: the message is meant for the hotel's staff, but it is no log. */
function mewsMessage(answer: VendorAnswer): { message: string; requestId: string | null } {
  const body = answer.body as { Message?: unknown; RequestId?: unknown } | undefined;
  const text = typeof body?.Message === 'string' && body.Message.trim() ? body.Message.trim() : `HTTP ${answer.status}`;
  const requestId = typeof body?.RequestId === 'string' ? body.RequestId : answer.headers.get('request-id');
  return { message: text.length > 200 ? `${text.slice(0, 197)}...` : text, requestId };
}

export function mewsClassifier(operation: string, write: boolean): Classifier {
  return (answer: VendorAnswer): Classification | undefined => {
    const { status } = answer;
    if (status >= 200 && status < 300) {
      // Mews took a write whose answer we cannot read: look it up, never send it again blindly.
      if (answer.notJson && write) return { outcome: 'retryable', type: FailureType.VendorOutcomeUnknown, message: 'accepted, but the answer was not JSON' };
      return undefined;
    }
    const { message, requestId } = mewsMessage(answer);
    const details = { status, operation, requestId };
    if (status === 401) return { outcome: 'custom', error: pmsUnauthorized(MEWS_VENDOR, message) };
    if (status === 400 || status === 403) return { outcome: 'custom', error: pmsRejected(MEWS_VENDOR, message, details) };
    if (status === 404) {
      return { outcome: 'non-retryable', type: FailureType.InvalidInput, message: `Mews has no operation ${operation} (a wrong address is a bug in Relay)`, details };
    }
    if (status === 408) return { outcome: 'retryable', type: FailureType.VendorUnavailable, message: 'request too heavy for Mews: split the time window', details: { ...details, hint: 'split-window' } };
    if (status === 409) return { outcome: 'retryable', type: FailureType.VendorUnavailable, message: 'data changed concurrently at Mews', details };
    if (status === 429) return { outcome: 'retryable', type: FailureType.VendorRateLimited, message: 'over the AccessToken limit', details };
    if (status >= 500) {
      const ambiguous = write && (status === 502 || status === 504);
      return { outcome: 'retryable', type: ambiguous ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable, message: `HTTP ${status}`, details };
    }
    return { outcome: 'non-retryable', type: FailureType.VendorRejected, message, details };
  };
}

/** Whether a failure is Mews' 408 "split the window". */
export function isSplitWindowHint(error: unknown): boolean {
  if (!(error instanceof ApplicationFailure)) return false;
  const first: unknown = error.details?.[0];
  return typeof first === 'object' && first !== null && (first as { status?: unknown }).status === 408;
}
