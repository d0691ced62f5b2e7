import { type Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { type PmsProblem, pmsProblemOf } from '../../domain/pms/failures';

/**
 * How a PMS workflow the API waits for ended, in the API's terms: its result, a problem named
 * by the failure's type, or no answer within the time the caller is given.
 */
export type PmsOutcome<T> = { ok: true; value: T } | { ok: false; problem: PmsProblem; message: string; timedOut?: boolean };

/** The innermost application failure of a workflow's failure chain (activity → application). */
function applicationCause(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err instanceof WorkflowFailedError ? err.cause : err;
  let found: ApplicationFailure | undefined;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure) found = current;
    current = current.cause;
  }
  return found;
}

/**
 * Waits for a workflow's result at most `waitMs`; the run goes on after a timeout (its outcome
 * is kept elsewhere) while the wait itself is aborted, so no long poll outlives the caller.
 */
export async function outcomeWithin<T>(client: Pick<Client, 'withAbortSignal'>, result: () => Promise<T>, waitMs: number): Promise<PmsOutcome<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), waitMs);
  try {
    return { ok: true, value: await client.withAbortSignal(controller.signal, result) };
  } catch (err) {
    if (controller.signal.aborted) return { ok: false, problem: 'unavailable', message: `the PMS did not answer within ${Math.round(waitMs / 1000)} s`, timedOut: true };
    const cause = applicationCause(err);
    if (!cause && !(err instanceof WorkflowFailedError)) throw err;
    return { ok: false, problem: pmsProblemOf(cause?.type), message: cause?.message ?? (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
