import { randomBytes, randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { type AppDeps, createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import { type Config, loadConfig } from '../../src/config';
import { createPrismaClient } from '../../src/db/prisma';
import type { TwilioConfig } from '../../src/integrations/twilio/config';
import { RELAY_MODULES } from '../../src/modules';
import { loadModules } from '../../src/modules/load';
import { type LoadedModule, type RelayModule, defineModule } from '../../src/modules/module';
import { type NotificationSettings, loadNotificationSettings } from '../../src/modules/notifications/config';
import type { TwilioSimulator } from '../../src/integrations/twilio/simulator';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { twilioEnv } from './notifications';
import { createLogger } from '../../src/logger';
import { dependencyChecks } from '../../src/api/routes/health';
import { createDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { type TaskQueues, resolveTaskQueues } from '../../src/temporal/task-queues';
import { buildWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { createWorkers } from '../../src/temporal/workers';
import type { PrismaClient } from '../../src/generated/prisma/client';

// Only errors from the SDK in test output; the runtime can be installed once per process.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed by an earlier test file in this process
}

const silentLogger = createLogger({ level: 'silent', name: 'relay-test' });

export const TEST_KEYS = {
  service: 'svc-test-key-0123456789abcdef',
  operator: 'ops-test-key-0123456789abcdef',
};
export const TEST_ENCRYPTION_KEY = `test-2026:${Buffer.alloc(32, 7).toString('base64')}`;

/** Environment of a Relay process in tests: the run's Temporal and database, test secrets. */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: process.env.DATABASE_URL,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE,
    RELAY_API_KEYS: `ci:service:${TEST_KEYS.service},alice:operator:${TEST_KEYS.operator}`,
    PAYLOAD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEY,
    ...overrides,
  };
}

export const testConfig = (overrides?: Record<string, string | undefined>): Config => loadConfig(testEnv(overrides));

export const bearer = (role: keyof typeof TEST_KEYS) => `Bearer ${TEST_KEYS[role]}`;

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface RelayHarness {
  config: Config;
  app: Express;
  env: TestWorkflowEnvironment;
  prisma: PrismaClient;
  /** The core queue of this harness (all of `taskQueues` are unique to it). */
  taskQueue: string;
  taskQueues: TaskQueues;
  /** The loaded modules, as the worker and the API see them. */
  modules: LoadedModule[];
  /** The notifications module's settings (policy, callback URL, Twilio). */
  notifications: NotificationSettings;
  twilio: TwilioConfig;
  /** Resolves once the workers have stopped; see `stop`. */
  stop(): Promise<void>;
}

let bundle: Promise<{ code: string }> | undefined;

/** Production's bundle recipe (interceptors, failure converter), built once per test file. */
export const workflowBundle = (): Promise<{ code: string }> => (bundle ??= buildWorkflowBundle().then(({ code }) => ({ code })));

/** Unique names for every task queue, so a file's workers only see its own work. */
export const uniqueTaskQueues = (modules: readonly Pick<LoadedModule, 'queues'>[] = loadedForNames): TaskQueues =>
  Object.fromEntries(Object.entries(resolveTaskQueues(modules)).map(([key, name]) => [key, `${name}-test-${randomUUID()}`]));

/** Queue names only (no settings are used): every module declares its queues whatever its configuration. */
const loadedForNames = RELAY_MODULES.map((m) => m.load(testEnv(), testConfig()));

/** A module of one queue hosting these activities, for tests that swap a queue's activities. */
export function queueModule(key: string, activities: (deps: { prisma: PrismaClient }) => object): LoadedModule {
  return defineModule<null>({ name: `test-${key}`, variables: [], config: () => ({ mode: 'live', settings: null }), queues: [{ key, name: `relay-${key}`, activities }] }).load(
    testEnv(),
    testConfig(),
  );
}

/** The notifications module's settings in an environment (tests that start workflows by hand need its policy). */
export function notificationSettings(env: NodeJS.ProcessEnv, config: Config): NotificationSettings {
  const section = loadNotificationSettings(env, config);
  return section.mode === 'live' ? section.settings : section.demo;
}

/**
 * A real Relay in-process: the API app, workers on a unique task queue, both talking to
 * the run's Temporal server and PostgreSQL through production factories.
 */
export async function startRelay(
  options: {
    withWorker?: boolean;
    env?: Record<string, string | undefined>;
    /** Serve notifications against this Twilio simulator (the API listens so its callbacks arrive). */
    twilio?: () => TwilioSimulator;
    /** Share another harness's task queues: a second set of workers, as a second worker process would be. */
    taskQueues?: TaskQueues;
    /** Modules besides Relay's own (a fixture integration). */
    extraModules?: readonly RelayModule[];
    /** Relay's modules with some replaced (e.g. the PMS module over fixture vendors); default RELAY_MODULES. */
    modules?: readonly RelayModule[];
    /** A bundle entry of its own (production's workflows plus a fixture's), under production's recipe. */
    workflowsPath?: string;
    /** Queue keys its workers serve (default: all but notifications unless `twilio`); others are left to other processes. */
    only?: readonly string[];
  } = {},
): Promise<RelayHarness> {
  const callbackPort = options.twilio ? await freePort() : undefined;
  const envOverrides = {
    ...(options.twilio
      ? {
          ...twilioEnv(options.twilio()),
          NOTIFY_CALLBACK_BASE_URL: `http://127.0.0.1:${callbackPort}`,
          NOTIFY_RETRY_INITIAL_MS: '200',
          NOTIFY_RETRY_MAX_INTERVAL_MS: '1000',
        }
      : {}),
    ...options.env,
  };
  const config = testConfig(envOverrides);
  const modules = loadModules([...(options.modules ?? RELAY_MODULES), ...(options.extraModules ?? [])], config, testEnv(envOverrides));
  const notifications = notificationSettings(testEnv(envOverrides), config);
  const dataConverter = createDataConverter(config.codec.keys);
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    client: { dataConverter },
  });
  const prisma = createPrismaClient(config.databaseUrl);
  const taskQueues = options.taskQueues ?? uniqueTaskQueues(modules);

  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  if (options.withWorker !== false) {
    workers = await createWorkers({
      connection: env.nativeConnection,
      namespace: config.temporal.namespace,
      // As src/worker.ts: only workers are strict, clients stay lenient.
      dataConverter: createDataConverter(config.codec.keys, { strict: config.codec.strictPayloads }),
      modules,
      deps: { prisma, logger: silentLogger, temporal: env.client },
      // Without a simulator nothing could be sent: the notifications queue is not served.
      only: options.only ?? (options.twilio ? undefined : modules.flatMap((m) => m.queues.map((q) => q.key)).filter((key) => key !== 'notifications')),
      shutdownGraceMs: 1_000,
      workflowBundle: options.workflowsPath ? { code: (await buildWorkflowBundle(undefined, options.workflowsPath)).code } : await workflowBundle(),
      taskQueues,
    });
    running = Promise.all(workers.map((w) => w.run()));
  }

  const parts = { config, env, prisma, taskQueue: taskQueues.core!, taskQueues, modules, notifications, twilio: notifications.twilio };
  const app = appWith(parts, {});
  const server = callbackPort ? app.listen(callbackPort, '127.0.0.1') : undefined;
  return {
    ...parts,
    app,
    async stop() {
      server?.close();
      server?.closeAllConnections();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await prisma.$disconnect();
      await env.teardown();
    },
  };
}

/** Registers hooks that start a Relay before a file's tests and stop it afterwards. */
export function useRelay(options?: Parameters<typeof startRelay>[0]): () => RelayHarness {
  let relay: RelayHarness | undefined;
  beforeAll(async () => {
    relay = await startRelay(options);
  });
  afterAll(async () => {
    await relay?.stop();
  });
  return () => {
    if (!relay) throw new Error('Relay is not started yet (use it inside a test)');
    return relay;
  };
}

type HarnessParts = Pick<RelayHarness, 'config' | 'env' | 'prisma' | 'taskQueues' | 'modules'>;

/** The app as production wires it, on the harness's resources; `overrides` swap parts (a dead database, a log sink). */
export function appWith(relay: HarnessParts, overrides: Partial<AppDeps>): Express {
  return createApp({
    config: relay.config,
    logger: createLogger({ level: 'silent', name: 'relay-test' }),
    temporal: relay.env.client,
    codec: new EncryptionCodec(relay.config.codec.keys),
    metrics: createApiMetrics(),
    readiness: dependencyChecks(relay.prisma, relay.env.connection),
    prisma: relay.prisma,
    modules: relay.modules,
    taskQueues: relay.taskQueues,
    ...overrides,
  });
}
