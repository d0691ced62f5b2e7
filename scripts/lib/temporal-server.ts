import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client } from 'pg';
import { waitForTemporal } from './temporal-dev-server';

/**
 * A full Temporal server — the release docker-compose.yml runs, on PostgreSQL — built from
 * source with Go, for `npm run test:server`. The dev server (SQLite, one process) is what
 * `npm start` and `npm test` use; this is the persistence and visibility a production
 * cluster has.
 */

const ROOT = path.resolve(__dirname, '..', '..');

/** The release docker-compose.yml pins (temporalio/server and temporalio/admin-tools). */
export const TEMPORAL_SERVER_VERSION = '1.32.2';
/** v1.32's go.mod asks for a newer Go than the machine may have; the Go proxy serves this toolchain. */
export const GO_TOOLCHAIN = 'go1.27.3';

const MODULE = 'go.temporal.io/server';

export interface ServerBuild {
  /** `cmd/server`: the whole server (frontend, history, matching, worker) in one process. */
  server: string;
  /** `cmd/tools/sql`: temporal-sql-tool, which creates the databases and applies the schema. */
  sqlTool: string;
  /** The module's `schema/postgresql/v12`, holding `temporal/versioned` and `visibility/versioned`. */
  schemaDir: string;
  /** What `server --version` prints. */
  version: string;
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
}

function requireGo(): void {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `the Temporal server ${TEMPORAL_SERVER_VERSION} is built from source with Go: install Go 1.21 or newer (https://go.dev/dl; ` +
        `it fetches the ${GO_TOOLCHAIN} toolchain the server needs from the Go module proxy)`,
    );
  }
}

