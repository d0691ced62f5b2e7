import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Client } from 'pg';
import { adminDatabaseUrl, databaseExists, databaseUrlFor, dropDatabase, randomDatabaseName } from './helpers/postgres';

/**
 * End-to-end check of the real Prisma CLI running on Relay's WebAssembly schema engine
 * (tools/prisma-schema-engine). A Prisma or adapter-pg upgrade that breaks the engine's
 * protocol or one of its workarounds fails here, not in a deploy. Every database used
 * here is created by the test itself; the suite's DATABASE_URL database is never touched.
 */

const ROOT = path.resolve(__dirname, '..');
const PRISMA = path.join(ROOT, 'node_modules', '.bin', 'prisma');
const ENGINE = path.join(ROOT, 'tools', 'prisma-schema-engine', 'schema-engine.cjs');

const CLI_TIMEOUT_MS = 60_000;
jest.setTimeout(3 * CLI_TIMEOUT_MS);

const SCHEMA_V1 = `datasource db {
  provider = "postgresql"
}

model Item {
  id   Int    @id @default(autoincrement())
  name String
}
`;

const TAG_MODEL = `
model Tag {
  id    Int    @id @default(autoincrement())
  label String @unique
}
`;

const HAND_WRITTEN_SQL = `
ALTER TABLE "Tag" ADD CONSTRAINT "Tag_label_not_empty" CHECK (length("label") > 0);

CREATE FUNCTION "Tag_trim_label"() RETURNS trigger AS $$
BEGIN
  NEW.label := btrim(NEW.label);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Tag_trim_label" BEFORE INSERT ON "Tag" FOR EACH ROW EXECUTE FUNCTION "Tag_trim_label"();
`;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for messages whose stream does not matter. */
  output: string;
}

let dir: string;
const migrationsDir = () => path.join(dir, 'migrations');
const mainDb = randomDatabaseName('relay_cli');
const pushDb = randomDatabaseName('relay_cli_push');
const deployDb = randomDatabaseName('relay_cli_deploy');
let shadowDbsBefore: string[];

/** A second project whose first migration takes a while: long enough to overlap or interrupt. */
let slowDir: string;
const SLOW_MIGRATIONS: Record<string, string> = {
  '20200101000000_slow': 'CREATE TABLE "Slow" (id int);\nSELECT pg_sleep(3);\n',
  '20200102000000_after': 'CREATE TABLE "After" (id int);\n',
};

interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Project directory; the main temp project by default. */
  cwd?: string;
  /** In its own process group, so a test can send Ctrl-C's SIGINT to the CLI and the engine alike. */
  detached?: boolean;
}

