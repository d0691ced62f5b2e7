import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';

/** Starting, probing and stopping a local `temporal server start-dev` (used by `npm start` and tests). */

const ROOT = path.resolve(__dirname, '..', '..');

/** Path of the pinned Temporal CLI, building it first when missing (minutes, once). */
export function temporalCli(): string {
  const out = execFileSync(path.join(ROOT, 'scripts', 'temporal-cli.sh'), { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.toString().trim().split('\n');
  return lines[lines.length - 1]!;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  port: number;
  namespace: string;
  /** SQLite file for a persistent server; in memory when omitted. */
  dbFile?: string;
  /** Web UI port; headless when omitted. */
  uiPort?: number;
  codecEndpoint?: string;
  logFile: string;
  /** Own process group, so a terminal's Ctrl-C does not stop it before Relay's processes. */
  detached?: boolean;
}

export function startDevServer(cli: string, o: DevServerOptions): ChildProcess {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(o.port), '--namespace', o.namespace, '--log-level', 'warn'];
  if (o.dbFile) args.push('--db-filename', o.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  if (o.uiPort) args.push('--ui-port', String(o.uiPort));
  else args.push('--headless');
  if (o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  const log = openSync(o.logFile, 'a');
  return spawn(cli, args, { stdio: ['ignore', log, log], detached: o.detached ?? false });
}

/** Polls the frontend's health check; a file-backed server can take 15-30 s on 2 cores. */
export async function waitForTemporal(address: string, timeoutMs = 90_000, exited?: () => boolean, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited?.()) throw new Error(`the Temporal dev server exited during start-up${logFile ? ` (see its log in ${logFile})` : ''}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.healthService.check({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`Temporal at ${address} did not become healthy within ${timeoutMs} ms: ${String(lastError)}`);
}

export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
