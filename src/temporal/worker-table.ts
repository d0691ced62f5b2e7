import type { WorkerOptions } from '@temporalio/worker';
import { type ActivityDeps, createCoreActivities } from '../activities';
import { TaskQueue } from './task-queues';

/**
 * One row per task queue: which activities it hosts and the limits that protect its
 * vendor. Adding an integration is adding a row. Every queue also hosts all workflows
 * (one shared bundle), so a workflow can run on the queue of the vendor it serves.
 */
export interface WorkerRow {
  queue: keyof typeof TaskQueue;
  activities: (deps: ActivityDeps) => object;
  limits?: Pick<
    WorkerOptions,
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxConcurrentWorkflowTaskExecutions'
    /** Vendor budget across all workers of this queue (the last poller to start sets it). */
    | 'maxTaskQueueActivitiesPerSecond'
    | 'maxActivitiesPerSecond'
  >;
}

export const WORKER_TABLE: readonly WorkerRow[] = [
  { queue: 'core', activities: createCoreActivities, limits: { maxConcurrentActivityTaskExecutions: 50 } },
];
