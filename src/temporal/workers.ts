import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { ActivityDeps } from '../activities';
import { refuseUnencryptedActivityInputs } from './strict-activity-inputs';
import { type TaskQueues, resolveTaskQueues } from './task-queues';
import { WORKER_TABLE, type WorkerRow } from './worker-table';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
  deps: ActivityDeps;
  shutdownGraceMs: number;
  /** Built once per process by `loadWorkflowBundle` and shared by every queue's worker. */
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  /** Overrides the production task queue names (tests use unique ones). */
  taskQueues?: Partial<TaskQueues>;
  /** Rows to run; defaults to the whole table. */
  rows?: readonly WorkerRow[];
}

/** One worker per row of the worker table. */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const queues = resolveTaskQueues(setup.taskQueues);
  const served = (setup.rows ?? WORKER_TABLE).flatMap((row) => {
    const activities = row.activities(setup.deps);
    return activities ? [{ row, activities }] : [];
  });
  return Promise.all(
    served.map(({ row, activities }) =>
      Worker.create({
        connection: setup.connection,
        namespace: setup.namespace,
        dataConverter: setup.dataConverter,
        shutdownGraceTime: setup.shutdownGraceMs,
        workflowBundle: setup.workflowBundle,
        taskQueue: queues[row.queue],
        activities,
        // Only acts on inputs the strict codec marked (a plaintext or foreign-key payload).
        interceptors: { activity: [refuseUnencryptedActivityInputs] },
        ...row.limits,
      }),
    ),
  );
}
