/**
 * Domain errors: what went wrong in Relay's terms, with a stable machine-readable code.
 * They know nothing about HTTP; `src/api/` maps codes to statuses. Inside workflows and
 * activities, failures cross Temporal as `ApplicationFailure`s typed with
 * `src/domain/failure-types.ts` instead.
 */
export abstract class RelayError extends Error {
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
  readonly code = 'not_found';
}

export class ConflictError extends RelayError {
  readonly code = 'conflict';
}

/** Well-formed input that the business rules refuse (e.g. a recipient who opted out). */
export class UnprocessableError extends RelayError {
  readonly code = 'unprocessable';
}

/** The caller may not do this, for a reason the business rules name (e.g. only an operator may lift a recipient's STOP). */
export class PermissionDeniedError extends RelayError {
  readonly code = 'forbidden';
}

/** The record changed since the caller read it (an `If-Match` version that is no longer current). */
export class PreconditionFailedError extends RelayError {
  readonly code = 'precondition_failed';
}
