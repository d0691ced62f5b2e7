import type { PmsProblem } from '../../../domain/pms/failures';
import { NotFoundError, UnprocessableError } from '../../../errors';
import { HttpError } from '../../http-errors';

/** The PMS (or Relay's way to it) cannot answer now; the message says why and what helps. */
export class PmsUnavailableError extends HttpError {
  readonly status = 503;
  constructor(
    readonly code: string,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(message, details);
  }
}

/** A PMS problem as the API's answer (4xx naming it, 503 when the PMS or its access is the problem; never 500). */
export function problemError(problem: PmsProblem, message: string, details: Record<string, unknown> = {}): Error {
  switch (problem) {
    case 'not_found':
      return new NotFoundError(message, details);
    case 'rejected':
      return new UnprocessableError(message, { reason: 'pms_rejected', ...details });
    case 'unsupported':
      return new UnprocessableError(message, { reason: 'unsupported_operation', ...details });
    case 'unauthorized':
      return new PmsUnavailableError('pms_credentials_refused', `${message}; an operator must update the property's credentials (PATCH /v1/properties/{id})`, details);
    case 'misconfigured':
      return new PmsUnavailableError('pms_property_unusable', message, details);
    case 'unavailable':
      return new PmsUnavailableError('pms_unavailable', `The PMS is unavailable: ${message}`, details);
  }
}
