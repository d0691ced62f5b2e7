// @ts-check
'use strict';
// Relay's schema engine runs Prisma's WebAssembly build of the engine on top of
// @prisma/adapter-pg. This module owns everything that touches the wasm or PostgreSQL;
// schema-engine.cjs only speaks the CLI protocol.
//
// It depends on internals of @prisma/adapter-pg and of the wasm glue. prepare() checks
// every one of them at start-up and throws IncompatibleError when one has changed, so a
// Prisma upgrade fails loudly (in `npm test` first) instead of silently misbehaving.

const fs = require('node:fs');
const path = require('node:path');
const dns = require('node:dns/promises');
const net = require('node:net');
const os = require('node:os');
const { randomUUID } = require('node:crypto');
const { createRequire } = require('node:module');
const pg = require('pg');
const { parse } = require('pg-connection-string');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum, isDriverAdapterError } = require('@prisma/driver-adapter-utils');

/** Node's WebAssembly global (the DOM lib that types it is not part of this project). */
const Wasm = /** @type {any} */ (globalThis).WebAssembly;

const GLUE_MODULE = './schema_engine_bg.js';
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** Wasm engine methods the protocol layer calls (`version` is the RPC `getDatabaseVersion`). */
const ENGINE_METHODS = [
  'applyMigrations', 'createMigration', 'dbExecute', 'debugPanic', 'devDiagnostic', 'diagnoseMigrationHistory', 'diff',
  'ensureConnectionValidity', 'evaluateDataLoss', 'introspect', 'introspectSql', 'markMigrationApplied',
  'markMigrationRolledBack', 'reset', 'schemaPush', 'version',
];

/** The wasm reports panic messages here (see `__wbg_set_message_*` in the glue). */
const panicRegistry = (/** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY ??= {
  message: '',
  set_message(/** @type {string} */ message) {
    this.message = message;
  },
});

const quote = (/** @type {string} */ name) => `"${name.replace(/"/g, '""')}"`;

/** An installed Prisma package no longer matches what this engine was written against. */
class IncompatibleError extends Error {
  /** @param {string} problem */
  constructor(problem) {
    super(
      `Relay's Prisma schema engine (tools/prisma-schema-engine) refuses to start: ${problem}\n` +
        'It depends on internals of prisma, @prisma/adapter-pg, @prisma/driver-adapter-utils and ' +
        '@prisma/schema-engine-wasm: upgrade them together as one aligned set and check the engine against the new versions.',
    );
    this.name = 'IncompatibleError';
  }
}

/** Error the CLI shows with its Prisma error code. */
class UserError extends Error {
  /** @param {string} code @param {string} message @param {Record<string, unknown>} [meta] */
  constructor(code, message, meta = {}) {
    super(message);
    this.code = code;
    this.meta = meta;
  }
}

/** @param {string} file a package.json */
const versionOf = (file) => String(JSON.parse(fs.readFileSync(file, 'utf8')).version);

/**
 * The engine commit hash the installed CLI was built for: `@prisma/engines-version` as
 * the `prisma` package resolves it (prisma → @prisma/engines → @prisma/engines-version).
 */
function expectedEngineHash() {
  const cliPackage = require.resolve('prisma/package.json');
  const enginesPackage = createRequire(cliPackage).resolve('@prisma/engines/package.json');
  const { enginesVersion } = createRequire(enginesPackage)('@prisma/engines-version');
  if (typeof enginesVersion !== 'string') throw new IncompatibleError('@prisma/engines-version no longer exports `enginesVersion`.');
  return { hash: enginesVersion, prisma: versionOf(cliPackage) };
}

/**
 * Instantiates the wasm of @prisma/schema-engine-wasm with the JS glue of the same
 * package, and checks that it is exactly the engine the CLI expects.
 */
