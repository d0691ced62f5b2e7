import { isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import { BusinessStatus, RelayNextActionAt, RelayStatus } from '../../domain/search-attributes';

/** Sets the workflow's business status, the attribute operators filter on in the Web UI. */
export function setBusinessStatus(status: BusinessStatus | (string & {}), nextActionAt?: Date | null): void {
  upsertSearchAttributes([
    { key: RelayStatus, value: status },
    ...(nextActionAt !== undefined ? [{ key: RelayNextActionAt, value: nextActionAt }] : []),
  ]);
}

/**
 * Runs a workflow body and records how it ended on every path: `completed`, `cancelled`
 * or `failed` (the failure is rethrown unchanged). Starters set the initial status, so a
 * workflow's RelayStatus never stays `running` after it closed. Terminated and timed-out
 * runs cannot run code; `ExecutionStatus` shows those.
 */
export async function withBusinessStatus<T>(body: () => Promise<T>): Promise<T> {
  try {
    const result = await body();
    setBusinessStatus(BusinessStatus.completed, null);
    return result;
  } catch (err) {
    setBusinessStatus(isCancellation(err) ? BusinessStatus.cancelled : BusinessStatus.failed, null);
    throw err;
  }
}
