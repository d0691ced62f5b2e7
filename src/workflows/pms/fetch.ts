import { proxyActivities } from '@temporalio/workflow';
import type { PmsActivities } from '../../activities/pms';
import type { PmsFetchRequest, PmsFetchResult } from '../../domain/pms/fetch';
import { PMS_PROPERTY_UNUSABLE } from '../../domain/pms/failures';

/** A caller is waiting: one quick retry, then the API answers the cached copy marked stale. */
const pms = proxyActivities<PmsActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 2, nonRetryableErrorTypes: [PMS_PROPERTY_UNUSABLE] },
});

/**
 * The read path's fetch (`pms-read-…`): one PMS read into the cache. Identical reads made at
 * the same moment share one run (and one vendor call).
 */
export async function pmsFetchWorkflow(request: PmsFetchRequest): Promise<PmsFetchResult> {
  return pms.pmsFetch(request);
}
