import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Pool } from 'pg';
import { migrateDeploy } from '../../scripts/lib/prisma-cli';
import { freePort, startDevServer, temporalCli, waitForTemporal } from '../../scripts/lib/temporal-dev-server';
import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET } from '../../src/integrations/exact/simulator/demo-data';
import { EXACT_TASK_QUEUE } from '../../src/modules/company-sync';
import { createDataConverter } from '../../src/temporal/data-converter';
import { ensureSearchAttributes } from '../../src/temporal/search-attributes';
import { buildWorkflowBundle } from '../../src/temporal/workflow-bundle';
import { type Managed, ProcessSet, tail } from '../lib/processes';
import { NAMESPACE, ROOT, admin, adminUrl, compileRelay, say } from '../lib/stack';
import { ChaosSim } from './chaos-sim';

/**
 * The convergence run's own stack: a persisted Temporal dev server, a fresh database migrated by the
 * real Prisma CLI, Relay's search attributes, the Exact simulator in its own process (seeded, its
 * GUIDs reproducible), and Relay's API and workers compiled to dist/ and run under plain node with
 * NODE_ENV=production, configured as a live Exact app whose host is the simulator (the simulator's
 * demo client pair), so nothing but the host differs from a deployment talking to Exact Online.
 * Exact is connected through Relay's API as an operator connects it (`connect`).
 */

export interface ChaosStackOptions {
  label: string;
  division: number;
  accounts: number;
  seed: number;
  /** Exact's per-division limits, set alike at the simulator and in Relay's configuration. */
  minuteLimit: number;
  dayLimit: number;
  /** Error answers per endpoint per hour before Exact blocks it (0: never). */
  errorsPerHour: number;
  /** EXACT_SYNC_INTERVAL, e.g. `30s`. */
  syncInterval: string;
  /** Leaves the run's database for a look afterwards (its name is printed) instead of dropping it. */
  keepDatabase?: boolean;
}

export interface ChaosStack {
  dir: string;
  connection: Connection;
  /** With Relay's data converter (payloads are encrypted in production). */
  client: Client;
  db: Pool;
  sim: ChaosSim;
  procs: ProcessSet;
  apiUrl: string;
  /** Bearer tokens: a `service` key (companies) and an `operator` key (Exact connections, division controls). */
  serviceKey: string;
  operatorKey: string;
  startApi(): Promise<Managed>;
  /** Starts the compiled `src/worker.ts`; resolves once it polls the Exact task queue. */
  startWorker(name: string): Promise<Managed>;
  /** Connects Exact through Relay's API (authorize → Exact's consent → callback) and selects the division. */
  connect(): Promise<string>;
  teardown(keepLogs?: boolean): Promise<void>;
}

