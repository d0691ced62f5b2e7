/**
 * How protel I/O's answers become Relay failures. Transport and envelope problems come as SOAP
 * 1.2 faults with an HTTP status (SOAP 1.2's HTTP binding: Sender → 400, Receiver → 500);
 * business refusals come inside the answer message as OTA `Errors` with HTTP 200.
 *
 *   401 / 403 (the hotel's token refused)               → PmsUnauthorized (an operator must replace the token)
 *   400, 415, Sender, VersionMismatch, MustUnderstand   → PmsRequestRejected (a request protel cannot take is a bug in Relay)
 *   429                                                 → retryable after `Retry-After` (the shared client reads it)
 *   5xx, Receiver                                       → retryable (a write's 502/504: outcome unknown)
 *   OTA Error Type 4/5/6/9 (authentication, authorization) → PmsUnauthorized
 *   OTA Error Code 97 / 364 (reservation / profile unknown) → PmsNotFound
 *   OTA Error Type 1/12/13 or Code 448/450 (system errors)  → retryable, nothing was applied
 *   any other OTA Error                                  → PmsRequestRejected with protel's text
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Classification, Classifier, VendorAnswer } from '../../http';
import { pmsNotFound, pmsRejected, pmsUnauthorized } from '../errors';
import { faultOf, type SoapFault } from './soap';
import type { ProtelMessage } from './wire';
import { attr, child, children, type XmlElement } from './xml';

export const PROTEL_VENDOR = 'protel';

const AUTH_TYPES = new Set(['4', '5', '6', '9']);
const PASSING_TYPES = new Set(['1', '12', '13']);
const PASSING_CODES = new Set(['448', '450']);
/** OTA ERR 97 "Booking reference not found"; 364 is protel's "profile not found" (assumed). */
const NOT_FOUND_CODES = new Set(['97', '364']);

function shorten(text: string, max = 300): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
}

function describe(fault: SoapFault | undefined, status: number): string {
  if (fault === undefined) return `HTTP ${status}`;
  const codes = [fault.code, ...fault.subcodes].filter(Boolean).join('/');
  return shorten(`${codes}${fault.reason ? `: ${fault.reason}` : ''}`);
}

/** The classifier of one message exchange: HTTP status and SOAP fault. 200 answers are read by the client. */
export function protelClassifier(message: ProtelMessage): Classifier {
  return (answer: VendorAnswer): Classification | undefined => {
    const { status } = answer;
    if (status >= 200 && status < 300) return { outcome: 'ok' };
    const fault = faultOf(answer.text);
    const text = describe(fault, status);
    const details = { status, message: message.rq, fault: fault ? [fault.code, ...fault.subcodes] : null };
    if (status === 401 || status === 403) return { outcome: 'custom', error: pmsUnauthorized(PROTEL_VENDOR, `${message.rq}: ${text}`) };
    if (status === 429) return { outcome: 'retryable', type: FailureType.VendorRateLimited, message: `over the hotel token's limit (${text})`, details };
    // SOAP 1.2 answers VersionMismatch and MustUnderstand with 500: the envelope is Relay's mistake.
    const senderFault = fault !== undefined && fault.code !== 'Receiver';
    if (status >= 500 && !senderFault) {
      const ambiguous = message.write && (status === 502 || status === 504);
      return { outcome: 'retryable', type: ambiguous ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable, message: text, details };
    }
    return { outcome: 'custom', error: pmsRejected(PROTEL_VENDOR, `${message.rq}: ${text}`, details) };
  };
}

export interface OtaError {
  type: string | null;
  code: string | null;
  text: string;
}

/** The `Errors` of an answer message (OTA and HTNG alike). */
export function otaErrors(message: XmlElement): OtaError[] {
  return children(child(message, 'Errors'), 'Error').map((e) => ({ type: attr(e, 'Type') ?? null, code: attr(e, 'Code') ?? null, text: e.text || attr(e, 'ShortText') || '' }));
}

/** The failure an answer with `Errors` stands for; `subject` names what a not-found refers to. */
export function errorsFailure(message: ProtelMessage, errors: OtaError[], subject: string): ApplicationFailure {
  const first = errors[0]!;
  const text = shorten(errors.map((e) => `${e.text || 'error'}${e.code ? ` (${e.code})` : ''}`).join('; '));
  const details = { message: message.rq, errors };
  if (errors.some((e) => e.type !== null && AUTH_TYPES.has(e.type))) return pmsUnauthorized(PROTEL_VENDOR, `${message.rq}: ${text}`);
  if (errors.some((e) => e.code !== null && NOT_FOUND_CODES.has(e.code))) return pmsNotFound(PROTEL_VENDOR, subject);
  if ((first.type !== null && PASSING_TYPES.has(first.type)) || (first.code !== null && PASSING_CODES.has(first.code))) {
    return ApplicationFailure.create({ type: FailureType.VendorUnavailable, message: `${PROTEL_VENDOR} ${message.rq}: ${text}`, details: [details] });
  }
  return pmsRejected(PROTEL_VENDOR, text, details);
}

/** An answer that is not what protel's message promises: retryable (a write's: outcome unknown). */
export function unreadableAnswer(message: ProtelMessage, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: message.write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
    message: `${PROTEL_VENDOR} ${message.rq}: unexpected answer (${shorten(reason, 200)})`,
    details: [{ vendor: PROTEL_VENDOR, message: message.rq, ambiguous: message.write }],
  });
}