async function loadWasm() {
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
  const packageVersion = versionOf(path.join(path.dirname(gluePath), 'package.json'));
  const where = `@prisma/schema-engine-wasm ${packageVersion}`;
  /** @type {any} */
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');

  for (const name of ['__wbg_set_wasm', 'version']) {
    if (typeof glue[name] !== 'function') throw new IncompatibleError(`the JS glue of ${where} no longer exports \`${name}()\`.`);
  }
  if (typeof glue.SchemaEngine?.new !== 'function') throw new IncompatibleError(`the JS glue of ${where} no longer exports \`SchemaEngine.new()\`.`);
  const missingMethods = ENGINE_METHODS.filter((m) => typeof glue.SchemaEngine.prototype[m] !== 'function');
  if (missingMethods.length) throw new IncompatibleError(`SchemaEngine of ${where} lacks ${missingMethods.map((m) => `\`${m}()\``).join(', ')}.`);
  if (!fs.readFileSync(gluePath, 'utf8').includes('PRISMA_WASM_PANIC_REGISTRY')) {
    throw new IncompatibleError(`the JS glue of ${where} no longer reports panics through globalThis.PRISMA_WASM_PANIC_REGISTRY.`);
  }

  if (!fs.existsSync(wasmPath)) throw new IncompatibleError(`${where} has no schema_engine_bg.wasm next to its glue.`);
  const mod = new Wasm.Module(fs.readFileSync(wasmPath));
  const unmet = Wasm.Module.imports(mod).filter((/** @type {{module: string, name: string}} */ i) => i.module !== GLUE_MODULE || !(i.name in glue));
  if (unmet.length) throw new IncompatibleError(`${wasmPath} imports what its glue does not provide: ${unmet.map((/** @type {{module: string, name: string}} */ i) => `${i.module}#${i.name}`).join(', ')}.`);
  const { exports } = new Wasm.Instance(mod, { [GLUE_MODULE]: glue });
  if (typeof exports.__wbindgen_start !== 'function') throw new IncompatibleError(`${wasmPath} no longer exports \`__wbindgen_start\`.`);
  glue.__wbg_set_wasm(exports);
  exports.__wbindgen_start();

  const expected = expectedEngineHash();
  const actual = glue.version();
  if (actual !== expected.hash) {
    throw new IncompatibleError(
      `prisma ${expected.prisma} expects schema engine ${expected.hash} (@prisma/engines-version), but ${where} is engine ${actual}. ` +
        `Install @prisma/schema-engine-wasm at the version whose suffix is ${expected.hash}.`,
    );
  }
  return glue;
}

/** The last migration script that PostgreSQL rejected; see takeScriptFailure(). */
/** @type {{script: string, error: any} | undefined} */
let lastScriptFailure;

/**
 * Returns and forgets the last script PostgreSQL rejected, so the protocol layer can
 * report a failed migration as P3018 (the wasm engine reports only a generic error).
 */
function takeScriptFailure() {
  const failure = lastScriptFailure;
  lastScriptFailure = undefined;
  return failure;
}

/**
 * Patches adapter-pg's prototypes; checks that each patch point exists and that the
 * patched adapter behaves as the engine needs, using a stand-in pg client.
 */
