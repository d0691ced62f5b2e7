import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { type Reaper, groupAlive, signalGroup, startReaper } from '../../scripts/lib/reaper';

/** A child process of a bench run, in its own process group. */
export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Lower stages are stopped first at teardown (Relay's processes before the Temporal server). */
  stage: number;
  /** Resolves when the process has exited, for whatever reason. */
  exited: Promise<void>;
}

/**
 * The child processes of one bench run. Each is registered with the reaper
 * (scripts/lib/reaper.ts), so none outlives the run, even if the run itself is killed.
 */
export class ProcessSet {
  private readonly reaper: Reaper = startReaper();
  private readonly live = new Set<Managed>();

  spawn(name: string, command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string; stage: number }): Managed {
    const log = openSync(options.logFile, 'a');
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', log, log], detached: true });
    return this.adopt(name, child, options.logFile, options.stage);
  }

  /** Tracks a process spawned elsewhere (it must be `detached`: stopping signals its group). */
  adopt(name: string, child: ChildProcess, logFile: string, stage: number): Managed {
    this.reaper.watch(child, { stage, graceMs: 5_000 });
    const managed: Managed = {
      name,
      child,
      logFile,
      stage,
      exited: new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      }),
    };
    this.live.add(managed);
    void managed.exited.then(() => this.live.delete(managed));
    return managed;
  }

  /** SIGKILL to the whole group at once, as a crashed machine would. */
  async kill(m: Managed): Promise<void> {
    if (m.child.pid !== undefined) signalGroup(m.child.pid, 'SIGKILL');
    await m.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(m: Managed, graceMs = 10_000): Promise<void> {
    const pid = m.child.pid;
    if (pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && groupAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    await Promise.race([m.exited, new Promise((r) => setTimeout(r, 2_000))]);
  }

  /** Stops everything still running, stage by stage. */
  async stopAll(): Promise<void> {
    const stages = [...new Set([...this.live].map((m) => m.stage))].sort((a, b) => a - b);
    for (const stage of stages) await Promise.all([...this.live].filter((m) => m.stage === stage).map((m) => this.stop(m, 8_000)));
    this.reaper.release();
  }
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
