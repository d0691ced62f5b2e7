import { proxyActivities } from '@temporalio/workflow';

/** Waits for an activity that someone outside completes (async completion by id) and returns its result. */
export async function awaitActivityWorkflow(taskQueue: string): Promise<unknown> {
  const { completedElsewhere } = proxyActivities<{ completedElsewhere(): Promise<unknown> }>({
    taskQueue,
    activityId: 'completed-elsewhere',
    startToCloseTimeout: '1 minute',
  });
  return completedElsewhere();
}
