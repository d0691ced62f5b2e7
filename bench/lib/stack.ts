import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { migrateDeploy } from '../../scripts/lib/prisma-cli';
import { freePort, startDevServer, temporalCli, waitForTemporal } from '../../scripts/lib/temporal-dev-server';
import type { TwilioSimulatorOptions } from '../../src/integrations/twilio/simulator';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { NOTIFICATIONS_TASK_QUEUE } from '../../src/modules/notifications';
import { buildWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { type Managed, ProcessSet, tail } from './processes';
import { RemoteSim } from './remote-sim';

export const ROOT = path.resolve(__dirname, '..', '..');
export const NAMESPACE = 'default';

/** Prints a figure or a step as it happens (stdout; the last line of a run is its JSON result). */
export const say = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Where the project's scripts find PostgreSQL: DATABASE_URL's server, else the local one. */
export function adminUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/postgres';
  url.search = '';
  return url.toString();
}

/** `tsc -p tsconfig.build.json` into dist/, what `npm run build` and the Docker image do. */
export function compileRelay(): void {
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`compiling Relay failed:\n${tsc.stdout}${tsc.stderr}`);
}

/** One statement on the server's `postgres` database (CREATE/DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const pool = new Pool({ connectionString: adminUrl(), max: 1 });
  try {
    await pool.query(sql);
  } finally {
    await pool.end();
  }
}

export interface RelayProcessOptions {
  /** TWILIO_SENDERS, e.g. `sms:+33757000001@1000,whatsapp:+33757000002@1000`. */
  senders: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Extra arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export interface BenchStack {
  dir: string;
  temporalAddress: string;
  temporalPid: number;
  connection: Connection;
  databaseUrl: string;
  databaseName: string;
  /** The bench's own connections to the run's database (polling the notification log). */
  db: Pool;
  sim: RemoteSim;
  /** The simulator's process (for CPU accounting). */
  simProcess: Managed;
  procs: ProcessSet;
  /** Bearer token of the run's `service` API key. */
  apiKey: string;
  /** The API's base URL (known before it starts: workers need it for status callbacks). */
  apiUrl: string;
  startApi(options: RelayProcessOptions): Promise<Managed>;
  /** Starts the compiled `src/worker.ts`; resolves once it polls the notifications queue. */
  startWorker(name: string, options: RelayProcessOptions): Promise<Managed>;
  /** Spawns a TypeScript entry point of the bench with `node --import tsx`. */
  spawnScript(name: string, script: string, env: Record<string, string>): Managed;
  /** Resolves once a worker with process id `pid` polls `taskQueue` for workflow tasks. */
  waitForPoller(taskQueue: string, m: Managed, timeoutMs?: number): Promise<void>;
  /** Stops every process, drops the database; the run's directory (logs) is kept when `keepLogs`. */
  teardown(keepLogs?: boolean): Promise<void>;
}

/**
 * One self-contained run: its own persisted Temporal dev server (as production keeps its
 * state), a fresh database migrated by the real Prisma CLI, Relay's search attributes, a
 * Twilio simulator in its own process, and Relay's real entry points as child processes. `teardown` stops
 * every process, drops the database and deletes the run's directory.
 */
