import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { BareActivities } from './bare-activities';

/**
 * The bare-Temporal baseline: one workflow per message whose single activity posts it to
 * the simulator. No log row, no status, no search attributes, no encryption.
 */
export interface BareInput {
  to: string;
  body: string;
}

const { postMessage } = proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

export async function bareSend(input: BareInput): Promise<void> {
  await postMessage(input);
}

/** The same with a local activity (no activity task round trip through the server). */
export async function bareSendLocal(input: BareInput): Promise<void> {
  await local.postMessage(input);
}
