/**
 * How Cloudbeds' answers become Relay failures. Every answer carries `{success, data, message}`,
 * and `success` decides whatever the HTTP status says: Cloudbeds answers some refusals 200 with
 * `success: false`, and the HTTP status it uses for the others is not documented.
 *
 *   401                               → the client renews an OAuth token once; an API key, or a second 401 → PmsUnauthorized
 *   403                               → PmsUnauthorized (the key or token lacks the scope or the property)
 *   429                               → retryable after Retry-After (the shared client reads it)
 *   5xx                               → retryable (a gateway's 502/504 to a write: outcome unknown)
 *   success:false, 404 or "not found" → PmsNotFound (reads turn it into null)
 *   success:false otherwise           → PmsRequestRejected with Cloudbeds' message
 *   a write's 2xx that is no envelope → outcome unknown (look it up, never send it blindly again)
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { Classification, Classifier, VendorAnswer } from '../../http';
import { PmsFailureType, pmsNotFound, pmsRejected, pmsUnauthorized } from '../errors';
import type { WireEnvelope } from './wire';

/** The vendor as operators read it (PMS failures). */
export const CLOUDBEDS_VENDOR = 'Cloudbeds';
/** The vendor as the HTTP client's logs and failure details name it. */
export const CLOUDBEDS_KEY = 'cloudbeds';

export interface CloudbedsCallDescription {
  /** The method name, e.g. `getReservations`. */
  operation: string;
  /** Changes data at Cloudbeds: a lost or unreadable answer is ambiguous. */
  write: boolean;
  /** What a "not found" is about, e.g. `reservation 123`. */
  subject: string;
}

/** Cloudbeds' `message`, shortened: it is meant for the hotel's staff, not for logs. */
export function cloudbedsMessage(body: unknown, status: number): string {
  const message = (body as WireEnvelope | undefined)?.message;
  const text = typeof message === 'string' && message.trim() ? message.trim() : `HTTP ${status}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function isEnvelope(body: unknown): body is WireEnvelope {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as WireEnvelope).success === 'boolean';
}

/**
 * The classifier of one call. Answers that carry an envelope reach the client, which reads
 * `success` (see `readEnvelope`); a 401 reaches it too, to renew an OAuth token.
 */
export function cloudbedsClassifier(call: CloudbedsCallDescription): Classifier {
  return (answer: VendorAnswer): Classification | undefined => {
    const { status } = answer;
    if (status === 401) return { outcome: 'ok' };
    if (status === 403) return { outcome: 'custom', error: pmsUnauthorized(CLOUDBEDS_VENDOR, `${call.operation}: ${cloudbedsMessage(answer.body, status)}`) };
    if (status === 429 || status >= 500) return undefined;
    if (isEnvelope(answer.body)) return { outcome: 'ok' };
    if (status >= 200 && status < 300) {
      const type = call.write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable;
      return { outcome: 'retryable', type, message: `${call.operation} answered without Cloudbeds' {success, data} envelope`, details: { operation: call.operation } };
    }
    return { outcome: 'custom', error: pmsRejected(CLOUDBEDS_VENDOR, `${call.operation}: ${cloudbedsMessage(answer.body, status)}`, { status, operation: call.operation }) };
  };
}

const NOT_FOUND = /not found|does not exist|doesn't exist|invalid (reservation|guest)/i;

/** The envelope's verdict: the answer when `success` is true, else the typed failure. */
export function readEnvelope<T extends WireEnvelope>(call: CloudbedsCallDescription, status: number, body: T): T {
  if (body.success === true) return body;
  const message = cloudbedsMessage(body, status);
  if (status === 404 || NOT_FOUND.test(message)) throw pmsNotFound(CLOUDBEDS_VENDOR, call.subject);
  throw pmsRejected(CLOUDBEDS_VENDOR, `${call.operation}: ${message}`, { status, operation: call.operation });
}

/** Whether a failure says the record does not exist (a read answers null then). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApplicationFailure && error.type === PmsFailureType.NotFound;
}

/** The token endpoint: a refused grant or client needs an operator (a new consent), retrying will not help. */
export const cloudbedsTokenClassifier: Classifier = (answer) => {
  const { status } = answer;
  if (status >= 400 && status < 500 && status !== 429) {
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
    const reason = [body.error_description, body.error, body.message].find((v): v is string => typeof v === 'string' && v !== '') ?? `HTTP ${status}`;
    return { outcome: 'custom', error: pmsUnauthorized(CLOUDBEDS_VENDOR, `token refresh refused: ${reason.slice(0, 200)}`) };
  }
  return undefined;
};
