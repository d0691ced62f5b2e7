import 'dotenv/config';
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config';
import { createPrismaClient } from './db/prisma';
import { createLogger } from './logger';
import { RELAY_MODULES } from './modules';
import { loadModules } from './modules/load';
import { logModuleStates } from './modules/log-states';
import { temporalConnectionOptions } from './temporal/connection';
import { createDataConverter } from './temporal/data-converter';
import { temporalLogger } from './temporal/runtime-logger';
import { ensureSearchAttributes } from './temporal/search-attributes';
import { loadWorkflowBundle } from './temporal/workflow-bundle';
import { createWorkers } from './temporal/workers';
import { ensureSchedules } from './temporal/schedules';
import { resolveTaskQueues } from './temporal/task-queues';

/** Worker process: hosts Relay's workflows and activities on every task queue. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Each module's section: live with credentials; without, demo in development, disabled in production.
  const modules = loadModules(RELAY_MODULES, config);
  const logger = createLogger({ level: config.logLevel, name: 'relay-worker', format: config.logFormat });
  logModuleStates(logger, config, modules);

  // Once per process, before any connection. SIGINT/SIGTERM start a graceful shutdown:
  // workers stop polling and in-flight activities get `shutdownGraceMs` to finish.
  Runtime.install({
    logger: temporalLogger(logger),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
      metrics: { prometheus: { bindAddress: `${config.worker.metricsHost}:${config.worker.metricsPort}` } },
    },
  });

  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  try {
    const added = await ensureSearchAttributes(connection, config.temporal.namespace);
    if (added.length) logger.info({ added }, 'registered search attributes');
  } catch (err) {
    logger.warn({ err }, 'could not register search attributes; create them in your Temporal namespace');
  }

  // Schedules start workflows with encrypted arguments: the client needs Relay's converter.
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codec.keys) });
  const taskQueues = resolveTaskQueues(modules);
  const schedules = await ensureSchedules(client, modules.flatMap((m) => m.enabled?.schedules(taskQueues) ?? []));
  if (schedules.created.length || schedules.updated.length) logger.info(schedules, 'schedules reconciled');

  const prisma = createPrismaClient(config.databaseUrl);
  const started = Date.now();
  const workflowBundle = await loadWorkflowBundle(config.worker.workflowBundlePath);
  logger.info({ prebuilt: Boolean(config.worker.workflowBundlePath), ms: Date.now() - started }, 'workflow bundle ready');
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    // Strict: inputs not encrypted with a known key are refused (see STRICT_PAYLOADS).
    dataConverter: createDataConverter(config.codec.keys, { strict: config.codec.strictPayloads }),
    modules,
    // The client also answers activities that ask how a workflow stands (the notification purge).
    deps: { prisma, logger, temporal: client },
    workflowBundle,
    shutdownGraceMs: config.worker.shutdownGraceMs,
  });
  logger.info(
    { taskQueues: workers.map((w) => w.options.taskQueue), strictPayloads: config.codec.strictPayloads, metrics: `http://${config.worker.metricsHost}:${config.worker.metricsPort}/metrics` },
    'worker started',
  );
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await prisma.$disconnect();
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