async function patchAdapterPg() {
  const adapterPgVersion = versionOf(path.join(path.dirname(require.resolve('@prisma/adapter-pg')), '..', 'package.json'));
  const where = `@prisma/adapter-pg ${adapterPgVersion}`;
  // A pool that never connects: only its prototypes matter.
  const sample = /** @type {any} */ (await new PrismaPg({}).connect());
  await sample.dispose();
  const adapterProto = Object.getPrototypeOf(sample);

  let queryProto = adapterProto;
  while (queryProto && !Object.hasOwn(queryProto, 'performIO')) queryProto = Object.getPrototypeOf(queryProto);
  if (!queryProto || typeof queryProto.performIO !== 'function' || !Object.hasOwn(queryProto, 'queryRaw')) {
    throw new IncompatibleError(`${where} no longer has the query prototype with \`performIO()\` and \`queryRaw()\` that the "char" column workaround wraps.`);
  }
  if (typeof adapterProto.executeScript !== 'function' || typeof adapterProto.onError !== 'function' || typeof sample.client?.query !== 'function') {
    throw new IncompatibleError(`${where} no longer has \`executeScript()\`, \`onError()\` and a pg pool in \`client\`, which the whole-script workaround replaces and uses.`);
  }
  patchCharColumns(queryProto);
  runScriptsWhole(adapterProto);
  if (sample.executeScript !== adapterProto.executeScript) throw new IncompatibleError(`${where} adapters shadow \`executeScript()\` with an own property.`);

  // Behaviour: a "char" column comes back as Character, a script goes out whole, and a
  // database error still becomes a driver adapter error.
  /** @type {unknown[]} */
  const sent = [];
  let reply = async () => ({ fields: [{ name: 'contype', dataTypeID: PG_CHAR_OID }], rows: [['c']], rowCount: 1 });
  const probe = Object.assign(Object.create(adapterProto), {
    client: { query: async (/** @type {unknown} */ q) => (sent.push(q), reply()) },
  });
  const { columnTypes } = await probe.queryRaw({ sql: 'SELECT contype FROM pg_constraint', args: [], argTypes: [] });
  if (columnTypes?.[0] !== ColumnTypeEnum.Character) {
    throw new IncompatibleError(`the "char" column workaround no longer takes effect on ${where} (column type ${columnTypes?.[0]} instead of Character).`);
  }
  const connection = { query: probe.client.query, on() {}, removeListener() {}, release() {} };
  const tx = await Object.assign(Object.create(adapterProto), { client: { connect: async () => connection } }).startTransaction();
  await tx.rollback();
  if (tx.performIO !== queryProto.performIO || tx.queryRaw !== queryProto.queryRaw) {
    throw new IncompatibleError(`${where} transactions no longer share the adapter's query prototype, so the "char" column workaround would miss them.`);
  }
  sent.length = 0;
  await probe.executeScript('SELECT 1; SELECT 2');
  if (sent.length !== 1 || sent[0] !== 'SELECT 1; SELECT 2') throw new IncompatibleError(`the whole-script workaround no longer takes effect on ${where}.`);
  reply = async () => {
    throw Object.assign(new Error('relation "t" does not exist'), { code: '42P01', severity: 'ERROR' });
  };
  const thrown = await probe.executeScript('SELECT * FROM t').then(() => undefined, (/** @type {unknown} */ err) => err);
  takeScriptFailure();
  if (!thrown || !isDriverAdapterError(/** @type {any} */ (thrown))) {
    throw new IncompatibleError(`${where} \`onError()\` no longer turns a database error into a DriverAdapterError.`);
  }
}

/**
 * adapter-pg has no mapping for the catalog type `"char"` (OID 18), which the engine's
 * describer reads from `pg_constraint.contype`, so every description fails. Let adapter-pg
 * see TEXT, then report the column as Character: Text alone makes the engine panic on
 * CHECK constraints. Patched on adapter-pg's query prototype, shared by the adapter and
 * its transactions; queryRaw hands its query object to performIO.
 * @param {any} proto
 */
function patchCharColumns(proto) {
  const { performIO, queryRaw } = proto;
  /** Query objects → indexes of their "char" columns. */
  const charColumns = new WeakMap();
  Object.assign(proto, {
    async performIO(/** @type {object} */ query) {
      const result = await performIO.call(this, query);
      /** @type {number[]} */
      const indexes = [];
      result?.fields?.forEach((/** @type {{dataTypeID: number}} */ field, /** @type {number} */ i) => {
        if (field.dataTypeID !== PG_CHAR_OID) return;
        field.dataTypeID = PG_TEXT_OID;
        indexes.push(i);
      });
      if (indexes.length > 0) charColumns.set(query, indexes);
      return result;
    },
    async queryRaw(/** @type {object} */ query) {
      const result = await queryRaw.call(this, query);
      for (const i of charColumns.get(query) ?? []) result.columnTypes[i] = ColumnTypeEnum.Character;
      charColumns.delete(query);
      return result;
    },
  });
}

