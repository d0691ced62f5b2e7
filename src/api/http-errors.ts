import type { z } from 'zod';
import { RelayError } from '../errors';

/** HTTP-only failures raised by the API's own middleware; mapped like every RelayError. */
export class ValidationError extends RelayError {
  readonly status = 400;
  readonly code = 'invalid_request';
  constructor(location: 'params' | 'query' | 'body', issues: z.core.$ZodIssue[]) {
    super(`Invalid request ${location}`, { issues });
  }
}

export class UnauthorizedError extends RelayError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends RelayError {
  readonly status = 403;
  readonly code = 'forbidden';
}
