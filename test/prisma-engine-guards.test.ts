import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { enginesVersion } from '@prisma/engines-version';

/**
 * Relay's Prisma schema engine (tools/prisma-schema-engine) depends on internals of
 * @prisma/adapter-pg and of the wasm glue. Each test runs a copy of the engine against a
 * node_modules where one such internal has changed, as a Prisma upgrade would change it,
 * and expects the engine to refuse to start with a message naming what changed.
 */

const ROOT = path.resolve(__dirname, '..');
const MODULES = path.join(ROOT, 'node_modules');
const ENGINE_DIR = path.join(ROOT, 'tools', 'prisma-schema-engine');
const PRISMA = path.join(MODULES, '.bin', 'prisma');
const ENGINE_HASH = enginesVersion;

jest.setTimeout(60_000);

interface Change {
  /** Package whose installed copy is replaced by an edited one. */
  pkg: string;
  file: string;
  edit(source: string): string;
}

/** Replaces `from` (which must occur) by `to`, everywhere. */
const replace = (from: string, to: string) => (source: string) => {
  if (!source.includes(from)) throw new Error(`test setup: "${from}" not found; the installed package changed`);
  return source.split(from).join(to);
};

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Copies the engine beside a node_modules that links every installed package, except the
 * changed ones (copied, then edited) and `packageJsonOnly` ones (only their package.json,
 * so that packages resolved through them resolve inside the copy).
 * @returns the copy of schema-engine.cjs
 */
function engineWith(changes: Change[], packageJsonOnly: string[] = []): string {
  const root = mkdtempSync(path.join(tmpdir(), 'relay-engine-copy-'));
  tempDirs.push(root);
  cpSync(ENGINE_DIR, path.join(root, 'tools', 'prisma-schema-engine'), { recursive: true });
  const modules = path.join(root, 'node_modules');
  const place = (name: string) => {
    const from = path.join(MODULES, name);
    const to = path.join(modules, name);
    if (changes.some((c) => c.pkg === name)) {
      cpSync(from, to, { recursive: true });
    } else if (packageJsonOnly.includes(name)) {
      mkdirSync(to, { recursive: true });
      copyFileSync(path.join(from, 'package.json'), path.join(to, 'package.json'));
    } else {
      symlinkSync(from, to);
    }
  };
  mkdirSync(modules);
  for (const entry of readdirSync(MODULES)) {
    if (entry.startsWith('.')) continue;
    if (!entry.startsWith('@')) {
      place(entry);
      continue;
    }
    mkdirSync(path.join(modules, entry));
    for (const scoped of readdirSync(path.join(MODULES, entry))) place(`${entry}/${scoped}`);
  }
  for (const { pkg, file, edit } of changes) {
    const target = path.join(modules, pkg, file);
    writeFileSync(target, edit(readFileSync(target, 'utf8')));
  }
  return path.join(root, 'tools', 'prisma-schema-engine', 'schema-engine.cjs');
}

/** Starts the engine as `prisma version` does; returns its exit code and error messages. */
function startEngine(engine: string): { status: number | null; stdout: string; errors: string[] } {
  const r = spawnSync(process.execPath, [engine, '--version'], { encoding: 'utf8', timeout: 30_000 });
  const errors = r.stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; fields: { message: string } })
    .filter((entry) => entry.level === 'ERROR')
    .map((entry) => entry.fields.message);
  return { status: r.status, stdout: r.stdout, errors };
}

const ADAPTER_PG = '@prisma/adapter-pg';
const ADAPTER_PG_FILE = 'dist/index.js';
const GLUE = '@prisma/schema-engine-wasm';
const GLUE_FILE = 'schema_engine_bg.js';