/** Starts the real CLI in a temp project against `database`, with Relay's engine. */
function startPrisma(args: string[], database: string, { env = {}, cwd = dir, detached = false }: CliOptions = {}) {
  const child = spawn(PRISMA, args, {
    cwd,
    detached,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrlFor(database),
      // Explicit, so a native engine configured on the machine cannot mask a broken shim.
      PRISMA_SCHEMA_ENGINE_BINARY: ENGINE,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    // A hung engine must fail the test, not leave a process behind.
    const timer = setTimeout(() => (detached ? process.kill(-child.pid!, 'SIGKILL') : child.kill('SIGKILL')), CLI_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      stdout = stripVTControlCharacters(stdout);
      stderr = stripVTControlCharacters(stderr);
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` });
    });
  });
  return { child, result };
}

function prisma(args: string[], database: string, options: CliOptions = {}): Promise<CliResult> {
  return startPrisma(args, database, options).result;
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Fails with the CLI's output, which says far more than an exit code. */
function expectExit(result: CliResult, code: number): void {
  if (result.code !== code) throw new Error(`expected exit ${code}, got ${result.code}:\n${result.output}`);
}

async function query<T extends object>(database: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrlFor(database) });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function adminQuery<T extends object>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function shadowDatabases(): Promise<string[]> {
  const rows = await adminQuery<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
  return rows.map((r) => r.datname);
}

async function tables(database: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  return rows.map((r) => r.table_name).sort(); // code-unit order, whatever the database collation
}

const migrationNames = () =>
  readdirSync(migrationsDir(), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** A temp project: config, schema and the given migrations. */
function project(migrations: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'relay-prisma-cli-'));
  // A plain object: the temp project cannot resolve `prisma/config`, and the CLI accepts either.
  writeFileSync(
    path.join(root, 'prisma.config.ts'),
    'export default { schema: "schema.prisma", migrations: { path: "migrations" }, ' +
      'datasource: { url: process.env.DATABASE_URL, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } };\n',
  );
  writeFileSync(path.join(root, 'schema.prisma'), SCHEMA_V1);
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(path.join(root, 'migrations', name), { recursive: true });
    writeFileSync(path.join(root, 'migrations', name, 'migration.sql'), sql);
    writeFileSync(path.join(root, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
  }
  return root;
}

beforeAll(async () => {
  dir = project();
  slowDir = project(SLOW_MIGRATIONS);
  shadowDbsBefore = await shadowDatabases();
});

afterAll(async () => {
  await dropDatabase(mainDb);
  await dropDatabase(pushDb);
  await dropDatabase(deployDb);
  for (const root of [dir, slowDir]) if (root) rmSync(root, { recursive: true, force: true });
});

describe('Prisma CLI on the WebAssembly schema engine', () => {
  it('reports the engine with the hash the CLI expects', async () => {
    const r = await prisma(['version'], mainDb);
    expectExit(r, 0);
    const engineHash = r.stdout.match(/Schema Engine\s*:\s*schema-engine-cli ([0-9a-f]{40})/)?.[1];
    const defaultHash = r.stdout.match(/Default Engines Hash\s*:\s*([0-9a-f]{40})/)?.[1];
    expect(engineHash).toBeDefined();
    expect(engineHash).toBe(defaultHash);
    expect(r.stdout).toContain('resolved by PRISMA_SCHEMA_ENGINE_BINARY');
  });

  it('migrate dev creates the missing database, the migration files and the history table', async () => {
    expect(await databaseExists(mainDb)).toBe(false);
    const r = await prisma(['migrate', 'dev', '--name', 'init'], mainDb);
    expectExit(r, 0);
    expect(r.output).toContain(`PostgreSQL database ${mainDb} created`);
    expect(await databaseExists(mainDb)).toBe(true);

    const [init] = migrationNames();
    expect(migrationNames()).toEqual([expect.stringMatching(/^\d{14}_init$/)]);
    expect(readFileSync(path.join(migrationsDir(), init!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE "Item"');
    expect(readFileSync(path.join(migrationsDir(), 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');

    const applied = await query<{ migration_name: string }>(mainDb, 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    expect(applied.map((m) => m.migration_name)).toEqual([init]);
    expect(await tables(mainDb)).toEqual(['Item', '_prisma_migrations']);
  });

  it('migrate dev without changes is in sync', async () => {
    const r = await prisma(['migrate', 'dev'], mainDb);
    expectExit(r, 0);
    expect(r.output).toContain('Already in sync');
  });

  it('migrate dev --create-only drafts a migration that status reports and deploy applies', async () => {
    appendFileSync(path.join(dir, 'schema.prisma'), TAG_MODEL);
    const draft = await prisma(['migrate', 'dev', '--create-only', '--name', 'tags'], mainDb);
    expectExit(draft, 0);
    const tags = migrationNames().find((name) => name.endsWith('_tags'));
    expect(tags).toBeDefined();
    expect(await tables(mainDb)).not.toContain('Tag');

    // A CHECK constraint makes the engine read pg_constraint.contype, a "char" column
    // that stock adapter-pg cannot map: every later describe depends on the workaround.
    // The function body has ";" inside, which stock adapter-pg would split the script on.
    appendFileSync(path.join(migrationsDir(), tags!, 'migration.sql'), HAND_WRITTEN_SQL);

    const pending = await prisma(['migrate', 'status'], mainDb);
    expectExit(pending, 1);
    expect(pending.output).toContain(tags);

    const deploy = await prisma(['migrate', 'deploy'], mainDb);
    expectExit(deploy, 0);
    expect(deploy.output).toContain('All migrations have been successfully applied');

    const status = await prisma(['migrate', 'status'], mainDb);
    expectExit(status, 0);
    expect(status.output).toContain('Database schema is up to date');
    expect(await query(mainDb, "SELECT 1 FROM pg_constraint WHERE conname = 'Tag_label_not_empty'")).toHaveLength(1);
    await query(mainDb, `INSERT INTO "Tag" (label) VALUES ('  spaced  ')`);
    expect(await query(mainDb, 'SELECT label FROM "Tag"')).toEqual([{ label: 'spaced' }]);
  });

  it('describes a database with a CHECK constraint (the "char" column workaround)', async () => {
    const dev = await prisma(['migrate', 'dev'], mainDb);
    expectExit(dev, 0);
    expect(dev.output).toContain('Already in sync');

    const diff = await prisma(['migrate', 'diff', '--from-config-datasource', '--to-schema', 'schema.prisma', '--exit-code'], mainDb);
    expectExit(diff, 0);
    expect(diff.output).toContain('No difference detected');
  });

  it('migrate diff prints a script and --exit-code reports a difference with 2', async () => {
    const script = await prisma(['migrate', 'diff', '--from-empty', '--to-schema', 'schema.prisma', '--script'], mainDb);
    expectExit(script, 0);
    expect(script.stdout).toContain('CREATE TABLE "Item"');
    expect(script.stdout).toContain('CREATE TABLE "Tag"');

    const changed = await prisma(['migrate', 'diff', '--from-empty', '--to-schema', 'schema.prisma', '--exit-code'], mainDb);
    expectExit(changed, 2);
  });

  it('migrate dev detects drift and migrate reset --force repairs it', async () => {
    await query(mainDb, 'CREATE TABLE drifted (id int)');
    const dev = await prisma(['migrate', 'dev'], mainDb);
    expectExit(dev, 130);
    expect(dev.output).toContain('Drift detected');
    expect(dev.output).toContain('drifted');

    const reset = await prisma(['migrate', 'reset', '--force'], mainDb);
    expectExit(reset, 0);
    expect(await tables(mainDb)).toEqual(['Item', 'Tag', '_prisma_migrations']);
    const applied = await query(mainDb, 'SELECT 1 FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    expect(applied).toHaveLength(2);
    expectExit(await prisma(['migrate', 'status'], mainDb), 0);
  });

  it('db push creates and syncs another fresh database without migrations', async () => {
    expect(await databaseExists(pushDb)).toBe(false);
    const push = await prisma(['db', 'push'], pushDb);
    expectExit(push, 0);
    expect(push.output).toContain('Your database is now in sync with your Prisma schema');
    expect(await tables(pushDb)).toEqual(['Item', 'Tag']);

    const again = await prisma(['db', 'push'], pushDb);
    expectExit(again, 0);
    expect(again.output).toContain('already in sync');
  });

  it('an engine panic fails the command instead of passing silently', async () => {
    const r = await prisma(['migrate', 'status'], mainDb, { env: { FORCE_PANIC_SCHEMA_ENGINE: '1' } });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('debugPanic artificial panic');
  });

  it('a failing migration reports P3018 with the database error, and migrate resolve --rolled-back recovers', async () => {
    const broken = '99990101000000_broken';
    mkdirSync(path.join(migrationsDir(), broken));
    const file = path.join(migrationsDir(), broken, 'migration.sql');
    writeFileSync(file, 'CREATE TABLE "Broken" (id int);\nINSERT INTO "does_not_exist" VALUES (1);\n');

    const failed = await prisma(['migrate', 'deploy'], mainDb);
    expectExit(failed, 1);
    expect(failed.output).toContain('Error: P3018');
    expect(failed.output).toContain('A migration failed to apply.');
    expect(failed.output).toContain(`Migration name: ${broken}`);
    expect(failed.output).toContain('Database error code: 42P01');
    expect(failed.output).toContain('ERROR: relation "does_not_exist" does not exist');
    // The script ran whole, as one implicit transaction: nothing of it stayed.
    expect(await tables(mainDb)).not.toContain('Broken');

    const blocked = await prisma(['migrate', 'deploy'], mainDb);
    expectExit(blocked, 1);
    expect(blocked.output).toContain('Error: P3009');

    const resolve = await prisma(['migrate', 'resolve', '--rolled-back', broken], mainDb);
    expectExit(resolve, 0);
    expect(resolve.output).toContain(`Migration ${broken} marked as rolled back.`);
    writeFileSync(file, 'SELECT 1;\n');
    const deploy = await prisma(['migrate', 'deploy'], mainDb);
    expectExit(deploy, 0);
    expect(deploy.output).toContain('All migrations have been successfully applied');

    const rows = await query<{ rolled_back: boolean; finished: boolean }>(
      mainDb,
      `SELECT rolled_back_at IS NOT NULL AS rolled_back, finished_at IS NOT NULL AS finished FROM _prisma_migrations WHERE migration_name = '${broken}' ORDER BY started_at`,
    );
    expect(rows).toEqual([{ rolled_back: true, finished: false }, { rolled_back: false, finished: true }]);
  });

  it('migrate resolve --applied records a migration applied by hand without running it', async () => {
    const byHand = '99990102000000_by_hand';
    mkdirSync(path.join(migrationsDir(), byHand));
    writeFileSync(path.join(migrationsDir(), byHand, 'migration.sql'), 'CREATE TABLE "ByHand" (id int);\n');
    await query(mainDb, 'CREATE TABLE "ByHand" (id int)');

    const resolve = await prisma(['migrate', 'resolve', '--applied', byHand], mainDb);
    expectExit(resolve, 0);
    expect(resolve.output).toContain(`Migration ${byHand} marked as applied.`);
    expectExit(await prisma(['migrate', 'status'], mainDb), 0);
    // Deploy must not run it: CREATE TABLE would fail on the table made by hand.
    const deploy = await prisma(['migrate', 'deploy'], mainDb);
    expectExit(deploy, 0);
    expect(deploy.output).toContain('No pending migrations to apply');
  });

  describe('a shadowDatabaseUrl naming the main database is refused before its schema is dropped', () => {
    let proxy: Server;
    const main = new URL(databaseUrlFor(mainDb));

    beforeAll(async () => {
      // A port forward to the same server: only asking the server who it is can tell.
      proxy = createServer((socket) => {
        const upstream = tcpConnect(Number(main.port || 5432), main.hostname.replace(/^\[(.*)\]$/, '$1'));
        socket.pipe(upstream).pipe(socket);
        socket.on('error', () => upstream.destroy());
        upstream.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      await query(mainDb, `INSERT INTO "Item" (name) VALUES ('must survive')`);
    });

    afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

    /** The main database's URL with another host and port. */
    const respelled = (host: string, port = main.port) => {
      const url = new URL(main.toString());
      url.hostname = host;
      url.port = port;
      return url.toString();
    };
    const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

    it.each([
      [
        'another spelling of its host (localhost, 127.0.0.1, ::1, or its address)',
        async () =>
          LOOPBACK.includes(main.hostname)
            ? LOOPBACK.filter((h) => h !== main.hostname).map((h) => respelled(h))
            : [respelled((await lookup(main.hostname.replace(/^\[(.*)\]$/, '$1'))).address)],
      ],
      ['a port forwarded to the same server', async () => [respelled('127.0.0.1', String((proxy.address() as AddressInfo).port))]],
    ])('%s', async (_name, shadowUrls) => {
      const urls = (await shadowUrls()).filter((url) => url !== main.toString());
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) {
        const r = await prisma(['migrate', 'dev'], mainDb, { env: { SHADOW_DATABASE_URL: url } });
        expectExit(r, 1);
        expect(r.output).toContain('The shadow database you configured appears to be the same as the main database');
        expect(await query(mainDb, `SELECT 1 FROM "Item" WHERE name = 'must survive'`)).toHaveLength(1);
      }
    });
  });

  it('two concurrent migrate deploy runs against a fresh database apply each migration once', async () => {
    expect(await databaseExists(deployDb)).toBe(false);
    // Migrate's advisory lock (key 72707369): one run must wait on it while the other applies.
    let sawWaiter = false;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const rows = await adminQuery("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND NOT granted");
        sawWaiter ||= rows.length > 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const runs = await Promise.all([1, 2].map(() => prisma(['migrate', 'deploy'], deployDb, { cwd: slowDir })));
    watching = false;
    await watcher;

    for (const r of runs) expectExit(r, 0);
    const outcomes = runs.map((r) => (r.output.includes('All migrations have been successfully applied') ? 'applied' : r.output.includes('No pending migrations to apply') ? 'nothing to do' : r.output));
    expect(outcomes.sort()).toEqual(['applied', 'nothing to do']);
    expect(sawWaiter).toBe(true);
    const rows = await query<{ migration_name: string; finished: boolean }>(deployDb, 'SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name');
    expect(rows).toEqual(Object.keys(SLOW_MIGRATIONS).map((migration_name) => ({ migration_name, finished: true })));
  });

  it('Ctrl-C during migrate dev leaves no shadow database behind', async () => {
    const { child, result } = startPrisma(['migrate', 'dev', '--name', 'interrupted'], deployDb, { cwd: slowDir, detached: true });
    // Interrupt while the engine replays the slow migration into its temporary shadow database.
    const shadow = await waitFor(
      'the shadow database replay',
      async () => (await adminQuery<{ datname: string }>("SELECT datname FROM pg_stat_activity WHERE datname LIKE 'prisma_migrate_shadow_db_%' AND query LIKE '%pg_sleep%'"))[0]?.datname,
      CLI_TIMEOUT_MS,
    ).catch(async (err) => {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`${err}\n${(await result).output}`);
    });
    process.kill(-child.pid!, 'SIGINT'); // what the terminal sends the whole foreground process group
    const r = await result;
    expect(r.code).not.toBe(0);
    // The engine may outlive the CLI by its cleanup.
    await waitFor(`${shadow} to be dropped`, async () => !(await databaseExists(shadow)), 10_000);
  });

  it('leaves no temporary shadow databases behind', async () => {
    // Another developer's `migrate dev` may briefly own one; only ours must be gone.
    let leftovers: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      leftovers = (await shadowDatabases()).filter((name) => !shadowDbsBefore.includes(name));
      if (leftovers.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(leftovers).toEqual([]);
  });
});
