import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { migrateDeploy } from '../../scripts/lib/prisma-cli';
import { freePort, startDevServer, temporalCli, waitForTemporal } from '../../scripts/lib/temporal-dev-server';
import type { EncryptionKey } from '../../src/config';
import { createExactConnection } from '../../src/db/company-sync/exact-connections';
import { createPrismaClient } from '../../src/db/prisma';
import { createSecretSealer } from '../../src/db/sealed-secrets';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET } from '../../src/integrations/exact/simulator/demo-data';
import { EXACT_TASK_QUEUE } from '../../src/modules/company-sync';
import { createDataConverter } from '../../src/temporal/data-converter';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import type { StarterContext } from '../../src/temporal/starters/context';
import { buildWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { type Managed, ProcessSet, tail } from '../lib/processes';
import { NAMESPACE, ROOT, admin, adminUrl, compileRelay, say } from '../lib/stack';
import { ExactSim } from './exact-sim';

/**
 * One self-contained run for the company sync's benchmarks: its own persisted Temporal dev server, a fresh
 * database migrated by the real Prisma CLI, Relay's search attributes, the Exact Online simulator in its own
 * process (its `main.ts`, seeded, enforcing Exact's limits) and Relay's compiled worker (`dist/src/worker.js`
 * under plain node, NODE_ENV=production) as child processes. The worker is configured as a live Exact app
 * whose base URL is the simulator and whose credentials are the simulator's demo pair, so the module runs
 * exactly as against https://start.exactonline.nl. `teardown` stops every process and drops the database.
 */

export interface ExactStackOptions {
  label: string;
  /** The simulator's division, seeded with `accounts` accounts from `seed`. */
  division: number;
  accounts: number;
  seed: number;
}

/** A worker process and where its Temporal metrics (Prometheus text) are served. */
export type RelayWorker = Managed & { metricsUrl: string };

export interface ExactStack {
  dir: string;
  temporalPid: number;
  connection: Connection;
  /** A client with Relay's data converter (workers refuse unencrypted inputs in production). */
  client: Client;
  starter: StarterContext;
  databaseName: string;
  prisma: PrismaClient;
  /** Raw connections to the run's database (counts, statistics, CPU accounting of backends). */
  db: Pool;
  sim: ExactSim;
  simProcess: Managed;
  procs: ProcessSet;
  /** Starts the compiled `src/worker.ts`; resolves once it polls the Exact task queue. */
  startWorker(name: string, options?: { env?: Record<string, string>; nodeArgs?: string[] }): Promise<RelayWorker>;
  /** Connects Exact as an operator does (the simulator's OAuth code flow) and selects the division for sync. */
  connectDivision(): Promise<{ connectionId: string }>;
  teardown(keepLogs?: boolean): Promise<void>;
}

export async function startExactStack(options: ExactStackOptions & { onTeardown?: (teardown: (keepLogs?: boolean) => Promise<void>) => void }): Promise<ExactStack> {
  const dir = mkdtempSync(path.join(tmpdir(), `relay-${options.label}-`));
  const procs = new ProcessSet();
  const databaseName = `relay_${options.label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const cleanups: Array<() => Promise<unknown>> = [];

  const teardown = async (keepLogs = false) => {
    await procs.stopAll().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    // stderr: stdout's last line is the run's result.
    if (keepLogs) console.error(`kept the run's logs in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  options.onTeardown?.(teardown);

  try {
    const port = await freePort();
    const temporalAddress = `127.0.0.1:${port}`;
    const temporalLog = path.join(dir, 'temporal.log');
    const server = startDevServer(temporalCli(), { port, namespace: NAMESPACE, dbFile: path.join(dir, 'temporal.db'), logFile: temporalLog, detached: true });
    procs.adopt('temporal', server, temporalLog, 9);

    // The simulator seeds while the rest starts (50 000 accounts take about a second).
    const simPort = await freePort();
    const sim = new ExactSim(`http://127.0.0.1:${simPort}`, EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET);
    const simLog = path.join(dir, 'exact-simulator.log');
    const simProcess = procs.spawn(
      'exact-simulator',
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src', 'integrations', 'exact', 'simulator', 'main.ts'), '--port', String(simPort), '--divisions', String(options.division), '--accounts', String(options.accounts), '--seed', String(options.seed)],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME }, cwd: ROOT, logFile: simLog, stage: 1 },
    );

    await admin(`CREATE DATABASE "${databaseName}"`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`));
    const url = new URL(adminUrl());
    url.pathname = `/${databaseName}`;
    const databaseUrl = url.toString();
    migrateDeploy(databaseUrl);
    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    cleanups.push(() => db.end());
    const prisma = createPrismaClient(databaseUrl);
    cleanups.push(() => prisma.$disconnect());

    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
    compileRelay();

    await waitForTemporal(temporalAddress, 120_000, () => server.exitCode !== null, temporalLog);
    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    await ensureSearchAttributes(connection, NAMESPACE);

    for (const deadline = Date.now() + 60_000; !(await sim.ping()); ) {
      if (simProcess.child.exitCode !== null || Date.now() > deadline) throw new Error(`the Exact simulator did not start:\n${tail(simLog)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const keyBytes = randomBytes(32);
    const keys: EncryptionKey[] = [{ id: 'bench', key: keyBytes }];
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: createDataConverter(keys) });
    const starter: StarterContext = { client, taskQueues: { exact: EXACT_TASK_QUEUE } };
    const apiPort = await freePort();
    const emptyDotenv = path.join(dir, 'empty.env');
    writeFileSync(emptyDotenv, '');

    const workerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOTENV_CONFIG_PATH: emptyDotenv,
      DOTENV_CONFIG_QUIET: 'true',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      RELAY_API_KEYS: `bench:service:${randomBytes(24).toString('hex')}`,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${keyBytes.toString('base64')}`,
      // A live Exact app whose host is the simulator: no demo mode, nothing else differs from production.
      EXACT_CLIENT_ID: sim.clientId,
      EXACT_CLIENT_SECRET: sim.clientSecret,
      EXACT_BASE_URL: sim.url,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_SHUTDOWN_GRACE_MS: '2000',
      ...extra,
    });

    const waitForPoller = async (m: Managed, timeoutMs = 120_000) => {
      const identity = `${m.child.pid}@${hostname()}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (m.child.exitCode !== null || m.child.signalCode !== null) throw new Error(`${m.name} exited during start-up:\n${tail(m.logFile)}`);
        const res = await connection.workflowService.describeTaskQueue({
          namespace: NAMESPACE,
          taskQueue: { name: EXACT_TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        if ((res.pollers ?? []).some((p) => p.identity === identity)) return;
        if (Date.now() > deadline) throw new Error(`${m.name} did not poll ${EXACT_TASK_QUEUE} within ${timeoutMs} ms:\n${tail(m.logFile)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    return {
      dir,
      temporalPid: server.pid!,
      connection,
      client,
      starter,
      databaseName,
      prisma,
      db,
      sim,
      simProcess,
      procs,
      async startWorker(name, o = {}) {
        const metricsPort = await freePort();
        const m = procs.spawn(name, process.execPath, [...(o.nodeArgs ?? []), path.join(ROOT, 'dist', 'src', 'worker.js')], {
          env: workerEnv({ WORKER_METRICS_PORT: String(metricsPort), ...o.env }),
          cwd: ROOT,
          logFile: path.join(dir, `${name}.log`),
          stage: 0,
        });
        await waitForPoller(m);
        return Object.assign(m, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
      },
      async connectDivision() {
        // Where Relay's callback would be; the simulator only checks that the code is redeemed for the same URI.
        const redirectUri = `http://127.0.0.1:${apiPort}/v1/exact/callback`;
        const { tokens, receivedAtMs, userId } = await sim.authorize(redirectUri);
        const sealer = createSecretSealer(keys);
        const connection = await createExactConnection(prisma, sealer, {
          baseUrl: sim.url,
          exactUserId: userId,
          tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: Number(tokens.expires_in) },
          issuedAtMs: receivedAtMs,
        });
        await prisma.exactDivision.create({ data: { division: options.division, connectionId: connection.id, name: `Bench ${options.division}` } });
        return { connectionId: connection.id };
      },
      teardown,
    };
  } catch (err) {
    await teardown(true);
    throw err;
  }
}

/**
 * Runs `main` with the stack torn down afterwards, whatever happens: normal end, error, Ctrl-C or SIGTERM.
 * A SIGKILL is covered by the reaper, which stops the processes (the database is then left behind, named
 * relay_<label>_<hex>).
 */
export async function withExactStack(options: ExactStackOptions, main: (stack: ExactStack) => Promise<void>): Promise<void> {
  const run: { teardown?: (keepLogs?: boolean) => Promise<void> } = {};
  let stopping: Promise<void> | undefined;
  const stop = (keepLogs: boolean) => (stopping ??= run.teardown ? run.teardown(keepLogs) : Promise.resolve());
  // `on`, not `once`: Ctrl-C under npm reaches this process twice (from the terminal and relayed by npm and
  // tsx), and a second signal without a handler would kill it halfway through the teardown.
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      say(`${signal}: stopping`);
      // The run's polling goes on meanwhile: its calls to the stopped Temporal server or the closed database
      // fail, and such a failure must not end this process before the database is dropped.
      const ignore = (err: unknown) => console.error(`during teardown: ${err instanceof Error ? err.message : String(err)}`);
      process.on('uncaughtException', ignore);
      process.on('unhandledRejection', ignore);
      void stop(true).finally(() => process.exit(130));
    });
  const stack = await startExactStack({ ...options, onTeardown: (teardown) => (run.teardown = teardown) });
  try {
    await main(stack);
  } catch (err) {
    await stop(true);
    throw err;
  }
  await stop(false);
}