describe('Prisma schema engine start-up checks', () => {
  it('an unmodified copy starts and reports the engine hash of @prisma/engines-version', () => {
    // The harness alone must not break the engine, or the failures below would prove nothing.
    const r = startEngine(engineWith([], ['prisma', '@prisma/engines']));
    expect(r.errors).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`schema-engine-cli ${ENGINE_HASH}`);
  });

  it.each<[string, Change[], string[], RegExp]>([
    [
      'adapter-pg renames performIO (the "char" column patch point)',
      [{ pkg: ADAPTER_PG, file: ADAPTER_PG_FILE, edit: replace('performIO', 'performQuery') }],
      [],
      /refuses to start: @prisma\/adapter-pg \S+ no longer has the query prototype with `performIO\(\)` and `queryRaw\(\)`/,
    ],
    [
      'adapter-pg queryRaw passes performIO a copy of the query (the "char" patch would silently do nothing)',
      [{ pkg: ADAPTER_PG, file: ADAPTER_PG_FILE, edit: replace('await this.performIO(query);', 'await this.performIO({ ...query });') }],
      [],
      /refuses to start: the "char" column workaround no longer takes effect on @prisma\/adapter-pg/,
    ],
    [
      'adapter-pg transactions get their own performIO (the "char" patch would miss them)',
      [
        {
          pkg: ADAPTER_PG,
          file: ADAPTER_PG_FILE,
          edit: replace('var PgTransaction = class extends PgQueryable {', 'var PgTransaction = class extends PgQueryable {\n  async performIO(query) { return super.performIO(query); }'),
        },
      ],
      [],
      /refuses to start: @prisma\/adapter-pg \S+ transactions no longer share the adapter's query prototype/,
    ],
    [
      'adapter-pg renames executeScript (the whole-script patch point)',
      [{ pkg: ADAPTER_PG, file: ADAPTER_PG_FILE, edit: replace('async executeScript(', 'async runScript(') }],
      [],
      /refuses to start: @prisma\/adapter-pg \S+ no longer has `executeScript\(\)`/,
    ],
    [
      'the wasm glue reports panics elsewhere',
      [{ pkg: GLUE, file: GLUE_FILE, edit: replace('PRISMA_WASM_PANIC_REGISTRY', 'PRISMA_WASM_PANICS') }],
      [],
      /refuses to start: the JS glue of @prisma\/schema-engine-wasm \S+ no longer reports panics through globalThis\.PRISMA_WASM_PANIC_REGISTRY/,
    ],
    [
      'the wasm engine lacks a method the CLI calls',
      [{ pkg: GLUE, file: GLUE_FILE, edit: replace('    applyMigrations(input) {', '    applyAllMigrations(input) {') }],
      [],
      /refuses to start: SchemaEngine of @prisma\/schema-engine-wasm \S+ lacks `applyMigrations\(\)`/,
    ],
    [
      'the wasm needs a glue function the glue lacks',
      [{ pkg: GLUE, file: GLUE_FILE, edit: replace('export function __wbg_Error_', 'export function __wbg_Failure_') }],
      [],
      /refuses to start: \S+schema_engine_bg\.wasm imports what its glue does not provide: \.\/schema_engine_bg\.js#__wbg_Error_/,
    ],
    [
      'the CLI expects another engine than the wasm package holds',
      [{ pkg: '@prisma/engines-version', file: 'package.json', edit: replace(ENGINE_HASH, '1'.repeat(40)) }],
      ['prisma', '@prisma/engines'],
      new RegExp(`refuses to start: prisma \\S+ expects schema engine ${'1'.repeat(40)} \\(@prisma/engines-version\\), but @prisma/schema-engine-wasm \\S+ is engine ${ENGINE_HASH}`),
    ],
  ])('%s: the engine refuses to start', (_name, changes, packageJsonOnly, message) => {
    const r = startEngine(engineWith(changes, packageJsonOnly));
    expect(r.status).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(message)]);
    expect(r.errors[0]).toContain('upgrade them together as one aligned set');
  });

  it('the Prisma CLI fails with that message, whether it starts the engine as a command or as a JSON-RPC server', async () => {
    const engine = engineWith([{ pkg: ADAPTER_PG, file: ADAPTER_PG_FILE, edit: replace('performIO', 'performQuery') }]);
    const project = mkdtempSync(path.join(tmpdir(), 'relay-engine-project-'));
    tempDirs.push(project);
    writeFileSync(path.join(project, 'prisma.config.ts'), "export default { schema: 'schema.prisma', datasource: { url: process.env.DATABASE_URL } };\n");
    writeFileSync(path.join(project, 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n\nmodel Item {\n  id Int @id\n}\n');

    const cli = (args: string[]) =>
      new Promise<{ code: number | null; output: string }>((resolve, reject) => {
        const child = spawn(PRISMA, args, {
          cwd: project,
          env: {
            ...process.env,
            // Never reached: the engine must stop before it connects anywhere.
            DATABASE_URL: 'postgresql://relay@127.0.0.1:9/unreachable',
            PRISMA_SCHEMA_ENGINE_BINARY: engine,
            PRISMA_HIDE_UPDATE_MESSAGE: '1',
            CHECKPOINT_DISABLE: '1',
            NO_COLOR: '1',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, output: stripVTControlCharacters(output) });
        });
      });

    // `migrate status` runs `cli can-connect-to-database` first; `migrate diff` goes straight to JSON-RPC.
    for (const args of [['migrate', 'status'], ['migrate', 'diff', '--from-empty', '--to-schema', 'schema.prisma']]) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 1 });
      expect(r.output).toContain("Relay's Prisma schema engine (tools/prisma-schema-engine) refuses to start");
      expect(r.output).toContain('`performIO()`');
      expect(r.output).not.toContain("Can't reach database server");
    }
  });
});
