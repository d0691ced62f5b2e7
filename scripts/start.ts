import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import dotenv from 'dotenv';
import { type Config, ConfigError, loadConfig } from '../src/config';
import { RELAY_MODULES } from '../src/modules';
import { disabledMessage, loadModules } from '../src/modules/load';
import type { ApiCall, LoadedModule, SimulatorSpec } from '../src/modules/module';
import { temporalConnectionOptions } from '../src/temporal/connection';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { DatabaseUnreachableError, ensureDatabase } from './lib/database';
import { ensureDotenv } from './lib/dotenv-file';
import { type PortUse, PortsInUseError, assertPortsFree } from './lib/ports';
import { migrateDeploy } from './lib/prisma-cli';
import { type WatchOptions, startReaper } from './lib/reaper';
import { spawnSimulator, waitForSimulator } from './lib/simulators';
import { startDevServer, stopProcess, temporalCli, waitForTemporal } from './lib/temporal-dev-server';

/**
 * `npm start`: brings up everything Relay needs on one machine — configuration, the
 * database (created and migrated), a Temporal dev server with its Web UI (unless
 * TEMPORAL_ADDRESS points elsewhere), the worker and the API — and stops it all on Ctrl-C.
 * Nothing it starts outlives it: signals, a broken output pipe and crashes stop the
 * children in order, and the reaper (scripts/lib/reaper.ts) covers SIGKILL.
 */

const ROOT = path.resolve(__dirname, '..');

// `npm start | tee relay.log` then Ctrl-C: tee is gone before we print "stopping", and an
// unhandled EPIPE would kill this process before it has stopped the children.
let outputBroken = false;
const write = (stream: NodeJS.WriteStream, text: string | Buffer) => {
  if (!outputBroken) stream.write(text);
};
const step = (msg: string) => write(process.stdout, `\x1b[36m▸\x1b[0m ${msg}\n`);
const report = (msg: string) => write(process.stderr, `${msg}\n`);

interface Supervised extends WatchOptions {
  name: string;
  child: ChildProcess;
}

const children: Supervised[] = [];
const reaper = startReaper();
let stopping: Promise<void> | undefined;
let exitCode = 0;

/**
 * Stops the children once, in stage order (API and worker, which drains, then Temporal), then exits
 * with the code of what stopped it first — except that a signal after a broken output pipe wins:
 * Ctrl-C on `npm start | tee` reaches tee and us together, and which we notice first is chance.
 */
function stop(code: number, bySignal = false): Promise<void> {
  if (!stopping || (bySignal && outputBroken)) exitCode = code;
  stopping ??= (async () => {
    const alive = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    if (alive.length) step('stopping Relay…');
    for (const stage of [...new Set(alive.map((c) => c.stage))].sort((a, b) => a - b)) {
      await Promise.all(alive.filter((c) => c.stage === stage).map((c) => stopProcess(c.child, c.graceMs)));
    }
    reaper.release();
    process.exit(exitCode);
  })();
  return stopping;
}

