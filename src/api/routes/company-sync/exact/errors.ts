import { ConflictError } from '../../../../errors';
import { ExactAuthError, ExactBudgetExhausted, ExactError, ExactMaintenance, ExactRateLimited, ExactUnavailable } from '../../../../integrations/exact';
import { HttpError, TooManyRequestsError } from '../../../http-errors';

/** Exact could not be reached or answered with its maintenance page: try again later. */
export class ExactUnavailableError extends HttpError {
  readonly status = 503;
  readonly code = 'exact_unavailable';
}

/** Exact answered, but not with what Relay asked for. */
export class ExactBadGatewayError extends HttpError {
  readonly status = 502;
  readonly code = 'exact_refused';
}

/**
 * An Exact failure met while answering a request, in HTTP terms: a connection that needs
 * re-authorising is a 409 naming how, a spent budget a 429 with when to come back, Exact down
 * a 503. Anything else is returned as it was.
 */
export function exactProblem(err: unknown, connectionId?: string): unknown {
  if (!(err instanceof ExactError)) return err;
  if (err instanceof ExactAuthError && err.needsReauth) {
    const how = connectionId ? `GET /v1/exact/connect?connectionId=${connectionId}` : 'GET /v1/exact/connect?connectionId=<id>';
    return new ConflictError(`Exact connection: ${err.message}; an operator re-authorises it at ${how}`, { status: 'needs_reauth', connectionId });
  }
  if (err instanceof ExactBudgetExhausted || err instanceof ExactRateLimited) {
    const at = err.details?.[0] && typeof err.details[0] === 'object' ? (err.details[0] as { retryAtMs?: number }).retryAtMs : undefined;
    return new TooManyRequestsError(`Exact's call budget for this division is spent${at ? ` until ${new Date(at).toISOString()}` : ''}; try again then`, at ? { retryAt: new Date(at).toISOString() } : undefined);
  }
  if (err instanceof ExactUnavailable || err instanceof ExactMaintenance) return new ExactUnavailableError(`Exact Online did not answer usefully (${err.message}); try again later`);
  return new ExactBadGatewayError(`Exact Online refused: ${err.message}`);
}