export async function startChaosStack(options: ChaosStackOptions & { onTeardown?: (teardown: (keepLogs?: boolean) => Promise<void>) => void }): Promise<ChaosStack> {
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

    const simPort = await freePort();
    const sim = new ChaosSim(`http://127.0.0.1:${simPort}`);
    const simLog = path.join(dir, 'exact-simulator.log');
    const limits = { minutely: options.minuteLimit, daily: options.dayLimit, errorsPerHour: options.errorsPerHour };
    const simProcess = procs.spawn('exact-simulator', process.execPath, ['--import', 'tsx', path.join(__dirname, 'chaos-sim-server.ts')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CHAOS_SIM: JSON.stringify({ port: simPort, division: options.division, accounts: options.accounts, seed: options.seed, limits }),
      },
      cwd: ROOT,
      logFile: simLog,
      stage: 1,
    });

    await admin(`CREATE DATABASE "${databaseName}"`);
    const url = new URL(adminUrl());
    url.pathname = `/${databaseName}`;
    const databaseUrl = url.toString();
    cleanups.push(async () => {
      if (options.keepDatabase) console.error(`kept the run's database: ${databaseUrl}`);
      else await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    });
    migrateDeploy(databaseUrl);
    const db = new Pool({ connectionString: databaseUrl, max: 4 });
    cleanups.push(() => db.end());

    // Built once: a restarted worker is polling again within seconds, as production's prebuilt bundle is.
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
    const client = new Client({ connection, namespace: NAMESPACE, dataConverter: createDataConverter([{ id: 'chaos', key: keyBytes }]) });
    const serviceKey = randomBytes(24).toString('hex');
    const operatorKey = randomBytes(24).toString('hex');
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    // No .env of the working tree: the run's configuration is exactly what is set here.
    const emptyDotenv = path.join(dir, 'empty.env');
    writeFileSync(emptyDotenv, '');

    const relayEnv = async (): Promise<NodeJS.ProcessEnv> => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DOTENV_CONFIG_PATH: emptyDotenv,
      DOTENV_CONFIG_QUIET: 'true',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      RELAY_API_KEYS: `chaos-client:service:${serviceKey},chaos-operator:operator:${operatorKey}`,
      PAYLOAD_ENCRYPTION_KEYS: `chaos:${keyBytes.toString('base64')}`,
      // A live Exact app whose host is the simulator: no demo mode, nothing else differs from production.
      EXACT_CLIENT_ID: EXACT_DEMO_CLIENT_ID,
      EXACT_CLIENT_SECRET: EXACT_DEMO_CLIENT_SECRET,
      EXACT_BASE_URL: sim.url,
      EXACT_MINUTE_LIMIT: String(options.minuteLimit),
      EXACT_DAILY_LIMIT: String(options.dayLimit),
      EXACT_SYNC_INTERVAL: options.syncInterval,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      // One client sends thousands of requests a minute here; the per-key limit is not under test.
      RATE_LIMIT_PER_KEY: '0',
      RATE_LIMIT_PER_ADDRESS: '0',
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_METRICS_PORT: String(await freePort()),
      WORKER_SHUTDOWN_GRACE_MS: '2000',
    });

    const spawnNode = async (name: string, script: string) =>
      procs.spawn(name, process.execPath, [script], { env: await relayEnv(), cwd: ROOT, logFile: path.join(dir, `${name}.log`), stage: 0 });

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

    const operator = { authorization: `Bearer ${operatorKey}` };
    return {
      dir,
      connection,
      client,
      db,
      sim,
      procs,
      apiUrl,
      serviceKey,
      operatorKey,
      async startApi() {
        const m = await spawnNode('api', path.join(ROOT, 'dist', 'src', 'api', 'server.js'));
        for (const deadline = Date.now() + 120_000; ; ) {
          if (m.child.exitCode !== null) throw new Error(`the API exited during start-up:\n${tail(m.logFile)}`);
          if (await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false)) return m;
          if (Date.now() > deadline) throw new Error(`the API was not ready within 120 s:\n${tail(m.logFile)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      },
      async startWorker(name) {
        const m = await spawnNode(name, path.join(ROOT, 'dist', 'src', 'worker.js'));
        await waitForPoller(m);
        return m;
      },
      async connect() {
        // As an operator's browser goes: Relay → Exact's authorize page (the simulator consents at once) → Relay's callback.
        const toExact = await fetch(`${apiUrl}/v1/exact/connect`, { headers: operator, redirect: 'manual' });
        const toCallback = await fetch(location(toExact), { redirect: 'manual' });
        const done = await fetch(location(toCallback), { redirect: 'manual' });
        const connectionId = /\/connections\/([0-9a-f-]{36})/.exec(location(done))?.[1];
        if (!connectionId) throw new Error(`connecting Exact did not complete (the callback answered ${done.status}: ${await done.text()})`);
        const offered = await fetch(`${apiUrl}/v1/exact/connections/${connectionId}/divisions`, { headers: operator });
        if (!offered.ok) throw new Error(`listing Exact's divisions failed (${offered.status}: ${await offered.text()})`);
        const divisions = ((await offered.json()) as { items: Array<{ division: number }> }).items.map((d) => d.division);
        if (!divisions.includes(options.division)) throw new Error(`Exact offered divisions ${divisions.join(', ')}, not ${options.division}`);
        const chosen = await fetch(`${apiUrl}/v1/exact/connections/${connectionId}/divisions`, {
          method: 'PUT',
          headers: { ...operator, 'content-type': 'application/json' },
          body: JSON.stringify({ divisions: [options.division] }),
        });
        if (!chosen.ok) throw new Error(`selecting division ${options.division} failed (${chosen.status}: ${await chosen.text()})`);
        return connectionId;
      },
      teardown,
    };
  } catch (err) {
    await teardown(true);
    throw err;
  }
}

function location(res: Response): string {
  const to = res.headers.get('location');
  if (!to) throw new Error(`expected a redirect from ${res.url}, got ${res.status}`);
  return new URL(to, res.url).toString();
}

/**
 * Runs `main` with the stack torn down afterwards, whatever happens: normal end, error, Ctrl-C or
 * SIGTERM (the logs kept unless `main` returned true). A SIGKILL is covered by the reaper, which
 * stops the processes (the database is then left behind, named relay_<label>_<hex>).
 */
export async function withChaosStack(options: ChaosStackOptions, main: (stack: ChaosStack) => Promise<boolean>): Promise<void> {
  const run: { teardown?: (keepLogs?: boolean) => Promise<void> } = {};
  let stopping: Promise<void> | undefined;
  const stop = (keepLogs: boolean) => (stopping ??= run.teardown ? run.teardown(keepLogs) : Promise.resolve());
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    // `on`, not `once`: Ctrl-C reaches npm, tsx and this process, and tsx relays it here a second time,
    // which must not end the process before the database is dropped.
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      say(`${signal}: stopping`);
      // The run goes on meanwhile: its calls to the stopped processes fail, which must not end it either.
      const ignore = (err: unknown) => console.error(`during teardown: ${err instanceof Error ? err.message : String(err)}`);
      process.on('uncaughtException', ignore);
      process.on('unhandledRejection', ignore);
      void stop(true).finally(() => process.exit(130));
    });
  const stack = await startChaosStack({ ...options, onTeardown: (teardown) => (run.teardown = teardown) });
  let ok: boolean;
  try {
    ok = await main(stack);
  } catch (err) {
    await stop(true);
    throw err;
  }
  // A run that missed its goal keeps its logs for the look that follows.
  await stop(!ok);
}
