#!/usr/bin/env node
// @ts-check
'use strict';
// Relay's stand-in for Prisma's native `schema-engine` binary, which the CLI would have to
// download. prisma.config.ts points PRISMA_SCHEMA_ENGINE_BINARY here. It speaks the
// binary's protocol and delegates to the WebAssembly build of the same engine (engine.cjs):
//   <shim> --version                                   → "schema-engine-cli <hash>"
//   <shim> --datasource <json> cli <command>           → can-connect-to-database | create-database
//   <shim> [--datamodels <file>]… --datasource <json>  → JSON-RPC 2.0, one message per line on stdin/stdout

const readline = require('node:readline');
/** Node's WebAssembly global (the DOM lib that types it is not part of this project). */
const Wasm = /** @type {any} */ (globalThis).WebAssembly;
const { ENGINE_METHODS, UserError, canConnect, createDatabase, createEngine, dropShadowDatabases, engineVersion, panicRegistry, prepare, takeScriptFailure } = require('./engine.cjs');

/** Engine methods the CLI may call under the same name (the others are mapped below). */
const PASS_THROUGH = new Set(ENGINE_METHODS.filter((m) => !['debugPanic', 'diff', 'version'].includes(m)));

/** How long a signal may wait for shadow databases to be dropped before the engine dies anyway. */
const SIGNAL_CLEANUP_MS = 5_000;

/** JSON.parse errors quote the input, which holds the password. @param {string} json */
function parseDatasource(json) {
  try {
    return JSON.parse(json);
  } catch {
    throw new Error('--datasource is not valid JSON');
  }
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{version: boolean, datamodels: string[], datasource: {url?: string, shadowDatabaseUrl?: string}, cli?: string}} */
  const args = { version: false, datamodels: [], datasource: {} };
  const next = (/** @type {number} */ i) => argv[i] ?? '';
  for (let i = 0; i < argv.length; i++) {
    const arg = next(i);
    if (arg === '--version' || arg === '-V') args.version = true;
    else if (arg === '--datamodels') args.datamodels.push(next(++i));
    else if (arg === '--datasource') args.datasource = parseDatasource(next(++i));
    else if (arg === 'cli') args.cli = next(++i);
    // --enabled-preview-features / --extension-types have no wasm counterpart for PostgreSQL migrations.
    else if (arg.startsWith('--')) i++;
  }
  return args;
}

/**
 * Tracing line on stderr, in the native engine's format.
 * @param {'INFO' | 'ERROR'} level
 * @param {Record<string, unknown>} fields
 */
