/**
 * Typed errors that cross layers. The API maps them to HTTP statuses; nothing else
 * needs to know about HTTP.
 */
export abstract class RelayError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends RelayError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class ConflictError extends RelayError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class UnprocessableError extends RelayError {
  readonly status = 422;
  readonly code = 'unprocessable';
}
