import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createCoreActivities, type ActivityDeps } from '../activities';
import { TaskQueue } from './task-queues';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
  deps: ActivityDeps;
  shutdownGraceMs: number;
  /** Pre-built workflow bundle (tests bundle once per file); otherwise bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Overrides the production task queue names (tests use unique ones). */
  taskQueues?: Partial<Record<keyof typeof TaskQueue, string>>;
}

/**
 * One worker per task queue. Features add their queue here with their own activities
 * and limits (e.g. `maxTaskQueueActivitiesPerSecond` for a vendor's rate limit).
 */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const common = {
    connection: setup.connection,
    namespace: setup.namespace,
    dataConverter: setup.dataConverter,
    shutdownGraceTime: setup.shutdownGraceMs,
    ...(setup.workflowBundle
      ? { workflowBundle: setup.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
  } satisfies Partial<WorkerOptions>;

  return Promise.all([
    Worker.create({
      ...common,
      taskQueue: setup.taskQueues?.core ?? TaskQueue.core,
      activities: createCoreActivities(setup.deps),
    }),
  ]);
}
