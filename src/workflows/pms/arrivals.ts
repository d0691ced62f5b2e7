import { proxyActivities } from '@temporalio/workflow';
import type { PmsActivities } from '../../activities/pms';
import type { PollSummary, RefreshInput, RefreshSummary } from '../../activities/pms/arrivals';
import type { DispatchSummary } from '../../activities/pms/dispatch';
import { PMS_PROPERTY_UNUSABLE } from '../../domain/pms/failures';
import { withBusinessStatus } from '../shared/business-status';

/** Calls to the PMS: a few tries with backoff (the next poll is minutes away and reconciles). */
const pms = proxyActivities<PmsActivities>({
  startToCloseTimeout: '5 minutes',
  // The adapter heartbeats before each request and while it waits for the vendor's limit.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: [PMS_PROPERTY_UNUSABLE] },
});

/** Starting notifications and marking events: PostgreSQL and Temporal only, retried until done. */
const bookkeeping = proxyActivities<PmsActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface ArrivalsRunSummary extends PollSummary, DispatchSummary {}

/**
 * One arrivals poll of a property, started by its schedule (`pms-arrivals-<propertyId>`, overlap
 * skip): today's and tomorrow's arrivals compared with the cache, events stored, then what follows
 * them (welcome messages, subscribers' webhooks) started as workflows of their own.
 */
export async function pmsArrivalsWorkflow(input: { propertyId: string }): Promise<ArrivalsRunSummary> {
  return withBusinessStatus(async () => {
    const polled = await pms.pmsPollArrivals({ propertyId: input.propertyId });
    const dispatched = await bookkeeping.pmsDispatchEvents({ propertyId: input.propertyId });
    return { ...polled, ...dispatched };
  });
}

export interface RefreshRunSummary extends RefreshSummary, DispatchSummary {}

/**
 * Reads what a vendor's push names (`pms-push-…`) or a property's whole arrivals window and
 * rooms on an operator's request (`pms-refresh-…`) into the cache; arrival changes found are
 * announced as a poll would announce them. Pushes are hints: the poll stays the reconciliation.
 */
export async function pmsRefreshWorkflow(input: RefreshInput): Promise<RefreshRunSummary> {
  return withBusinessStatus(async () => {
    const refreshed = await pms.pmsRefresh(input);
    const dispatched = await bookkeeping.pmsDispatchEvents({ propertyId: input.propertyId });
    return { ...refreshed, ...dispatched };
  });
}
