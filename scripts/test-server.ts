import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  applySchema,
  dropDatabases,
  ensureNamespace,
  ensureServerBuild,
  postgresTarget,
  startServer,
  waitForServer,
  writeServerConfig,
} from './lib/temporal-server';
import { stopProcess } from './lib/temporal-dev-server';

/**
 * `npm run test:server`: the integration suite against a full, current Temporal server on
 * PostgreSQL (the release docker-compose.yml runs), where `npm test` uses the dev server
 * (SQLite). Differences in persistence, visibility, search attribute limits and timing
 * show up here. Not part of `npm test`: the first build takes minutes.
 *
 * Builds the server once into .tools/, creates two fresh databases on the local PostgreSQL
 * (DATABASE_URL's server, else postgres@127.0.0.1:5432) with the schema applied, starts the
 * server on free ports with its config and log under .data/test-server/, creates the
 * namespace `default`, runs jest against it (extra arguments go to jest), then stops the
 * server and drops the databases.
 */

const ROOT = path.resolve(__dirname, '..');
const WORK_DIR = path.join(ROOT, '.data', 'test-server');
const NAMESPACE = 'default';

/**
 * Tests of the dev server itself, which never talk to the server under test: they start
 * `temporal server start-dev` (npm start's own, or one with its built-in Web UI) and would
 * only test that again.
 */
const DEV_SERVER_ONLY_TESTS: Record<string, string> = {
  'test/start-dev-server.test.ts': "npm start's own dev server: ports, data folder, Web UI codec flag",
  'test/start-lifecycle.test.ts': 'npm start leaves none of its processes (dev server included) behind',
  'test/web-ui-codec.test.ts': "the dev server's built-in Web UI decoding through Relay's codec (a browser)",
};

const step = (msg: string) => process.stdout.write(`\x1b[36m▸\x1b[0m ${msg}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

async function main(): Promise<number> {
  const started = Date.now();
  const build = ensureServerBuild(step);
  step(`Temporal server: ${build.version}`);

  const pg = postgresTarget(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  const suffix = randomBytes(4).toString('hex');
  const databases = { temporal: `relay_fidelity_${suffix}`, visibility: `relay_fidelity_${suffix}_visibility` };
  let server: ChildProcess | undefined;
  let jest: ChildProcess | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    // The terminal sends Ctrl-C to jest too; a plain `kill` of this script does not.
    jest?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort when this process dies without cleaning up: the server is in its own group.
  process.on('exit', () => server?.kill('SIGKILL'));

  try {
    step(`schema into ${databases.temporal} and ${databases.visibility} on ${pg.host}:${pg.port}`);
    applySchema(build, pg, databases.temporal, 'temporal');
    applySchema(build, pg, databases.visibility, 'visibility');

    const configFile = path.join(WORK_DIR, 'config.yaml');
    const logFile = path.join(WORK_DIR, 'temporal.log');
    const { address } = await writeServerConfig(configFile, {
      pg,
      database: databases.temporal,
      visibilityDatabase: databases.visibility,
      dynamicConfigFile: path.join(ROOT, 'deploy', 'temporal', 'dynamicconfig.yaml'),
    });
    step(`starting the server on ${address} (log: ${path.relative(ROOT, logFile)})`);
    const serverStarted = Date.now();
    server = startServer(build, configFile, logFile);
    await waitForServer(server, address, logFile);
    await ensureNamespace(address, NAMESPACE);
    step(`server ready with namespace ${NAMESPACE} in ${seconds(Date.now() - serverStarted)}`);
    if (interrupted) return 130;

    const excluded = Object.entries(DEV_SERVER_ONLY_TESTS);
    step(`jest, without ${excluded.length} test files of the dev server itself:`);
    for (const [file, why] of excluded) process.stdout.write(`    ${file}: ${why}\n`);
    const jestStarted = Date.now();
    jest = spawn(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
        ...process.argv.slice(2),
        '--testPathIgnorePatterns',
        '/node_modules/',
        ...excluded.map(([file]) => `/${file.replace(/\./g, '\\.')}$`),
      ],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, RELAY_TEST_TEMPORAL_ADDRESS: address } },
    );
    const code = await new Promise<number>((resolve) => jest!.once('exit', (c) => resolve(c ?? 1)));
    step(`jest exited ${code} after ${seconds(Date.now() - jestStarted)}; whole run ${seconds(Date.now() - started)} (${build.version})`);
    return code;
  } finally {
    if (server) await stopProcess(server, 15_000);
    await dropDatabases(pg, [databases.temporal, databases.visibility]).catch((err: unknown) =>
      process.stderr.write(`could not drop ${databases.temporal} / ${databases.visibility}: ${String(err)}\n`),
    );
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`npm run test:server: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
