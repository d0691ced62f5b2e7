import type { WorkerOptions } from '@temporalio/worker';
import { type ActivityDeps, createCoreActivities } from '../activities';
import { createNotificationActivities } from '../activities/notifications';
import { TaskQueue } from './task-queues';

/**
 * One row per task queue: which activities it hosts and the limits that protect its
 * vendor. Adding an integration is adding a row. Every queue also hosts all workflows
 * (one shared bundle), so a workflow can run on the queue of the vendor it serves.
 */
export interface WorkerRow {
  queue: keyof typeof TaskQueue;
  /** The queue's activities, or undefined when this process lacks what they need (the queue is not served). */
  activities: (deps: ActivityDeps) => object | undefined;
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
  {
    queue: 'notifications',
    activities: (deps) => deps.notifications && createNotificationActivities(deps.notifications),
    // Sends are local activities paced by the per-sender budget in PostgreSQL (shared by all
    // workers), not by a queue-wide limit, which cannot tell senders apart.
    limits: { maxConcurrentLocalActivityExecutions: 200, maxConcurrentActivityTaskExecutions: 100, maxConcurrentWorkflowTaskExecutions: 100 },
  },
];
