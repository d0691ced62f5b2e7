import type { z } from 'zod';

/** HTTP-only failures raised by the API's own middleware. */
export class ValidationError extends Error {
  readonly status = 400;
  constructor(
    readonly location: 'params' | 'query' | 'body',
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`Invalid request ${location}`);
  }
}

export class UnauthorizedError extends Error {
  readonly status = 401;
}

export class ForbiddenError extends Error {
  readonly status = 403;
}
