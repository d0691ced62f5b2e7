/**
 * How Clock PMS+ answers become Relay failures. Clock asks integrations not to repeat a refused
 * request unchanged, except after a 429; its firewall bans an address that keeps trying for about
 * two hours, answering 403 with its own page.
 *
 *   401 Digest refused → handled by the client (fresh nonce, one more try; then PmsUnauthorized)
 *   429 over the API user's limit → handled by the client (back-off, then VendorRateLimited)
 *   403 {"error": "The User doesn't have ... right"} (or no access to the account) → PmsUnauthorized
 *   403 without Clock's JSON: the firewall's ban → retryable, not before two hours; every Clock
 *     call from Relay pauses until then (calling into the ban extends it)
 *   404 unknown record → null for reads by id, PmsNotFound for writes
 *   400, 422 (validation) and other 4xx → PmsRequestRejected
 *   5xx → retryable (a gateway's 502/504 to a write: outcome unknown)
 */
import { FailureType } from '../../../domain/failure-types';
import type { Classification, Classifier, VendorAnswer } from '../../http';
import { type PmsCallPauseRequest, pmsNotFound, pmsRejected, pmsUnauthorized } from '../errors';

/** The vendor as operators read it (PMS failures). */
export const CLOCK_VENDOR = 'Clock PMS+';
/** The vendor as the HTTP client's logs and failure details name it. */
export const CLOCK_KEY = 'clock';

/** How long the firewall's ban lasts. */
export const CLOCK_BAN_MS = 2 * 3_600_000;

export interface ClockCallDescription {
  /** For messages: `booking - VIEW`, `booking_charges_by_source - CREATE`, ... */
  operation: string;
  /** The call changes data at Clock: an answer lost after sending is ambiguous. */
  write: boolean;
  /** What a 404 means: `null` (the caller answers null) or the record's name for PmsNotFound. */
  missing?: 'null' | string;
}

/** What Clock says went wrong: `{"error": "..."}` or Rails' `{"errors": {"field": ["..."]}}`, shortened. */
export function clockMessage(answer: Pick<VendorAnswer, 'body' | 'status'>): string {
  const body = answer.body as { error?: unknown; errors?: unknown } | undefined;
  let text = `HTTP ${answer.status}`;
  if (typeof body?.error === 'string' && body.error.trim()) text = body.error.trim();
  else if (typeof body?.errors === 'object' && body.errors !== null) {
    text = Object.entries(body.errors as Record<string, unknown>)
      .map(([field, list]) => `${field} ${Array.isArray(list) ? list.join(', ') : String(list)}`)
      .join('; ');
  }
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** Clock's own refusal of an API user (a missing right, an account it may not use), not the firewall. */
function isUserRefusal(answer: VendorAnswer): boolean {
  const error = (answer.body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' && /\b(right|access)\b/i.test(error);
}

export function clockClassifier(call: ClockCallDescription): Classifier {
  return (answer: VendorAnswer): Classification | undefined => {
    const { status } = answer;
    const details = { status, operation: call.operation };
    if (status >= 200 && status < 300) {
      if (!answer.notJson) return { outcome: 'ok' };
      // Clock took a write whose answer we cannot read: look it up, never send it again blindly.
      return { outcome: 'retryable', type: call.write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable, message: 'expected JSON', details };
    }
    if (status === 401 || status === 429) return { outcome: 'ok' };
    if (status === 403) {
      if (isUserRefusal(answer)) return { outcome: 'custom', error: pmsUnauthorized(CLOCK_VENDOR, clockMessage(answer)) };
      return {
        outcome: 'retryable',
        type: FailureType.VendorUnavailable,
        message: "Clock's firewall refuses this address (a ban lasts about two hours; calling sooner extends it)",
        delayMs: CLOCK_BAN_MS,
        // The ban is on Relay's address, whichever API user calls: every Clock call waits it out.
        details: { ...details, firewall: true, ...({ pauseCalls: { scope: 'vendor', ms: CLOCK_BAN_MS } } satisfies PmsCallPauseRequest) },
      };
    }
    if (status === 404) {
      if (call.missing === 'null') return { outcome: 'ok' };
      return { outcome: 'custom', error: pmsNotFound(CLOCK_VENDOR, call.missing ?? `answer to ${call.operation}`) };
    }
    if (status >= 500) return undefined;
    return { outcome: 'custom', error: pmsRejected(CLOCK_VENDOR, clockMessage(answer), details) };
  };
}