/** Before anything is spawned: from here on, every way out goes through `stop`. */
function installExitHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0, true));
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      // Nobody reads our output any more (EPIPE): stop like a piped command would.
      outputBroken = true;
      void stop(1);
    });
  }
  const crash = (err: unknown) => {
    report(`npm start failed unexpectedly: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    void stop(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // A foreground command: when whoever started it is gone (npm killed with SIGKILL), so are we.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop(1);
  }, 1_000).unref();
}

/** Once stopping has begun nothing new may start; `stop` ends the process. */
async function unlessStopping(): Promise<void> {
  if (stopping) await new Promise<never>(() => undefined);
}

function supervise(name: string, child: ChildProcess, options: WatchOptions): ChildProcess {
  children.push({ name, child, ...options });
  reaper.watch(child, options);
  // Through us rather than inherited: a broken terminal pipe must not fail the worker's drain.
  child.stdout?.on('data', (chunk: Buffer) => write(process.stdout, chunk));
  child.stderr?.on('data', (chunk: Buffer) => write(process.stderr, chunk));
  return child;
}

async function main(): Promise<void> {
  installExitHandlers();
  // Secrets already in the environment (a deployment, CI) mean no .env is needed.
  const configuredByEnvironment = Boolean(process.env.RELAY_API_KEYS && process.env.PAYLOAD_ENCRYPTION_KEYS);
  if (!configuredByEnvironment && ensureDotenv(path.join(ROOT, '.env.example'), path.join(ROOT, '.env'))) {
    step('created .env with fresh API keys and an encryption key (keep it private)');
  }
  dotenv.config({ path: path.join(ROOT, '.env'), quiet: true });
  const externalTemporal = Boolean(process.env.TEMPORAL_ADDRESS);
  const config = loadConfig();
  // Integrations without credentials run in demo mode against their local simulators (disabled in production).
  const modules = loadModules(RELAY_MODULES, config);
  const simulators = modules.flatMap((m) => m.enabled?.simulators() ?? []);
  const dataDir = path.resolve(ROOT, config.local.dataDir);
  // A program already on one of our ports must not be mistaken for a process of ours.
  await assertPortsFree(portsToClaim(config, externalTemporal, simulators));
  mkdirSync(dataDir, { recursive: true });

  step(`database: ${redact(config.databaseUrl)}`);
  if (await ensureDatabase(config.databaseUrl)) step('created the database');
  step('applying migrations (prisma migrate deploy)');
  migrateDeploy(config.databaseUrl, 'inherit');

  let devServer: ChildProcess | undefined;
  const devServerLog = path.join(dataDir, 'temporal.log');
  if (externalTemporal) {
    step(`Temporal: using ${config.temporal.address} (TEMPORAL_ADDRESS)`);
  } else {
    const dbFile = path.join(dataDir, 'temporal.db');
    step(`Temporal: starting the dev server on ${config.temporal.address} (state in ${shortPath(dbFile)})`);
    const cli = temporalCli();
    await unlessStopping();
    devServer = startDevServer(cli, {
      port: config.local.temporalPort,
      namespace: config.temporal.namespace,
      dbFile,
      uiPort: uiPort(config),
      codecEndpoint: `${config.api.publicUrl}/codec`,
      logFile: devServerLog,
      detached: true,
    });
    supervise('Temporal dev server', devServer, { stage: 1, graceMs: 10_000 });
  }
  await waitForTemporal(config.temporal.address, 90_000, () => devServer?.exitCode != null, shortPath(devServerLog));
  // Before the API can start workflows that carry them (the worker re-checks on start).
  await registerSearchAttributes(config).catch((err: unknown) => step(`could not register search attributes: ${String(err)}`));

  await unlessStopping();
  const env = { ...process.env, TEMPORAL_ADDRESS: config.temporal.address };
  const run = (file: string, args: string[] = []) =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  reportModules(modules, config.demo.productionOptIn);
  for (const sim of simulators) {
    step(`${sim.name}: starting on ${sim.url} (demo mode)`);
    // Stopped with Temporal, after the worker has drained its in-flight calls.
    const child = supervise(sim.name, spawnSimulator(ROOT, sim, env), { stage: 1, graceMs: 5_000 });
    await waitForSimulator(sim, 30_000, () => child.exitCode !== null);
  }
  step('starting the worker and the API');
  supervise('worker', run('src/worker.ts'), { stage: 0, graceMs: config.worker.shutdownGraceMs + 5_000 });
  supervise('API', run('src/api/server.ts'), { stage: 0, graceMs: 10_000 });
  for (const { name, child } of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      report(`the ${name} exited unexpectedly (code ${code}, signal ${signal}); stopping the rest`);
      void stop(1);
    });
  }

  await waitForReady(config);
  const serviceKey = (config.api.keys.find((k) => k.role === 'service') ?? config.api.keys[0])!;
  const api = apiCaller(config, serviceKey.secret);
  for (const m of modules) {
    const seeded = await (m.enabled?.seed(api) ?? Promise.resolve([])).catch(() => []);
    if (seeded.length) step(`demo ${m.name}: ${seeded.join(', ')}`);
  }
  printBanner(config, externalTemporal ? undefined : path.join(dataDir, 'temporal.db'), modules, serviceKey.name);
}

const uiPort = (config: Config) => Number(new URL(config.temporal.uiUrl).port || 8233);

/** Each module's state, loudly for a disabled one; a production build in demo mode warns every time. */
function reportModules(modules: readonly LoadedModule[], productionDemo: boolean): void {
  for (const m of modules) {
    if (m.state.mode === 'disabled') report(`\x1b[33m! ${disabledMessage(m.name, m.state.missing)}\x1b[0m`);
    else if (m.name !== 'core') step(`${m.name}: ${m.state.mode === 'live' ? 'live (credentials configured)' : 'demo mode (no credentials: local simulators)'}`);
  }
  if (productionDemo && modules.some((m) => m.state.mode === 'demo')) {
    report('\x1b[33m! RELAY_DEMO=true in a production build: integrations without credentials run against simulators with public demo credentials\x1b[0m');
  }
}

/** Relay's own API with a service key, as a client would call it (demo seeds). */
function apiCaller(config: Config, secret: string): ApiCall {
  return (method, urlPath, body) =>
    fetch(`${config.api.publicUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((res) => res.ok, () => false);
}

function portsToClaim(config: Config, externalTemporal: boolean, simulators: readonly SimulatorSpec[]): PortUse[] {
  const ports: PortUse[] = [
    { port: config.api.port, host: config.api.host, what: 'Relay API', hint: 'set API_PORT to another port' },
    { port: config.worker.metricsPort, host: '127.0.0.1', what: 'worker metrics', hint: 'set WORKER_METRICS_PORT to another port' },
  ];
  for (const sim of simulators) ports.push({ port: sim.port, host: '127.0.0.1', what: sim.name, hint: sim.portHint });
  if (!externalTemporal) {
    const devPort = config.local.temporalPort;
    ports.unshift(
      {
        port: devPort,
        host: '127.0.0.1',
        what: 'Temporal dev server',
        hint: `set TEMPORAL_ADDRESS=127.0.0.1:${devPort} if it is a Temporal server Relay should use, or RELAY_DEV_TEMPORAL_PORT to run the dev server on another port`,
      },
      { port: uiPort(config), host: '127.0.0.1', what: 'Temporal Web UI', hint: 'set TEMPORAL_UI_URL to another port' },
    );
  }
  return ports;
}

async function registerSearchAttributes(config: Config): Promise<void> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    await ensureSearchAttributes(connection, config.temporal.namespace);
  } finally {
    await connection.close();
  }
}

async function waitForReady(config: Config): Promise<void> {
  const url = `${config.api.publicUrl}/readyz`;
  for (let i = 0; i < 120; i++) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API did not become ready at ${url}`);
}

function printBanner(config: Config, devServerDb: string | undefined, modules: readonly LoadedModule[], keyName: string): void {
  const api = config.api.publicUrl;
  const temporal = devServerDb ? `dev server, state in ${shortPath(devServerDb)}` : 'TEMPORAL_ADDRESS';
  const integrations = modules.map((m) => `${m.name} ${m.state.mode}`).join(', ');
  const moduleLines = modules.flatMap((m) => m.enabled?.banner(keyName) ?? []);
  write(
    process.stdout,
    `
\x1b[32mRelay is running.\x1b[0m  Ctrl-C stops everything.

  API               ${api}
  API docs          ${api}/docs   (OpenAPI: ${api}/openapi.json)
  Readiness         ${api}/readyz
  Integrations      ${integrations}
  Temporal          ${config.temporal.address}   (${temporal})
  Temporal Web UI   ${config.temporal.uiUrl}   (filter: RelayIntegration = "notifications")
  Operator sign-in  ${api}/ui/sign-in   (then decoded payloads in the Web UI, see README "Temporal Web UI")
  Worker metrics    http://127.0.0.1:${config.worker.metricsPort}/metrics

Try the smoke workflow (\`npm run keys\` lists the API keys):
  KEY=$(npm run -s keys -- ${keyName})
  curl -s -X POST ${api}/v1/echo -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"message":"hello"}'
${moduleLines.length ? `\n${moduleLines.map((l) => (l ? `  ${l}` : '')).join('\n')}\n` : ''}
`,
  );
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
const shortPath = (file: string) => (file.startsWith(`${ROOT}${path.sep}`) ? path.relative(ROOT, file) : file);

main().catch((err: unknown) => {
  // Stopping already (Ctrl-C during start-up): the failure it caused is no news.
  if (stopping) return;
  if (err instanceof ConfigError) {
    report(`${err.message}\nFix .env (see .env.example) or the environment, then run npm start again.`);
  } else if (err instanceof PortsInUseError) {
    report(err.problems.join('\n'));
  } else if (err instanceof DatabaseUnreachableError) {
    report(`Relay needs PostgreSQL: ${err.message}
Fix one of:
  - start a local server (e.g. \`sudo pg_ctlcluster 15 main start\` or \`brew services start postgresql\`),
  - set DATABASE_URL in .env to a reachable server,
  - or run everything in containers: \`docker compose up\`.`);
  } else {
    report(err instanceof Error ? err.message : String(err));
  }
  void stop(1);
});