/**
 * adapter-pg's `executeScript` splits on every ";", so a migration with a function body
 * (`$$ … ; … $$`) or a ";" inside a string fails, and a failing script is left half
 * applied. Send the script whole, as the native engine does: PostgreSQL runs a
 * multi-statement simple query as one implicit transaction.
 * @param {any} proto adapter-pg's adapter prototype
 */
function runScriptsWhole(proto) {
  Object.assign(proto, {
    /** @this {{client: pg.Pool, onError(err: unknown): never}} @param {string} script */
    async executeScript(script) {
      try {
        await this.client.query(script);
      } catch (/** @type {any} */ err) {
        if (typeof err?.code === 'string' && err.severity) lastScriptFailure = { script, error: err };
        this.onError(err);
      }
    },
  });
}

/** @type {Promise<any> | undefined} */
let prepared;

/**
 * Checks and loads everything the engine depends on; call it first, in every mode.
 * @returns {Promise<any>} the wasm glue
 */
function prepare() {
  prepared ??= (async () => {
    if (typeof bindMigrationAwareSqlAdapterFactory !== 'function' || typeof ColumnTypeEnum?.Character !== 'number' || typeof isDriverAdapterError !== 'function') {
      throw new IncompatibleError('@prisma/driver-adapter-utils no longer exports bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum.Character and isDriverAdapterError.');
    }
    await patchAdapterPg();
    return loadWasm();
  })();
  return prepared;
}

/** Engine hash, e.g. `0edf323e…`, as `prisma version` expects it from `--version`. */
async function engineVersion() {
  return (await prepare()).version();
}

/**
 * Turns a Prisma URL into node-postgres settings. Discrete fields (instead of
 * `connectionString`) let us swap the database; `?schema=` becomes search_path because
 * the engine emits unqualified DDL and pg ignores that Prisma-only parameter.
 * @param {string} url
 */
function pgSettings(url) {
  if (!url) throw new Error('No datasource.url configured: the WebAssembly schema engine always needs a database');
  const { schema, ...config } = /** @type {Record<string, any>} */ (parse(url));
  if (schema) {
    // libpq-style options: backslash-escape whitespace and backslashes inside the value.
    const searchPath = `-c search_path=${quote(schema).replace(/[\\\s]/g, '\\$&')}`;
    config.options = [config.options, searchPath].filter(Boolean).join(' ');
  }
  return { config: /** @type {pg.ClientConfig} */ (config), schema: /** @type {string | undefined} */ (schema || undefined) };
}

/**
 * Runs statements on a short-lived connection.
 * @param {pg.ClientConfig} config
 * @param {string[]} statements
 */
async function run(config, statements) {
  const client = new pg.Client(config);
  client.on('error', () => {}); // a dropped connection must not crash the engine
  await client.connect();
  try {
    /** @type {any[]} */
    const rows = [];
    for (const sql of statements) rows.push(...(await client.query(sql)).rows);
    return rows;
  } finally {
    await client.end();
  }
}

/**
 * Maps node-postgres connection failures to the native engine's error codes; the CLI
 * creates the database on P1003.
 * @param {any} err
 * @param {pg.ClientConfig} config
 */
