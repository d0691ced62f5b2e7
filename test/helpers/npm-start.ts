import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { testEnv } from './relay';

/**
 * `npm start` under test. Every process it starts inherits RELAY_TEST_MARK, so the test
 * finds all of them — reparented orphans included — by scanning /proc, whatever their
 * parent or process group.
 */

export const ROOT = path.join(__dirname, '..', '..');

export interface DevServerSetup {
  mark: string;
  temporalPort: number;
  uiPort: number;
  apiPort: number;
  metricsPort: number;
  dataDir: string;
  api: string;
  ui: string;
  env: NodeJS.ProcessEnv;
}

/** Environment for the dev-server branch (no TEMPORAL_ADDRESS) on free ports and a throwaway data dir. */
export async function devServerSetup(overrides: Record<string, string> = {}): Promise<DevServerSetup> {
  const mark = randomUUID();
  const [temporalPort, uiPort, apiPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-data-'));
  const ui = `http://127.0.0.1:${uiPort}`;
  const env = {
    ...process.env,
    ...testEnv({
      LOG_LEVEL: 'info',
      // Empty, not absent: dotenv would otherwise fill it in from a developer's .env.
      TEMPORAL_ADDRESS: '',
      RELAY_DEV_TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_URL: ui,
      API_PORT: String(apiPort),
      WORKER_METRICS_PORT: String(metricsPort),
      RELAY_DATA_DIR: dataDir,
      WORKER_SHUTDOWN_GRACE_MS: '1000',
      RELAY_TEST_MARK: mark,
      ...overrides,
    }),
  };
  return { mark, temporalPort, uiPort, apiPort, metricsPort, dataDir, api: `http://127.0.0.1:${apiPort}`, ui, env };
}

export interface StartRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once the output contains `text`; rejects if npm start exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** `node --import tsx scripts/start.ts`, or the real `npm start` when `viaNpm`. */
export function runStart(env: NodeJS.ProcessEnv, options: { viaNpm?: boolean } = {}): StartRun {
  const child = options.viaNpm
    ? spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'start.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    async waitFor(text, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`npm start exited before "${text}":\n${output}`);
        if (Date.now() > deadline) throw new Error(`no "${text}" within ${timeoutMs} ms:\n${output}`);
        await sleep(50);
      }
    },
  };
}

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

/** Live processes carrying the mark (zombies are dead: where no init reaps orphans, they linger). */
export function markedProcesses(mark: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`RELAY_TEST_MARK=${mark}`)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      found.push({ pid: Number(entry), argv: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return found;
}

/** Waits until a marked process matching `predicate` exists. */
export async function waitForProcess(mark: string, predicate: (p: ProcessInfo) => boolean, timeoutMs = 120_000): Promise<ProcessInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = markedProcesses(mark).find(predicate);
    if (match) return match;
    if (Date.now() > deadline) throw new Error('no such process appeared');
    await sleep(10);
  }
}

/** Processes still alive after `timeoutMs` (none is the goal). */
export async function survivors(mark: string, timeoutMs = 30_000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = markedProcesses(mark);
  while (alive.length && Date.now() < deadline) {
    await sleep(100);
    alive = markedProcesses(mark);
  }
  return alive;
}

/** Cleanup after a failed test, so one failure does not leave servers behind. */
export function killMarked(mark: string): void {
  for (const p of markedProcesses(mark)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The values of `--flag value` pairs in an argv. */
export function flagValues(argv: string[], flag: string): string[] {
  return argv.flatMap((arg, i) => (arg === flag && i + 1 < argv.length ? [argv[i + 1]!] : []));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