export async function startStack(options: {
  label: string;
  simulator?: Omit<TwilioSimulatorOptions, 'port' | 'accountSid' | 'authToken'>;
  /** Receives the teardown as soon as there is something to tear down (a signal during start-up). */
  onTeardown?: (teardown: (keepLogs?: boolean) => Promise<void>) => void;
}): Promise<BenchStack> {
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
    // Temporal first: a file-backed dev server takes a while to come up; migrations run meanwhile.
    const port = await freePort();
    const temporalAddress = `127.0.0.1:${port}`;
    const temporalLog = path.join(dir, 'temporal.log');
    const server = startDevServer(temporalCli(), { port, namespace: NAMESPACE, dbFile: path.join(dir, 'temporal.db'), logFile: temporalLog, detached: true });
    procs.adopt('temporal', server, temporalLog, 9);

    await admin(`CREATE DATABASE "${databaseName}"`);
    cleanups.push(() => admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`));
    const url = new URL(adminUrl());
    url.pathname = `/${databaseName}`;
    const databaseUrl = url.toString();
    migrateDeploy(databaseUrl);
    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    cleanups.push(() => db.end());

    // Built once: restarted workers start in seconds, as production's prebuilt bundle does.
    const bundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
    // Relay runs as deployed: compiled JavaScript under plain node (the Docker image's way),
    // not through the TypeScript loader, whose source-mapped stack traces cost CPU at runtime.
    compileRelay();

    await waitForTemporal(temporalAddress, 120_000, () => server.exitCode !== null, temporalLog);
    const connection = await Connection.connect({ address: temporalAddress });
    cleanups.push(() => connection.close());
    await ensureSearchAttributes(connection, NAMESPACE);

    const simPort = await freePort();
    const sim = new RemoteSim(`http://127.0.0.1:${simPort}`, `AC${randomBytes(16).toString('hex')}`, randomBytes(16).toString('hex'));
    const simLog = path.join(dir, 'simulator.log');
    const simProcess = procs.spawn('simulator', process.execPath, ['--import', 'tsx', path.join(__dirname, 'sim-server.ts')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SIM_PORT: String(simPort),
        SIM_ACCOUNT_SID: sim.accountSid,
        SIM_AUTH_TOKEN: sim.authToken,
        SIM_OPTIONS: JSON.stringify({ seed: 1, ...options.simulator }),
      },
      cwd: ROOT,
      logFile: simLog,
      stage: 1,
    });
    for (const deadline = Date.now() + 60_000; !(await sim.count().then(() => true, () => false)); ) {
      if (simProcess.child.exitCode !== null || Date.now() > deadline) throw new Error(`the Twilio simulator did not start:\n${tail(simLog)}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const apiKey = randomBytes(24).toString('hex');
    const encryptionKey = `bench:${randomBytes(32).toString('base64')}`;
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // No .env of the working tree: the run's configuration is exactly what is set here.
    const emptyDotenv = path.join(dir, 'empty.env');
    writeFileSync(emptyDotenv, '');

    const relayEnv = async (o: RelayProcessOptions): Promise<NodeJS.ProcessEnv> => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOTENV_CONFIG_PATH: emptyDotenv,
      DOTENV_CONFIG_QUIET: 'true',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      RELAY_API_KEYS: `bench:service:${apiKey}`,
      PAYLOAD_ENCRYPTION_KEYS: encryptionKey,
      TWILIO_ACCOUNT_SID: sim.accountSid,
      TWILIO_AUTH_TOKEN: sim.authToken,
      TWILIO_BASE_URL: sim.url,
      TWILIO_SENDERS: o.senders,
      NOTIFY_CALLBACK_BASE_URL: apiUrl,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      // One client sends thousands of requests a minute here; the per-key limit is not under test.
      RATE_LIMIT_PER_KEY: '0',
      RATE_LIMIT_PER_ADDRESS: '0',
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_METRICS_PORT: String(await freePort()),
      WORKER_SHUTDOWN_GRACE_MS: '2000',
      ...o.env,
    });

    const spawnNode = async (name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []) =>
      procs.spawn(name, process.execPath, [...nodeArgs, script], { env, cwd: ROOT, logFile: path.join(dir, `${name}.log`), stage: 0 });

    const waitForPoller = async (taskQueue: string, m: Managed, timeoutMs = 120_000) => {
      const identity = `${m.child.pid}@${hostname()}`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (m.child.exitCode !== null || m.child.signalCode !== null) throw new Error(`${m.name} exited during start-up:\n${tail(m.logFile)}`);
        const res = await connection.workflowService.describeTaskQueue({
          namespace: NAMESPACE,
          taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        if ((res.pollers ?? []).some((p) => p.identity === identity)) return;
        if (Date.now() > deadline) throw new Error(`${m.name} did not poll ${taskQueue} within ${timeoutMs} ms:\n${tail(m.logFile)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    const stack: BenchStack = {
      dir,
      temporalAddress,
      temporalPid: server.pid!,
      connection,
      databaseUrl,
      databaseName,
      db,
      sim,
      simProcess,
      procs,
      apiKey,
      apiUrl,
      async startApi(o) {
        const m = await spawnNode('api', path.join(ROOT, 'dist', 'src', 'api', 'server.js'), await relayEnv(o), o.nodeArgs);
        const deadline = Date.now() + 120_000;
        for (;;) {
          if (m.child.exitCode !== null) throw new Error(`the API exited during start-up:\n${tail(m.logFile)}`);
          const ready = await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
          if (ready) return m;
          if (Date.now() > deadline) throw new Error(`the API was not ready within 120 s:\n${tail(m.logFile)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      async startWorker(name, o) {
        const m = await spawnNode(name, path.join(ROOT, 'dist', 'src', 'worker.js'), await relayEnv(o), o.nodeArgs);
        await waitForPoller(NOTIFICATIONS_TASK_QUEUE, m);
        return m;
      },
      spawnScript(name, script, env) {
        return procs.spawn(name, process.execPath, ['--import', 'tsx', script], {
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
          cwd: ROOT,
          logFile: path.join(dir, `${name}.log`),
          stage: 0,
        });
      },
      waitForPoller,
      teardown,
    };
    return stack;
  } catch (err) {
    await teardown(true);
    throw err;
  }
}

/**
 * Runs `main` with the stack torn down afterwards, whatever happens: normal end, error,
 * Ctrl-C or SIGTERM (e.g. from `timeout`). A SIGKILL is covered by the reaper, which stops
 * the processes (the database is then left behind, named relay_<label>_<hex>).
 */
export async function withStack(label: string, simulator: Parameters<typeof startStack>[0]['simulator'], main: (stack: BenchStack) => Promise<void>): Promise<void> {
  const run: { teardown?: (keepLogs?: boolean) => Promise<void> } = {};
  let stopping: Promise<void> | undefined;
  const stop = (keepLogs: boolean) => (stopping ??= run.teardown ? run.teardown(keepLogs) : Promise.resolve());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      say(`${signal}: stopping`);
      void stop(true).finally(() => process.exit(130));
    });
  const stack = await startStack({ label, simulator, onTeardown: (teardown) => (run.teardown = teardown) });
  try {
    await main(stack);
  } catch (err) {
    await stop(true);
    throw err;
  }
  await stop(false);
}