function connectionError(err, config) {
  const where = `${config.host}:${config.port ?? 5432}`;
  switch (err?.code) {
    case '3D000':
      return new UserError('P1003', `Database \`${config.database}\` does not exist on the database server at \`${where}\`.`);
    case '28P01':
    case '28000':
      return new UserError('P1000', `Authentication failed against database server, the provided database credentials for \`${config.user}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return new UserError('P1001', `Can't reach database server at \`${where}\`\n\nPlease make sure your database server is running at \`${where}\`.`);
    default:
      return err;
  }
}

/** `cli can-connect-to-database`. @param {string} url */
async function canConnect(url) {
  const { config } = pgSettings(url);
  await run(config, ['SELECT 1']).catch((err) => {
    throw connectionError(err, config);
  });
}

/**
 * `cli create-database` and the `createDatabase` RPC, which the wasm engine lacks.
 * Connects to the server's maintenance database, as the native engine does.
 * @param {string} url
 * @param {{ifMissing?: boolean}} [options] `ifMissing`: a database created meanwhile by
 *   someone else counts as success. The CLI asks only after `can-connect` found none, so
 *   two concurrent `migrate deploy` runs against a fresh database both go on (and queue
 *   on Migrate's advisory lock) instead of one failing with P1009.
 */
async function createDatabase(url, { ifMissing = false } = {}) {
  const { config } = pgSettings(url);
  const name = String(config.database);
  const where = `${config.host}:${config.port ?? 5432}`;
  let lastError;
  for (const database of ['postgres', 'template1']) {
    try {
      await run({ ...config, database, options: undefined }, [`CREATE DATABASE ${quote(name)}`]);
      return name;
    } catch (/** @type {any} */ err) {
      // 23505: the loser of two concurrent CREATE DATABASE gets a unique violation instead.
      if (err?.code === '42P04' || err?.code === '23505') {
        if (ifMissing) return name;
        throw new UserError('P1009', `Database \`${name}\` already exists on the database server at \`${where}\``);
      }
      lastError = connectionError(err, { ...config, database });
      if (err?.code !== '3D000') break; // only a missing maintenance database is worth another try
    }
  }
  throw lastError;
}

/** Temporary shadow databases this process created and has not dropped yet. */
/** @type {Map<string, {created: Promise<unknown>, dropped?: Promise<void>}>} */
const shadowDatabases = new Map();
/** @type {pg.ClientConfig | undefined} */
let shadowAdmin;

/** @param {string} name */
function dropShadowDatabase(name) {
  const entry = shadowDatabases.get(name);
  if (!entry || !shadowAdmin) return Promise.resolve();
  const admin = shadowAdmin;
  entry.dropped ??= (async () => {
    await entry.created.catch(() => {}); // a CREATE still running would otherwise win the race
    await run(admin, [`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`]);
    shadowDatabases.delete(name);
  })().catch((err) => {
    entry.dropped = undefined; // let a later attempt retry
    throw err;
  });
  return entry.dropped;
}

/**
 * Drops the temporary shadow databases still alive: after every answer (the CLI kills the
 * engine right after the last one) and on SIGINT/SIGTERM (Ctrl-C during `migrate dev`).
 * WITH (FORCE) also ends the engine's own sessions still replaying migrations there.
 */
async function dropShadowDatabases() {
  await Promise.all([...shadowDatabases.keys()].map(dropShadowDatabase));
}

/** Addresses under which this machine's own servers are reached. */
function localAddresses() {
  const addresses = new Set(['0.0.0.0', '::']);
  for (const list of Object.values(os.networkInterfaces())) for (const info of list ?? []) addresses.add(info.address);
  return addresses;
}

/**
 * Where a connection goes, normalised: every spelling of this machine (localhost,
 * 127.0.0.1, ::1, its own addresses) becomes "local"; other names are resolved.
 * @param {pg.ClientConfig} config
 */
async function endpoint(config) {
  const host = String(config.host || process.env.PGHOST || 'localhost');
  const port = Number(config.port || process.env.PGPORT || 5432);
  const database = String(config.database || process.env.PGDATABASE || config.user || process.env.PGUSER || '');
  if (host.startsWith('/')) return { hosts: new Set([`socket:${path.resolve(host)}`]), port, database };
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const addresses = net.isIP(name) ? [name] : await dns.lookup(name, { all: true }).then((all) => all.map((a) => a.address), () => [name]);
  const local = localAddresses();
  const isLocal = (/** @type {string} */ a) => a === 'localhost' || a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.') || local.has(a);
  return { hosts: new Set(addresses.map((a) => (isLocal(a) ? 'local' : a))), port, database };
}

/**
 * The server and database a connection actually reaches: catches spellings no name
 * comparison can (a Unix socket, a DNS alias, a port forward).
 * @param {pg.ClientConfig} config
 */
async function identity(config) {
  const [row] = await run(config, ['SELECT current_database() AS database, (SELECT system_identifier::text FROM pg_control_system()) AS server']);
  return `${row.server}/${row.database}`;
}

/**
 * Refuses a configured shadow database that is the main database under another spelling:
 * the engine drops its schema before every use.
 * @param {{config: pg.ClientConfig, schema?: string}} main
 * @param {{config: pg.ClientConfig, schema?: string}} shadow
 */
async function assertShadowIsNotMain(main, shadow) {
  if ((shadow.schema ?? 'public') !== (main.schema ?? 'public')) return;
  const refuse = () => {
    throw new Error('The shadow database you configured appears to be the same as the main database. Please specify another shadow database.');
  };
  const [a, b] = await Promise.all([endpoint(main.config), endpoint(shadow.config)]);
  if (a.port === b.port && a.database === b.database && [...a.hosts].some((h) => b.hosts.has(h))) refuse();
  // Unknown when pg_control_system() is not granted or the shadow is unreachable (that fails next).
  const [x, y] = await Promise.all([main.config, shadow.config].map((config) => identity(config).catch(() => undefined)));
  if (x && x === y) refuse();
}

/**
 * Adapter factory for the wasm engine. adapter-pg's own `connectToShadowDb()` connects to
 * the main database (connectionString wins over `database`) or fails to drop its database
 * while still connected to it, so Relay manages the shadow database itself.
 * @param {{url?: string, shadowDatabaseUrl?: string}} datasource
 */
function createAdapterFactory(datasource) {
  const main = pgSettings(datasource.url ?? '');
  shadowAdmin = main.config;

  /** @param {{config: pg.ClientConfig, schema?: string}} settings */
  const connect = ({ config, schema }) =>
    // No idle timeout: the pooled session holding Migrate's advisory lock must live until dispose.
    new PrismaPg({ ...config, idleTimeoutMillis: 0 }, schema ? { schema } : undefined).connect();

  return bindMigrationAwareSqlAdapterFactory({
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(main),
    async connectToShadowDb() {
      if (datasource.shadowDatabaseUrl) {
        const shadow = pgSettings(datasource.shadowDatabaseUrl);
        await assertShadowIsNotMain(main, shadow);
        // The wasm engine does not reset a configured shadow database; replaying into a dirty one fails.
        const schema = quote(shadow.schema ?? 'public');
        await run(shadow.config, [`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `CREATE SCHEMA ${schema}`]);
        return connect(shadow);
      }
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      const created = run(main.config, [`CREATE DATABASE ${quote(name)}`]);
      shadowDatabases.set(name, { created }); // before it exists: a signal may arrive any time
      await created;
      const adapter = await connect({ ...main, config: { ...main.config, database: name } });
      const dispose = adapter.dispose.bind(adapter);
      // Close our own pool first: DROP DATABASE fails while we are still connected.
      adapter.dispose = async () => {
        await dispose();
        await dropShadowDatabase(name);
      };
      return adapter;
    },
  });
}

/**
 * Creates a wasm engine bound to one datasource.
 * @param {{datamodels?: string[], datasource: {url?: string, shadowDatabaseUrl?: string}, onLog?: (line: string) => void}} options
 */
async function createEngine({ datamodels, datasource, onLog = () => {} }) {
  const { SchemaEngine } = await prepare();
  const adapterFactory = createAdapterFactory(datasource);
  const files = datamodels?.map((file) => [file, fs.readFileSync(file, 'utf8')]);
  const engine = await SchemaEngine.new({ datamodels: files?.length ? files : undefined }, onLog, adapterFactory);
  return { engine, adapterFactory };
}

module.exports = {
  ENGINE_METHODS,
  IncompatibleError,
  UserError,
  canConnect,
  createDatabase,
  createEngine,
  dropShadowDatabases,
  engineVersion,
  panicRegistry,
  prepare,
  takeScriptFailure,
};