function trace(level, fields) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields, target: 'schema_engine::logger' })}\n`);
}

/**
 * CLI mode. The Prisma CLI drops the first stderr line, JSON-parses the rest and looks for
 * an ERROR line with `error_code` (P1003 makes it run `create-database`).
 * @param {string} command
 * @param {{url?: string}} datasource
 */
async function runCli(command, datasource) {
  trace('INFO', { message: `Starting schema engine CLI: ${command}` });
  try {
    await prepare();
    if (command === 'can-connect-to-database') await canConnect(datasource.url ?? '');
    // The CLI asks only after can-connect found no database.
    else if (command === 'create-database') trace('INFO', { message: `Database '${await createDatabase(datasource.url ?? '', { ifMissing: true })}' was successfully created.` });
    else throw new Error(`Unknown CLI command: ${command}`);
    return 0;
  } catch (/** @type {any} */ err) {
    trace('ERROR', { error_code: err?.code, message: String(err?.message ?? err) });
    return 1;
  }
}

/**
 * PostgreSQL's error as the native engine words it for P3018: severity, message, detail,
 * hint, and the lines of the script up to the error position.
 * @param {any} error a node-postgres DatabaseError
 * @param {string} script
 */
function describeDatabaseError(error, script) {
  let text = `${error.severity}: ${error.message}`;
  if (error.detail) text += `\nDETAIL: ${error.detail}`;
  if (error.hint) text += `\nHINT: ${error.hint}`;
  const position = Number(error.position);
  if (position > 0) {
    const lines = script.slice(0, position).split('\n');
    const first = Math.max(0, lines.length - 6);
    const all = script.split('\n');
    const numbered = all.slice(first, lines.length).map((line, i) => `${String(first + i + 1).padStart(3)}${line ? ` ${line}` : ''}`);
    text += `\n\nPosition:\n${numbered.join('\n')}`;
  }
  return text;
}

/**
 * The wasm engine reports a migration that PostgreSQL rejects as a generic "external
 * connector error"; the native engine, and the CLI's users, expect P3018 with its fields.
 * @param {string} migrationName
 * @param {{script: string, error: any}} failure
 */
function applyMigrationError(migrationName, { script, error }) {
  const code = String(error.code ?? 'none');
  const databaseError = describeDatabaseError(error, script);
  return new UserError(
    'P3018',
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve' +
      `\n\nMigration name: ${migrationName}\n\nDatabase error code: ${code}\n\nDatabase error:\n${databaseError}\n`,
    { migration_name: migrationName, database_error_code: code, database_error: databaseError },
  );
}

/**
 * JSON-RPC error in the native engine's shape; the CLI shows `data.error_code` and `data.message`.
 * @param {any} err
 * @param {any} adapterFactory
 */
function rpcError(err, adapterFactory) {
  if (err instanceof Wasm.RuntimeError) {
    return { code: 4466, message: err.message, data: { is_panic: true, message: err.message, backtrace: err.stack } };
  }
  // Exceptions thrown inside the adapter reach the engine only as an id.
  const message = String(err?.message ?? err).replace(/External error id#(\d+)/g, (text, id) => {
    const cause = adapterFactory?.errorRegistry.consumeError(Number(id))?.error;
    return cause ? String(cause.message ?? cause) : text;
  });
  const errorCode = /^P\d{4}$/.test(err?.code) ? err.code : undefined;
  return {
    code: 4466,
    message: 'An error happened. Check the data field for details.',
    data: { is_panic: false, message, error_code: errorCode, meta: err?.meta ?? {} },
  };
}

/** @param {ReturnType<typeof parseArgs>} args */
function serveRpc({ datamodels, datasource }) {
  // The CLI may be gone (Ctrl-C): a write to its closed pipe must not crash the cleanup.
  process.stdout.on('error', () => {});
  const send = (/** @type {object} */ message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  /** The migration applyMigrations is applying, from the engine's tracing span. @type {string | undefined} */
  let applying;
  const onLog = (/** @type {string} */ line) => {
    try {
      const { span } = JSON.parse(line);
      if (span?.name === 'Applying migration' && typeof span.migration_name === 'string') applying = span.migration_name;
    } catch {
      // not JSON: pass it on unread
    }
    process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  };

  /** @type {Awaited<ReturnType<typeof createEngine>> | undefined} */
  let current;
  /** @type {Promise<NonNullable<typeof current>> | undefined} */
  let starting;
  const getEngine = () =>
    (starting ??= createEngine({ datamodels, datasource, onLog }).then(
      (created) => (current = created),
      (err) => {
        starting = undefined; // e.g. database missing: a later request may succeed
        throw err;
      },
    ));

  /** `print` requests to the CLI (used by diff) that await its acknowledgement. */
  const prints = new Map();
  let printId = 0;
  const print = (/** @type {string} */ content) =>
    new Promise((resolve) => {
      prints.set(++printId, resolve);
      send({ jsonrpc: '2.0', id: printId, method: 'print', params: { content } });
    });

  /** @type {Record<string, (params: any) => Promise<unknown>>} */
  const special = {
    getDatabaseVersion: async (params) => (await getEngine()).engine.version(params),
    createDatabase: async (params) => ({ databaseName: await createDatabase(params?.datasource?.url ?? datasource.url ?? '') }),
    debugPanic: async () => (await getEngine()).engine.debugPanic(),
    async diff(params) {
      const { exitCode, stdout } = await (await getEngine()).engine.diff(params);
      if (stdout) await print(stdout.replace(/\n$/, '')); // the CLI adds the newline
      return { exitCode };
    },
  };

  /** A wasm panic poisons the instance; later requests get the same answer. @type {Error | undefined} */
  let panic;
  /** Rejects the request in flight; panics inside engine futures surface as uncaught exceptions. */
  const logUncaught = (/** @type {unknown} */ err) => trace('ERROR', { message: String(err) });
  let abort = logUncaught;
  process.on('uncaughtException', (err) => abort(err));

  /** @param {{id: number, method: string, params?: any}} request */
  async function handle({ id, method, params }) {
    panicRegistry.message = '';
    applying = undefined;
    takeScriptFailure();
    /** @type {object} */
    let response;
    try {
      await ready; // a package mismatch answers every request, loudly
      if (panic) throw panic;
      const call = special[method] ?? (PASS_THROUGH.has(method) ? async (/** @type {any} */ p) => (await getEngine()).engine[method](p) : undefined);
      if (!call) throw new Error(`Method \`${method}\` is not available in the WebAssembly schema engine`);
      const result = await new Promise((resolve, reject) => {
        abort = reject;
        call(params).then(resolve, reject);
      });
      response = { result: result ?? {} }; // the CLI requires `result` to be present
    } catch (/** @type {any} */ err) {
      if (err instanceof Wasm.RuntimeError) {
        err.message = panicRegistry.message || err.message; // "unreachable" says nothing
        panic = err;
      }
      const failure = method === 'applyMigrations' && !err?.code ? takeScriptFailure() : undefined;
      const scripts = params?.migrationsList?.migrationDirectories?.map((/** @type {any} */ d) => d.migrationFile?.content?.value) ?? [];
      const reported = failure && applying && scripts.includes(failure.script) ? applyMigrationError(applying, failure) : err;
      response = { error: rpcError(reported, current?.adapterFactory) };
    }
    abort = logUncaught;
    // The CLI SIGTERMs us as soon as it has the last answer, so clean up before answering.
    await dropShadowDatabases().catch(() => {});
    send({ jsonrpc: '2.0', id, ...response });
  }

  const ready = prepare();
  ready.catch((/** @type {any} */ err) => trace('ERROR', { message: String(err?.message ?? err) }));
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (message.method === undefined) {
      prints.get(message.id)?.();
      prints.delete(message.id);
      return;
    }
    queue = queue.then(() => handle(message));
  });
  lines.on('close', () => queue.then(() => process.exit(0)));
}

/**
 * Ctrl-C reaches the CLI and the engine alike; dying at once would leave a temporary
 * shadow database behind. Drop them first, then die of the same signal. Later signals
 * (the CLI's SIGTERM right after) wait for the same cleanup.
 */
function dropShadowDatabasesOnSignals() {
  const signals = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
  let cleaning = false;
  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    if (cleaning) return;
    cleaning = true;
    const timeout = new Promise((resolve) => setTimeout(resolve, SIGNAL_CLEANUP_MS).unref());
    Promise.race([dropShadowDatabases(), timeout])
      .catch((err) => trace('ERROR', { message: `Could not drop the temporary shadow database: ${err?.message ?? err}` }))
      .finally(() => {
        for (const s of signals) process.off(s, onSignal);
        process.kill(process.pid, signal);
      });
  };
  for (const s of signals) process.on(s, onSignal);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) process.stdout.write(`schema-engine-cli ${await engineVersion()}\n`);
  else if (args.cli) process.exitCode = await runCli(args.cli, args.datasource);
  else {
    dropShadowDatabasesOnSignals();
    serveRpc(args);
  }
}

main().catch((err) => {
  trace('ERROR', { message: String(err?.message ?? err), backtrace: err?.stack });
  process.exit(1);
});
