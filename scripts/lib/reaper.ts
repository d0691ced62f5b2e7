import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';

/**
 * Children that die with `npm start`, however it ends. Node cannot ask the kernel to
 * signal a child when its parent dies (Linux's PR_SET_PDEATHSIG), so a small reaper
 * process (scripts/reaper.ts) watches a pipe that only `npm start` holds: the kernel
 * closes it on any exit, SIGKILL and crashes included, and the reaper then stops the
 * process groups still registered. Watched children must be spawned `detached` (their
 * own process group, so a terminal's Ctrl-C reaches only `npm start`, which stops them in
 * order) and are stopped group-wide, grandchildren included.
 */

export interface WatchOptions {
  /** Lower stages are stopped first (Relay's processes before the Temporal server). */
  stage: number;
  /** How long a group may take after SIGTERM before it gets SIGKILL. */
  graceMs: number;
}

export type ReaperMessage = ({ watch: number } & WatchOptions) | { forget: number };

export interface Reaper {
  watch(child: ChildProcess, options: WatchOptions): void;
  /** Normal shutdown: everything watched has been stopped, the reaper may exit. */
  release(): void;
}

export function startReaper(): Reaper {
  const script = path.join(__dirname, '..', 'reaper.ts');
  // Its own session: neither Ctrl-C nor a closing terminal reaches it.
  const reaper = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  reaper.unref();
  const input = reaper.stdin!;
  (input as Socket).unref();
  // A reaper that died has nothing left to be told.
  input.on('error', () => undefined);
  // Pipe writes reach the kernel synchronously when the pipe has room, so a message
  // survives an `npm start` killed right after sending it.
  const send = (message: ReaperMessage) => {
    if (!input.destroyed && !input.writableEnded) input.write(`${JSON.stringify(message)}\n`);
  };
  return {
    watch(child, options) {
      const pid = child.pid;
      if (pid === undefined) return;
      send({ watch: pid, ...options });
      child.once('exit', () => send({ forget: pid }));
    },
    release() {
      input.end();
    },
  };
}

/** Whether a process group still has a live member; a zombie leader counts as gone. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An orphan's zombie lingers where no init reaps it (containers); Linux shows its state.
  try {
    const stat = readFileSync(`/proc/${pgid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
