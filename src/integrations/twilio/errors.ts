/**
 * How Twilio's answers become Relay failures, overriding the HTTP wrapper's defaults where Twilio's error codes say
 * more than its status: an invalid or opted-out recipient is a verdict on the recipient, not on the request;
 * Twilio's 429 names its wait in `Retry-After`; wrong credentials will not fix themselves.
 *
 * Failures carry Twilio's numeric `code`, never Twilio's message text: that text can quote the phone number.
 */
import { FailureType } from '../../domain/failure-types';
import { retryAfterDelay, type Classification, type Classifier, type VendorAnswer } from '../http';

export const TwilioErrorCode = {
  Authenticate: 20003,
  NotFound: 20404,
  TooManyRequests: 20429,
  InvalidTo: 21211,
  RegionNotEnabled: 21408,
  OptedOut: 21610,
  CannotRoute: 21612,
  OutsideWhatsAppWindow: 63016,
} as const;

/** Short, data-free descriptions of the codes Relay meets most, for failure messages and operators. */
const DESCRIPTIONS: Record<number, string> = {
  20003: 'authentication failed',
  20404: 'resource not found',
  20429: 'too many concurrent requests',
  21211: "invalid 'To' number",
  21408: 'sending to this region is not enabled',
  21602: 'message body required',
  21603: "'From' number required",
  21604: "'To' number required",
  21606: "'From' is not a sender of this account",
  21610: 'recipient has opted out (STOP)',
  21612: "cannot route between this 'From' and 'To'",
  21617: 'body exceeds 1600 characters',
  21656: 'invalid ContentVariables',
  21910: "'From' and 'To' are on different channels",
  30003: 'unreachable handset',
  30007: 'filtered by the carrier',
  63016: 'outside the WhatsApp 24-hour window; a template is required',
};

export function describeTwilioError(code: number | null | undefined): string {
  if (code === null || code === undefined) return 'no error code';
  return DESCRIPTIONS[code] ?? `see https://www.twilio.com/docs/errors/${code}`;
}

/** Twilio's REST error body: `{ code, message, more_info, status }`. */
function errorCodeOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  const n = typeof code === 'string' ? Number(code) : code;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** Twilio's rate-limit answers name no wait at times; a second is what its docs suggest backing off. */
const DEFAULT_RATE_LIMIT_DELAY_MS = 1_000;

export const classifyTwilio: Classifier = (answer: VendorAnswer): Classification | undefined => {
  const { status, method } = answer;
  if (status >= 200 && status < 300) {
    // A create that answered 2xx was accepted, whatever the body: look it up rather than send again.
    if (answer.notJson && method === 'POST')
      return { outcome: 'retryable', type: FailureType.VendorOutcomeUnknown, message: 'accepted, but the answer was not JSON' };
    return undefined;
  }

  const code = errorCodeOf(answer.body);
  const details = { code: code ?? null, twilioStatus: status };
  const message = code === undefined ? `HTTP ${status}` : `Twilio ${code}: ${describeTwilioError(code)}`;

  if (status === 429 || code === TwilioErrorCode.TooManyRequests)
    return {
      outcome: 'retryable',
      type: FailureType.VendorRateLimited,
      message,
      details,
      delayMs: retryAfterDelay(answer.headers, Date.now()) ?? DEFAULT_RATE_LIMIT_DELAY_MS,
    };
  if (status === 401 || code === TwilioErrorCode.Authenticate)
    return { outcome: 'non-retryable', type: FailureType.VendorAuthFailed, message, details };
  if (status >= 500) {
    // A gateway that timed out waiting for Twilio cannot say whether the message was created.
    const ambiguous = status === 504 && method === 'POST';
    return { outcome: 'retryable', type: ambiguous ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable, message, details };
  }
  if (code === TwilioErrorCode.InvalidTo) return { outcome: 'non-retryable', type: FailureType.RecipientInvalid, message, details };
  if (code === TwilioErrorCode.OptedOut) return { outcome: 'non-retryable', type: FailureType.RecipientOptedOut, message, details };
  if (status === 404) return { outcome: 'non-retryable', type: FailureType.NotFound, message, details };
  // 21408, 21612 and every other refusal: this request will not succeed as it is.
  return { outcome: 'non-retryable', type: FailureType.VendorRejected, message, details };
};
