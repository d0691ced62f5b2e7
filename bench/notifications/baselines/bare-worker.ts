import { NativeConnection, Worker } from '@temporalio/worker';
import { simTargetFromEnv } from '../../lib/sim-client';
import { createBareActivities } from './bare-activities';

/** The bare-Temporal baseline's worker process: default worker settings, its own workflow bundle. */
async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: process.env.TASK_QUEUE!,
    workflowsPath: require.resolve('./bare-workflow'),
    activities: createBareActivities(simTargetFromEnv()),
  });
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
