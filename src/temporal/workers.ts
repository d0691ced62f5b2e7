import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { LoadedModule, RuntimeDeps } from '../modules/module';
import { refuseUnencryptedActivityInputs } from './strict-activity-inputs';
import { resolveTaskQueues } from './task-queues';

export interface WorkerSetup {
  connection: NativeConnection;
  namespace: string;
  dataConverter: DataConverter;
  /** The loaded modules: each enabled one's queues are served, a disabled one's are not. */
  modules: readonly LoadedModule[];
  deps: RuntimeDeps;
  shutdownGraceMs: number;
  /** Built once per process by `loadWorkflowBundle` and shared by every queue's worker. */
  workflowBundle: NonNullable<WorkerOptions['workflowBundle']>;
  /** Overrides the production task queue names by key (tests use unique ones). */
  taskQueues?: Partial<Record<string, string>>;
  /** Queue keys to serve; default every queue of every enabled module. */
  only?: readonly string[];
}

/** One worker per task queue of every enabled module. */
export async function createWorkers(setup: WorkerSetup): Promise<Worker[]> {
  const names = resolveTaskQueues(setup.modules, setup.taskQueues);
  const served = setup.modules.flatMap(({ enabled, queues }) =>
    enabled ? queues.filter((q) => !setup.only || setup.only.includes(q.key)).map((queue) => ({ queue, enabled })) : [],
  );
  return Promise.all(
    served.map(({ queue, enabled }) =>
      Worker.create({
        connection: setup.connection,
        namespace: setup.namespace,
        dataConverter: setup.dataConverter,
        shutdownGraceTime: setup.shutdownGraceMs,
        workflowBundle: setup.workflowBundle,
        taskQueue: names[queue.key]!,
        activities: enabled.activities(queue.key, { ...setup.deps, taskQueues: names }),
        // Only acts on inputs the strict codec marked (a plaintext or foreign-key payload).
        interceptors: { activity: [refuseUnencryptedActivityInputs] },
        ...queue.limits,
      }),
    ),
  );
}
