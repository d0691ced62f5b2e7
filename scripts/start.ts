import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import dotenv from 'dotenv';
import { type Config, ConfigError, loadConfig } from '../src/config';
import { temporalConnectionOptions } from '../src/temporal/connection';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { DatabaseUnreachableError, ensureDatabase } from './lib/database';
import { ensureDotenv } from './lib/dotenv-file';
import { migrateDeploy } from './lib/prisma-cli';
import { startDevServer, stopProcess, temporalCli, waitForTemporal } from './lib/temporal-dev-server';

/**
 * `npm start`: brings up everything Relay needs on one machine — configuration, the
 * database (created and migrated), a Temporal dev server with its Web UI (unless
 * TEMPORAL_ADDRESS points elsewhere), the worker and the API — and stops it all on Ctrl-C.
 */

const ROOT = path.resolve(__dirname, '..');
const DATA = path.join(ROOT, '.data');
const step = (msg: string) => console.log(`\x1b[36m▸\x1b[0m ${msg}`);

async function main(): Promise<void> {
  // Secrets already in the environment (a deployment, CI) mean no .env is needed.
  const configuredByEnvironment = Boolean(process.env.RELAY_API_KEYS && process.env.PAYLOAD_ENCRYPTION_KEYS);
  if (!configuredByEnvironment && ensureDotenv(path.join(ROOT, '.env.example'), path.join(ROOT, '.env'))) {
    step('created .env with fresh API keys and an encryption key (keep it private)');
  }
  // Whether the user chose a cluster must be known before defaults fill TEMPORAL_ADDRESS in.
  dotenv.config({ path: path.join(ROOT, '.env'), quiet: true });
  const externalTemporal = Boolean(process.env.TEMPORAL_ADDRESS);
  const config = loadConfig();
  mkdirSync(DATA, { recursive: true });

  step(`database: ${redact(config.databaseUrl)}`);
  if (await ensureDatabase(config.databaseUrl)) step('created the database');
  step('applying migrations (prisma migrate deploy)');
  migrateDeploy(config.databaseUrl, 'inherit');

  const children: ChildProcess[] = [];
  // Anything started so far is stopped again if a later step fails.
  abort = async () => {
    await Promise.all(children.map((c) => stopProcess(c)));
  };
  let devServer: ChildProcess | undefined;
  if (externalTemporal) {
    step(`Temporal: using ${config.temporal.address} (TEMPORAL_ADDRESS)`);
  } else {
    step('Temporal: starting the dev server (state in .data/temporal.db)');
    const port = Number(config.temporal.address.split(':')[1]);
    devServer = startDevServer(temporalCli(), {
      port,
      namespace: config.temporal.namespace,
      dbFile: path.join(DATA, 'temporal.db'),
      uiPort: Number(new URL(config.temporal.uiUrl).port || 8233),
      codecEndpoint: `${config.api.publicUrl}/codec`,
      logFile: path.join(DATA, 'temporal.log'),
      detached: true,
    });
    children.push(devServer);
  }
  await waitForTemporal(config.temporal.address, 90_000, () => devServer?.exitCode != null);
  // Before the API can start workflows that carry them (the worker re-checks on start).
  await registerSearchAttributes(config).catch((err: unknown) => step(`could not register search attributes: ${String(err)}`));

  // Own process groups: Ctrl-C reaches only this script, which then stops each child
  // exactly once and in order (a second signal would cut the worker's drain short).
  const run = (file: string) =>
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, file)], { stdio: 'inherit', env: process.env, detached: true });
  const worker = run('src/worker.ts');
  const api = run('src/api/server.ts');
  children.unshift(worker, api);

  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step('stopping Relay…');
    // API and worker first (the worker drains in-flight activities), the server last.
    await Promise.all([stopProcess(api), stopProcess(worker, config.worker.shutdownGraceMs + 5_000)]);
    if (devServer) await stopProcess(devServer);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const child of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`a Relay process exited unexpectedly (code ${code}, signal ${signal}); stopping the rest`);
      void stopAll(1);
    });
  }

  await waitForReady(config);
  printBanner(config, !externalTemporal);
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

function printBanner(config: Config, localTemporal: boolean): void {
  const api = config.api.publicUrl;
  const key = `$(grep -oP '^RELAY_API_KEYS=.*?demo-service:service:\\K[^,]+' .env)`;
  console.log(`
\x1b[32mRelay is running.\x1b[0m  Ctrl-C stops everything.

  API               ${api}
  API docs          ${api}/docs   (OpenAPI: ${api}/openapi.json)
  Readiness         ${api}/readyz
  Temporal Web UI   ${config.temporal.uiUrl}${localTemporal ? '   (dev server, payloads decoded via the API codec)' : ''}
  Worker metrics    http://127.0.0.1:${config.worker.metricsPort}/metrics

Try the smoke workflow (API keys live in .env):
  KEY=${key}
  curl -s -X POST ${api}/v1/echo -H "Authorization: Bearer $KEY" -H 'content-type: application/json' -d '{"message":"hello"}'
`);
}

let abort: (() => Promise<void>) | undefined;

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

main().catch(async (err: unknown) => {
  await abort?.();
  if (err instanceof ConfigError) {
    console.error(`${err.message}\nFix .env (see .env.example) or the environment, then run npm start again.`);
  } else if (err instanceof DatabaseUnreachableError) {
    console.error(`Relay needs PostgreSQL: ${err.message}
Fix one of:
  - start a local server (e.g. \`sudo pg_ctlcluster 15 main start\` or \`brew services start postgresql\`),
  - set DATABASE_URL in .env to a reachable server,
  - or run everything in containers: \`docker compose up\`.`);
  } else {
    console.error(err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
