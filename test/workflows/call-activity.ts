import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';

/**
 * Schedules `shout` on another task queue, as any workflow in the namespace may: run on a
 * worker without Relay's codec, it sends the activity input in plaintext. Returns the
 * failure type (or the result) so a test can tell what the receiving worker did.
 */
export async function callActivityWorkflow(taskQueue: string, text: string): Promise<string> {
  const { shout } = proxyActivities<{ shout(text: string): Promise<string> }>({
    taskQueue,
    startToCloseTimeout: '10 seconds',
    retry: { maximumAttempts: 5, initialInterval: '100 milliseconds' },
  });
  try {
    return await shout(text);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) return `failed:${err.cause.type}:${String(err.cause.nonRetryable)}`;
    throw err;
  }
}
