import type { z } from 'zod';
import { RelayError } from '../errors';

/** Failures that only exist at the HTTP edge (raised by the API's own middleware); they carry their status. */
export abstract class HttpError extends RelayError {
  abstract readonly status: number;
}

/** Domain error codes (src/errors.ts) as HTTP statuses: the one place the domain meets HTTP. */
const DOMAIN_STATUS: Record<string, number> = { forbidden: 403, not_found: 404, conflict: 409, precondition_failed: 412, unprocessable: 422 };

export const httpStatusOf = (err: RelayError): number => (err instanceof HttpError ? err.status : (DOMAIN_STATUS[err.code] ?? 500));

export class ValidationError extends HttpError {
  readonly status = 400;
  readonly code = 'invalid_request';
  constructor(location: 'params' | 'query' | 'body', issues: z.core.$ZodIssue[]) {
    // The first problem in words, so a caller reading only `message` knows which field to fix.
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(first ? `Invalid request ${location}: ${first.path.map(String).join('.') || '(root)'}: ${first.message}${more}` : `Invalid request ${location}`, { issues });
  }
}

export class UnauthorizedError extends HttpError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends HttpError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class LengthRequiredError extends HttpError {
  readonly status = 411;
  readonly code = 'length_required';
}

export class PayloadTooLargeError extends HttpError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class TooManyRequestsError extends HttpError {
  readonly status = 429;
  readonly code = 'rate_limited';
}
