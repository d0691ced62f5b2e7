import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { PmsActivities } from '../../activities/pms';
import type { WriteResult } from '../../domain/pms/writes';
import { BusinessStatus } from '../../domain/search-attributes';
import { setBusinessStatus } from '../shared/business-status';

/**
 * Each attempt audits itself and is looked up before the next writes again; the caller waits,
 * so a PMS that keeps failing ends the run `unresolved` within seconds (the caller retries with
 * the same key, which picks the write up again).
 */
const pms = proxyActivities<PmsActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '40 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '8 seconds', maximumAttempts: 4 },
});

const bookkeeping = proxyActivities<PmsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A charge, a note or a guest update, once per caller's idempotency key (`pms-write-<propertyId>-<key>`). */
export async function pmsWriteWorkflow(input: { writeId: string }): Promise<WriteResult> {
  let result: WriteResult;
  try {
    result = await pms.pmsPerformWrite({ writeId: input.writeId });
  } catch (err) {
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : err instanceof Error ? err.message : String(err);
    result = await bookkeeping.pmsMarkWriteUnresolved({ writeId: input.writeId, message: `the PMS did not answer: ${cause}` });
  }
  setBusinessStatus(result.status === 'succeeded' ? BusinessStatus.completed : result.status === 'unresolved' ? 'unresolved' : BusinessStatus.failed, null);
  return result;
}
