import { spawnSync } from 'node:child_process';
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
import { createDataConverter } from '../../src/temporal/data-converter';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { buildWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { type Managed, ProcessSet, tail } from './processes';

/**
 * One self-contained run, whatever it measures: its own persisted Temporal dev server (as production keeps
 * its state), a fresh database migrated by the real Prisma CLI, Relay's search attributes, the vendor's
 * simulator in its own process, and Relay's compiled entry points as child processes. A bench adds only its
 * vendor: the simulator to start and the configuration every Relay process gets (twilio-stack.ts,
 * company-sync/exact-stack.ts, company-sync/chaos-stack.ts).
 */

export const ROOT = path.resolve(__dirname, '..', '..');
export const NAMESPACE = 'default';

/** Prints a figure or a step as it happens (stdout; the last line of a run is its JSON result). */
export const say = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

export type Teardown = (keepLogs?: boolean) => Promise<void>;

/** A vendor's simulator, in a process of its own as the vendor is remote: the run's own load must not slow it. */
export interface SimulatorProcess {
  /** The process's name, and its log's (`<name>.log` in the run's directory). */
  name: string;
  /** How a failed start names it, e.g. `the Exact simulator`. */
  title: string;
  /** Its TypeScript entry point and arguments, run with `node --import tsx`. */
  args: string[];
  env?: Record<string, string>;
  /** True once its control API answers. */
  ready(): Promise<boolean>;
}

export interface StackOptions {
  /** Names the run's directory (`/tmp/relay-<label>-*`) and database (`relay_<label>_<hex>`). */
  label: string;
  /** Spawned right after the Temporal server, so that it seeds while the rest starts. */
  simulator: SimulatorProcess;
  /** The vendor's configuration, given to every Relay process of the run (a process's own `env` overrides it). */
  env: Record<string, string>;
  /** The task queue a started worker is up on once it polls it. */
  workerQueue: string;
  /** The run's API keys' names, which the audit log records as the actor of their writes. */
  keyNames?: { service: string; operator: string };
  /** Leaves the run's database for a look afterwards (its URL is printed) instead of dropping it. */
  keepDatabase?: boolean;
  /** Receives the teardown as soon as there is something to tear down (a signal during start-up). */
  onTeardown?: (teardown: Teardown) => void;
}

/** One Relay process: its own environment over the stack's, and arguments for node itself (e.g. --cpu-prof). */
export interface ProcessOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/** A worker process and where its Temporal metrics (Prometheus text) are served. */
export type RelayWorker = Managed & { metricsUrl: string };

export interface RelayStack {
  dir: string;
  temporalAddress: string;
  temporalPid: number;
  connection: Connection;
  /** With Relay's data converter: workers refuse unencrypted inputs in production. */
  client: Client;
  /** PAYLOAD_ENCRYPTION_KEYS of Relay's processes (also what seals stored secrets). */
  encryptionKeys: EncryptionKey[];
  databaseUrl: string;
  databaseName: string;
  /** The bench's own connections to the run's database (counts, statistics, CPU accounting of backends). */
  db: Pool;
  /** The simulator's process (for CPU accounting). */
  simProcess: Managed;
  procs: ProcessSet;
  /** Bearer tokens of the run's `service` and `operator` API keys. */
  apiKey: string;
  operatorKey: string;
  /** The API's base URL (known before it starts: workers need it for callbacks, Exact for its redirect). */
  apiUrl: string;
  /** Starts the compiled `src/api/server.ts`; resolves once it is ready. */
  startApi(options?: ProcessOptions): Promise<Managed>;
  /** Starts the compiled `src/worker.ts`; resolves once it polls the stack's worker queue. */
  startWorker(name: string, options?: ProcessOptions): Promise<RelayWorker>;
  /** Spawns a TypeScript entry point of the bench with `node --import tsx`. */
  spawnScript(name: string, script: string, env: Record<string, string>): Managed;
  /** Resolves once a worker with process id `pid` polls `taskQueue` for workflow tasks. */
  waitForPoller(taskQueue: string, m: Managed, timeoutMs?: number): Promise<void>;
  /** Runs `cleanup` at teardown, before what the stack set up itself is undone. */
  addCleanup(cleanup: () => Promise<unknown>): void;
  /** Stops every process, drops the database; the run's directory (logs) is kept when `keepLogs`. */
  teardown: Teardown;
}

/** What a run holds until its teardown: its directory, its processes, and what to undo (last first). */
interface Run {
  dir: string;
  procs: ProcessSet;
  cleanups: Array<() => Promise<unknown>>;
  teardown: Teardown;
}

function openRun(label: string): Run {
  const dir = mkdtempSync(path.join(tmpdir(), `relay-${label}-`));
  const procs = new ProcessSet();
  const cleanups: Array<() => Promise<unknown>> = [];
  const teardown = async (keepLogs = false) => {
    await procs.stopAll().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    // stderr: stdout's last line is the run's result.
    if (keepLogs) console.error(`kept the run's logs in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  return { dir, procs, cleanups, teardown };
}

interface TemporalServer {
  address: string;
  pid: number;
  connect(): Promise<Connection>;
}

/** Spawned first: a file-backed dev server takes a while to come up, and the rest starts meanwhile. */
async function startTemporal(run: Run): Promise<TemporalServer> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const log = path.join(run.dir, 'temporal.log');
  const server = startDevServer(temporalCli(), { port, namespace: NAMESPACE, dbFile: path.join(run.dir, 'temporal.db'), logFile: log, detached: true });
  run.procs.adopt('temporal', server, log, 9);
  const connect = async () => {
    await waitForTemporal(address, 120_000, () => server.exitCode !== null, log);
    const connection = await Connection.connect({ address });
    run.cleanups.push(() => connection.close());
    await ensureSearchAttributes(connection, NAMESPACE);
    return connection;
  };
  return { address, pid: server.pid!, connect };
}

/** A fresh database named after the run, migrated by the real Prisma CLI; dropped at teardown unless kept. */
async function createDatabase(run: Run, label: string, keep: boolean): Promise<{ name: string; url: string; db: Pool }> {
  const name = `relay_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  run.cleanups.push(async () => {
    if (keep) console.error(`kept the run's database: ${url.toString()}`);
    else await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  migrateDeploy(url.toString());
  const db = new Pool({ connectionString: url.toString(), max: 4 });
  run.cleanups.push(() => db.end());
  return { name, url: url.toString(), db };
}

/** Builds the workflow bundle and dist/; returns the bundle's path. */
async function buildRelay(dir: string): Promise<string> {
  // Built once: restarted workers start in seconds, as production's prebuilt bundle lets them.
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await buildWorkflowBundle()).code);
  // Relay runs as deployed: compiled JavaScript under plain node (the Docker image's way),
  // not through the TypeScript loader, whose source-mapped stack traces cost CPU at runtime.
  compileRelay();
  return bundlePath;
}

function spawnScript(run: Run, name: string, args: string[], env: Record<string, string>, stage: number): Managed {
  return run.procs.spawn(name, process.execPath, ['--import', 'tsx', ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    cwd: ROOT,
    logFile: path.join(run.dir, `${name}.log`),
    stage,
  });
}

interface Readiness {
  timeoutMs: number;
  intervalMs: number;
  /** The error's first line if the process exits first, and if `timeoutMs` passes. */
  exited: string;
  late: string;
}

/** Polls `ready` until it holds; fails with the tail of the process's log if it exits first or is late. */
async function waitUntilReady(m: Managed, ready: () => Promise<boolean>, o: Readiness): Promise<void> {
  for (const deadline = Date.now() + o.timeoutMs; ; ) {
    if (m.child.exitCode !== null || m.child.signalCode !== null) throw new Error(`${o.exited}:\n${tail(m.logFile)}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${o.late}:\n${tail(m.logFile)}`);
    await sleep(o.intervalMs);
  }
}

async function hasPoller(connection: Connection, taskQueue: string, identity: string): Promise<boolean> {
  const res = await connection.workflowService.describeTaskQueue({
    namespace: NAMESPACE,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (res.pollers ?? []).some((p) => p.identity === identity);
}

/** What every Relay process of a run is configured with, before the vendor's and its own settings. */
interface RelaySettings {
  dotenv: string;
  databaseUrl: string;
  temporalAddress: string;
  apiKeys: string;
  encryptionKeys: string;
  apiPort: number;
  bundlePath: string;
}

function relayEnv(s: RelaySettings): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOTENV_CONFIG_PATH: s.dotenv,
    DOTENV_CONFIG_QUIET: 'true',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: s.databaseUrl,
    TEMPORAL_ADDRESS: s.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    RELAY_API_KEYS: s.apiKeys,
    PAYLOAD_ENCRYPTION_KEYS: s.encryptionKeys,
    API_HOST: '127.0.0.1',
    API_PORT: String(s.apiPort),
    // One client sends thousands of requests a minute here; the per-key limit is not under test.
    RATE_LIMIT_PER_KEY: '0',
    RATE_LIMIT_PER_ADDRESS: '0',
    WORKFLOW_BUNDLE_PATH: s.bundlePath,
    WORKER_SHUTDOWN_GRACE_MS: '2000',
  };
}

/** The run's keys: Relay's API keys and its payload encryption key, all fresh. */
function runKeys(names: { service: string; operator: string }) {
  const apiKey = randomBytes(24).toString('hex');
  const operatorKey = randomBytes(24).toString('hex');
  const encryptionKeys: EncryptionKey[] = [{ id: 'bench', key: randomBytes(32) }];
  return {
    apiKey,
    operatorKey,
    encryptionKeys,
    apiKeys: `${names.service}:service:${apiKey},${names.operator}:operator:${operatorKey}`,
    payloadKeys: encryptionKeys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
  };
}

export async function startRelayStack(options: StackOptions): Promise<RelayStack> {
  const run = openRun(options.label);
  options.onTeardown?.(run.teardown);
  try {
    const server = await startTemporal(run);
    const simProcess = spawnScript(run, options.simulator.name, options.simulator.args, options.simulator.env ?? {}, 1);
    const database = await createDatabase(run, options.label, options.keepDatabase ?? false);
    const bundlePath = await buildRelay(run.dir);
    const connection = await server.connect();
    const title = `${options.simulator.title} did not start`;
    await waitUntilReady(simProcess, options.simulator.ready, { timeoutMs: 60_000, intervalMs: 200, exited: title, late: title });
    return await relayStack(run, options, { server, simProcess, database, bundlePath, connection });
  } catch (err) {
    await run.teardown(true);
    throw err;
  }
}

interface Started {
  server: TemporalServer;
  simProcess: Managed;
  database: Awaited<ReturnType<typeof createDatabase>>;
  bundlePath: string;
  connection: Connection;
}

/** The started stack, with what starts Relay's own processes in it. */
async function relayStack(run: Run, options: StackOptions, s: Started): Promise<RelayStack> {
  const keys = runKeys(options.keyNames ?? { service: 'bench', operator: 'bench-operator' });
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // No .env of the working tree: the run's configuration is exactly what is set here.
  const dotenv = path.join(run.dir, 'empty.env');
  writeFileSync(dotenv, '');
  const base = relayEnv({ dotenv, databaseUrl: s.database.url, temporalAddress: s.server.address, apiKeys: keys.apiKeys, encryptionKeys: keys.payloadKeys, apiPort, bundlePath: s.bundlePath });

  const spawnRelay = (name: string, entry: string, o: ProcessOptions, metricsPort: number) =>
    run.procs.spawn(name, process.execPath, [...(o.nodeArgs ?? []), path.join(ROOT, 'dist', 'src', entry)], {
      env: { ...base, ...options.env, WORKER_METRICS_PORT: String(metricsPort), ...o.env },
      cwd: ROOT,
      logFile: path.join(run.dir, `${name}.log`),
      stage: 0,
    });
  const waitForPoller = (taskQueue: string, m: Managed, timeoutMs = 120_000) =>
    waitUntilReady(m, () => hasPoller(s.connection, taskQueue, `${m.child.pid}@${hostname()}`), {
      timeoutMs,
      intervalMs: 250,
      exited: `${m.name} exited during start-up`,
      late: `${m.name} did not poll ${taskQueue} within ${timeoutMs} ms`,
    });

  return {
    dir: run.dir,
    temporalAddress: s.server.address,
    temporalPid: s.server.pid,
    connection: s.connection,
    client: new Client({ connection: s.connection, namespace: NAMESPACE, dataConverter: createDataConverter(keys.encryptionKeys) }),
    encryptionKeys: keys.encryptionKeys,
    databaseUrl: s.database.url,
    databaseName: s.database.name,
    db: s.database.db,
    simProcess: s.simProcess,
    procs: run.procs,
    apiKey: keys.apiKey,
    operatorKey: keys.operatorKey,
    apiUrl,
    async startApi(o = {}) {
      const m = spawnRelay('api', path.join('api', 'server.js'), o, await freePort());
      const ready = () => fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false);
      await waitUntilReady(m, ready, { timeoutMs: 120_000, intervalMs: 250, exited: 'the API exited during start-up', late: 'the API was not ready within 120 s' });
      return m;
    },
    async startWorker(name, o = {}) {
      const metricsPort = await freePort();
      const m = spawnRelay(name, 'worker.js', o, metricsPort);
      await waitForPoller(options.workerQueue, m);
      return Object.assign(m, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
    },
    spawnScript: (name, script, env) => spawnScript(run, name, [script], env, 0),
    waitForPoller,
    addCleanup: (cleanup) => run.cleanups.push(cleanup),
    teardown: run.teardown,
  };
}

/**
 * Runs `main` with the stack torn down afterwards, whatever happens: normal end, error, Ctrl-C or SIGTERM
 * (e.g. from `timeout`). The logs are kept unless `main` ended well (returned anything but false). A SIGKILL
 * is covered by the reaper, which stops the processes (the database is then left behind, named
 * relay_<label>_<hex>).
 */
export async function runStack<S>(start: (onTeardown: (teardown: Teardown) => void) => Promise<S>, main: (stack: S) => Promise<boolean | void>): Promise<void> {
  const run: { teardown?: Teardown } = {};
  let stopping: Promise<void> | undefined;
  const stop = (keepLogs: boolean) => (stopping ??= run.teardown ? run.teardown(keepLogs) : Promise.resolve());
  stopOnSignals(stop);
  const stack = await start((teardown) => (run.teardown = teardown));
  let ok: boolean;
  try {
    ok = (await main(stack)) !== false;
  } catch (err) {
    await stop(true);
    throw err;
  }
  // A run that missed its goal keeps its logs for the look that follows.
  await stop(!ok);
}

function stopOnSignals(stop: (keepLogs: boolean) => Promise<void>): void {
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    // `on`, not `once`: Ctrl-C under npm reaches this process twice (from the terminal and relayed by npm and
    // tsx), and a second signal without a handler would kill it halfway through the teardown.
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      say(`${signal}: stopping`);
      // The run goes on meanwhile: its calls to the stopped Temporal server or the closed database fail, and
      // such a failure must not end this process before the database is dropped.
      const ignore = (err: unknown) => console.error(`during teardown: ${err instanceof Error ? err.message : String(err)}`);
      process.on('uncaughtException', ignore);
      process.on('unhandledRejection', ignore);
      void stop(true).finally(() => process.exit(130));
    });
}
