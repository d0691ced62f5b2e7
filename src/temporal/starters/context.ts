import type { Client } from '@temporalio/client';
import type { TaskQueues } from '../task-queues';

/** What a starter needs: the client and the task queue names of this deployment. */
export interface StarterContext {
  client: Client;
  taskQueues: TaskQueues;
}
