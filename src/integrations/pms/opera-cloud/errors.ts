/**
 * How OHIP's answers become Relay failures. 400, 404 and 500 carry an `exceptionDetailType` body
 * (`type`, `title`, `detail`, `o:errorCode`, ...); 401, 403, 405-415, 502 and 503 have none.
 *
 *   401 token refused        → the client renews the token once and repeats the call; a second 401 → PmsUnauthorized
 *   403 forbidden            → PmsUnauthorized (the client or app key has no access to this hotel or operation)
 *   400, 409, 422            → PmsRequestRejected (OPERA's message and error code in the details)
 *   404                      → PmsNotFound (the record named in the path)
 *   other 4xx                → PmsRequestRejected (a request OPERA cannot take is a bug in Relay, never retried)
 *   429, 5xx                 → retryable (a gateway's 502/504 to a write: outcome unknown), by the shared client
 */
import { FailureType } from '../../../domain/failure-types';
import type { Classification, Classifier, VendorAnswer } from '../../http';
import { pmsNotFound, pmsRejected, pmsUnauthorized } from '../errors';

export const OPERA_VENDOR = 'OPERA Cloud';

/** What an `exceptionDetailType` body says, shortened (it is meant for staff, not for logs). */
export interface OperaProblem {
  message: string;
  errorCode: string | null;
  instance: string | null;
}

export function operaProblem(answer: Pick<VendorAnswer, 'status' | 'body'>): OperaProblem {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
  const text = [body.title, body.detail].filter((s): s is string => typeof s === 'string' && s.trim() !== '').join(': ');
  const message = text || `HTTP ${answer.status}`;
  return {
    message: message.length > 300 ? `${message.slice(0, 297)}...` : message,
    errorCode: typeof body['o:errorCode'] === 'string' ? body['o:errorCode'] : null,
    instance: typeof body.instance === 'string' ? body.instance : null,
  };
}

export interface OperaCallDescription {
  /** The OHIP operationId, for messages and details (`getHotelReservations`, `postBillingCharges`, ...). */
  operation: string;
  /** A lost or unreadable answer to it may hide an applied change. */
  write: boolean;
  /** What a 404 means is missing, e.g. `reservation 12345`. */
  subject: string;
}

/** The classifier of one data call. A 401 is returned as an answer: the client renews its token and repeats the call. */
export function operaClassifier(call: OperaCallDescription): Classifier {
  return (answer: VendorAnswer): Classification | undefined => {
    const { status } = answer;
    if (status >= 200 && status < 300) {
      if (answer.notJson && call.write) return { outcome: 'retryable', type: FailureType.VendorOutcomeUnknown, message: 'accepted, but the answer was not JSON' };
      return undefined;
    }
    if (status === 401) return { outcome: 'ok' };
    const problem = operaProblem(answer);
    const details = { status, operation: call.operation, errorCode: problem.errorCode, instance: problem.instance };
    if (status === 403) return { outcome: 'custom', error: pmsUnauthorized(OPERA_VENDOR, `${call.operation} forbidden (HTTP 403)`) };
    if (status === 404) return { outcome: 'custom', error: pmsNotFound(OPERA_VENDOR, call.subject) };
    if (status >= 400 && status < 500 && status !== 429) return { outcome: 'custom', error: pmsRejected(OPERA_VENDOR, problem.message, details) };
    // 429 and 5xx: the shared conventions (retryable, a gateway's 502/504 to a write is ambiguous).
    return undefined;
  };
}

/**
 * The token endpoint: 400 (bad request), 401 (credentials or scope refused) and 403 (forbidden)
 * all mean the integration's settings are wrong: an operator must fix them, retrying will not.
 */
export const operaTokenClassifier: Classifier = (answer) => {
  const { status } = answer;
  if (status === 400 || status === 401 || status === 403) {
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<string, unknown>;
    const reason = typeof body.error_description === 'string' ? body.error_description : typeof body.error === 'string' ? body.error : `HTTP ${status}`;
    return { outcome: 'custom', error: pmsUnauthorized(OPERA_VENDOR, `token request refused: ${reason.slice(0, 200)}`) };
  }
  return undefined;
};
