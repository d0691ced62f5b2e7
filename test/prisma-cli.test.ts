import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
let shadowDbsBefore: string[];

/** Runs the real CLI in the temp project against `database`, with Relay's engine. */
function prisma(args: string[], database: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PRISMA, args, {
      cwd: dir,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrlFor(database),
        // Explicit, so a native engine configured on the machine cannot mask a broken shim.
        PRISMA_SCHEMA_ENGINE_BINARY: ENGINE,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
        FORCE_COLOR: '0',
        NO_COLOR: '1',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // A hung engine must fail the test, not leave a process behind.
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
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

async function shadowDatabases(): Promise<string[]> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'");
    return res.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
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

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'relay-prisma-cli-'));
  // A plain object: the temp project cannot resolve `prisma/config`, and the CLI accepts either.
  writeFileSync(
    path.join(dir, 'prisma.config.ts'),
    "export default { schema: 'schema.prisma', migrations: { path: 'migrations' }, datasource: { url: process.env.DATABASE_URL } };\n",
  );
  writeFileSync(path.join(dir, 'schema.prisma'), SCHEMA_V1);
  shadowDbsBefore = await shadowDatabases();
});

afterAll(async () => {
  await dropDatabase(mainDb);
  await dropDatabase(pushDb);
  if (dir) rmSync(dir, { recursive: true, force: true });
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
    const r = await prisma(['migrate', 'status'], mainDb, { FORCE_PANIC_SCHEMA_ENGINE: '1' });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('debugPanic artificial panic');
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
