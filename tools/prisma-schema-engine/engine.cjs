// @ts-check
'use strict';
// Relay's schema engine runs Prisma's WebAssembly build of the engine on top of
// @prisma/adapter-pg. This module owns everything that touches the wasm or PostgreSQL;
// schema-engine.cjs only speaks the CLI protocol.

const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const pg = require('pg');
const { parse } = require('pg-connection-string');
const { PrismaPg } = require('@prisma/adapter-pg');
const { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } = require('@prisma/driver-adapter-utils');

const GLUE_MODULE = './schema_engine_bg.js';
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** The wasm reports panic messages here (see `__wbg_set_message_*` in the glue). */
const panicRegistry = (/** @type {any} */ (globalThis).PRISMA_WASM_PANIC_REGISTRY ??= {
  message: '',
  set_message(/** @type {string} */ message) {
    this.message = message;
  },
});

const quote = (/** @type {string} */ name) => `"${name.replace(/"/g, '""')}"`;

/** @type {Promise<any> | undefined} */
let wasmGlue;

/**
 * Instantiates the engine once. The CLI bundles the wasm of exactly its own engine
 * (`prisma/build/schema_engine_bg.wasm`), so that one wins; the npm package supplies
 * the JS glue, and its own wasm is the fallback if the glue lacks any import.
 */
function loadWasm() {
  wasmGlue ??= (async () => {
    /** @type {any} */
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const candidates = [
      path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'schema_engine_bg.wasm'),
      path.join(path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm'),
    ];
    for (const file of candidates) {
      if (!fs.existsSync(file)) continue;
      const mod = new WebAssembly.Module(fs.readFileSync(file));
      const fits = WebAssembly.Module.imports(mod).every((i) => i.module === GLUE_MODULE && i.name in glue);
      if (!fits) continue;
      const { exports } = new WebAssembly.Instance(mod, { [GLUE_MODULE]: glue });
      glue.__wbg_set_wasm(exports);
      /** @type {Function} */ (exports.__wbindgen_start)();
      return glue;
    }
    throw new Error('No schema engine wasm matches the JS glue of @prisma/schema-engine-wasm');
  })();
  return wasmGlue;
}

/** Engine hash, e.g. `0edf323e…`, as `prisma version` expects it from `--version`. */
async function engineVersion() {
  return (await loadWasm()).version();
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

/** Error the CLI shows with its Prisma error code. */
class UserError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
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
    for (const sql of statements) await client.query(sql);
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
 */
async function createDatabase(url) {
  const { config } = pgSettings(url);
  const name = String(config.database);
  const where = `${config.host}:${config.port ?? 5432}`;
  let lastError;
  for (const database of ['postgres', 'template1']) {
    try {
      await run({ ...config, database, options: undefined }, [`CREATE DATABASE ${quote(name)}`]);
      return name;
    } catch (/** @type {any} */ err) {
      if (err?.code === '42P04') throw new UserError('P1009', `Database \`${name}\` already exists on the database server at \`${where}\``);
      lastError = connectionError(err, { ...config, database });
      if (err?.code !== '3D000') break; // only a missing maintenance database is worth another try
    }
  }
  throw lastError;
}

/**
 * adapter-pg has no mapping for the catalog type `"char"` (OID 18), which the engine's
 * describer reads from `pg_constraint.contype`, so every description fails. Let adapter-pg
 * see TEXT, then report the column as Character: Text alone makes the engine panic on
 * CHECK constraints. The patch goes on adapter-pg's shared query prototype (adapter and
 * transactions) and switches itself off if those internals ever change.
 * @param {any} adapter a connected adapter-pg adapter
 */
function patchCharColumns(adapter) {
  let proto = adapter;
  while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  if (!proto || proto.relayCharPatch || typeof proto.queryRaw !== 'function') return;
  const { performIO, queryRaw } = proto;
  /** Query objects → indexes of their "char" columns; queryRaw hands its query to performIO. */
  const charColumns = new WeakMap();
  Object.assign(proto, {
    relayCharPatch: true,
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
 * @param {any} adapter a connected adapter-pg adapter
 */
function runScriptsWhole(adapter) {
  if (typeof adapter.onError !== 'function' || typeof adapter.client?.query !== 'function') return;
  adapter.executeScript = async (/** @type {string} */ script) => {
    try {
      await adapter.client.query(script);
    } catch (err) {
      adapter.onError(err);
    }
  };
}

/**
 * Adapter factory for the wasm engine. adapter-pg's own `connectToShadowDb()` connects to
 * the main database (connectionString wins over `database`) or fails to drop its database
 * while still connected to it, so Relay manages the shadow database itself.
 * @param {{url?: string, shadowDatabaseUrl?: string}} datasource
 */
function createAdapterFactory(datasource) {
  const main = pgSettings(datasource.url ?? '');
  /** Temporary shadow databases not yet dropped; see dropShadowDatabases(). */
  const shadowDatabases = new Set();

  /** @param {{config: pg.ClientConfig, schema?: string}} settings */
  const connect = async ({ config, schema }) => {
    const adapter = await new PrismaPg(config, schema ? { schema } : undefined).connect();
    patchCharColumns(adapter);
    runScriptsWhole(adapter);
    return adapter;
  };

  const dropShadowDatabase = async (/** @type {string} */ name) => {
    await run(main.config, [`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`]);
    shadowDatabases.delete(name);
  };

  const factory = bindMigrationAwareSqlAdapterFactory({
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(main),
    async connectToShadowDb() {
      if (datasource.shadowDatabaseUrl) {
        const shadow = pgSettings(datasource.shadowDatabaseUrl);
        const same = /** @type {const} */ (['host', 'port', 'database']).every((k) => String(shadow.config[k]) === String(main.config[k]));
        if (same && (shadow.schema ?? 'public') === (main.schema ?? 'public')) {
          throw new Error('The shadow database you configured appears to be the same as the main database. Please specify another shadow database.');
        }
        // The wasm engine does not reset a configured shadow database; replaying into a dirty one fails.
        const schema = quote(shadow.schema ?? 'public');
        await run(shadow.config, [`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `CREATE SCHEMA ${schema}`]);
        return connect(shadow);
      }
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await run(main.config, [`CREATE DATABASE ${quote(name)}`]);
      shadowDatabases.add(name);
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

  return Object.assign(factory, {
    /** Drops shadow databases a failed engine call left behind; the CLI kills us right after the last answer. */
    async dropShadowDatabases() {
      await Promise.all([...shadowDatabases].map(dropShadowDatabase));
    },
  });
}

/**
 * Creates a wasm engine bound to one datasource.
 * @param {{datamodels?: string[], datasource: {url?: string, shadowDatabaseUrl?: string}, onLog?: (line: string) => void}} options
 */
async function createEngine({ datamodels, datasource, onLog = () => {} }) {
  const { SchemaEngine } = await loadWasm();
  const adapterFactory = createAdapterFactory(datasource);
  const files = datamodels?.map((file) => [file, fs.readFileSync(file, 'utf8')]);
  const engine = await SchemaEngine.new({ datamodels: files?.length ? files : undefined }, onLog, adapterFactory);
  return { engine, adapterFactory };
}

module.exports = { canConnect, createDatabase, createEngine, engineVersion, panicRegistry };