const versionOf = (binary: string): string => {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

/**
 * The server and the SQL tool of the pinned release under .tools/ (git-ignored), built with
 * `go install` when missing (minutes: about 3.5 cold on 2 idle cores; Go caches make a rebuild quick).
 */
export function ensureServerBuild(log: (msg: string) => void = () => {}): ServerBuild {
  const bin = path.join(ROOT, '.tools', 'temporal-server', `v${TEMPORAL_SERVER_VERSION}`);
  const server = path.join(bin, 'server');
  const sqlTool = path.join(bin, 'sql');
  const built = () => existsSync(sqlTool) && versionOf(server).includes(TEMPORAL_SERVER_VERSION);
  if (!built()) {
    requireGo();
    log(`building Temporal server v${TEMPORAL_SERVER_VERSION} and temporal-sql-tool with ${GO_TOOLCHAIN} into ${path.relative(ROOT, bin)} (minutes, once)`);
    mkdirSync(bin, { recursive: true });
    execFileSync(
      'go',
      ['install', '-trimpath', '-ldflags', '-s -w', `${MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`],
      { env: { ...goEnv(), GOBIN: bin }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (!built()) throw new Error(`go install finished, but ${server} does not report version ${TEMPORAL_SERVER_VERSION}`);
  }
  // The schema ships with the module the build downloaded (again if Go's module cache was cleaned).
  const download = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`], { env: goEnv(), encoding: 'utf8' }),
  ) as { Dir?: string; Error?: string };
  if (!download.Dir) throw new Error(`go mod download ${MODULE}@v${TEMPORAL_SERVER_VERSION}: ${download.Error ?? 'no directory'}`);
  return { server, sqlTool, schemaDir: path.join(download.Dir, 'schema', 'postgresql', 'v12'), version: versionOf(server) };
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Host, port and credentials of a PostgreSQL URL (the database in it is ignored). */
export function postgresTarget(url: string): PostgresTarget {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'), password: decodeURIComponent(u.password) };
}

/**
 * Creates `database` and brings it to the current schema (`temporal` or `visibility`), as
 * docker-compose.yml's temporal-schema job does: create-database, setup-schema -v 0.0, update-schema.
 */
export function applySchema(build: ServerBuild, pg: PostgresTarget, database: string, schema: 'temporal' | 'visibility'): void {
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--db', database];
  if (pg.password) base.push('--pw', pg.password);
  for (const step of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', path.join(build.schemaDir, schema, 'versioned')]]) {
    try {
      execFileSync(build.sqlTool, [...base, ...step], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`temporal-sql-tool ${step[0]} on ${database} failed:\n${stdout}${stderr}`);
    }
  }
}

export async function dropDatabases(pg: PostgresTarget, names: string[]): Promise<void> {
  const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password || undefined, database: 'postgres' });
  await client.connect();
  try {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export interface ServerConfigOptions {
  pg: PostgresTarget;
  database: string;
  visibilityDatabase: string;
  /** docker-compose.yml's dynamic config, so both servers run with the same settings. */
  dynamicConfigFile: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * A free port of 127.0.0.1 below 32768. The server records each service's membership port
 * in PostgreSQL as a SMALLINT (cluster_membership.rpc_port), so a port from the system's
 * ephemeral range (32768 and up on Linux) stops it at start-up.
 */
async function freeSmallPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * (32_768 - 20_000));
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

/** The server's configuration on free ports of 127.0.0.1; returns the frontend's address. */
export async function writeServerConfig(file: string, o: ServerConfigOptions): Promise<{ address: string }> {
  const taken = new Set<number>();
  const rpc = async () => ({ grpcPort: await freeSmallPort(taken), membershipPort: await freeSmallPort(taken), bindOnIP: '127.0.0.1' });
  const services = { frontend: await rpc(), history: await rpc(), matching: await rpc(), worker: await rpc() };
  const address = `127.0.0.1:${services.frontend.grpcPort}`;
  const sql = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${o.pg.host}:${o.pg.port}`,
      connectProtocol: 'tcp',
      user: o.pg.user,
      password: o.pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const config = {
    log: { stdout: true, level: o.logLevel ?? 'warn' },
    persistence: {
      // Fixed when the database is created; 4 is plenty for one machine.
      numHistoryShards: 4,
      defaultStore: 'default',
      visibilityStore: 'visibility',
      datastores: { default: sql(o.database, 20), visibility: sql(o.visibilityDatabase, 10) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(Object.entries(services).map(([name, r]) => [name, { rpc: r }])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: address } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: o.dynamicConfigFile, pollInterval: '10s' },
  };
  mkdirSync(path.dirname(file), { recursive: true });
  // JSON is YAML: the server reads it as its config file.
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return { address };
}

/** Starts the server in its own process group (a terminal's Ctrl-C reaches the tests first), output to `logFile`. */
export function startServer(build: ServerBuild, configFile: string, logFile: string): ChildProcess {
  const log = openSync(logFile, 'w');
  return spawn(build.server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', log, log], detached: true });
}

/** Waits for the frontend's health check; if the server exits first, fails with the messages it logged last. */
export async function waitForServer(server: ChildProcess, address: string, logFile: string, timeoutMs = 120_000): Promise<void> {
  let onExit: () => void = () => {};
  const exited = new Promise<never>((_, reject) => {
    onExit = () => {
      const messages = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .slice(-5)
        .map((line) => {
          try {
            const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
            return `  ${entry.level}: ${entry.msg}${entry.error ? `: ${entry.error}` : ''}`;
          } catch {
            return `  ${line}`;
          }
        });
      reject(new Error(`the Temporal server exited during start-up; the end of ${logFile}:\n${messages.join('\n')}`));
    };
    server.once('exit', onExit);
  });
  try {
    await Promise.race([waitForTemporal(address, timeoutMs), exited]);
  } finally {
    server.off('exit', onExit);
    exited.catch(() => {});
  }
}

/**
 * Registers `namespace` (if missing) and waits until the frontend serves it: a new namespace
 * reaches the frontend's namespace cache only at its next refresh, a few seconds later.
 */
export async function ensureNamespace(address: string, namespace: string, timeoutMs = 60_000): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`namespace ${namespace} is not served after ${timeoutMs} ms: ${String(err)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
