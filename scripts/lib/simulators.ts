import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { SimulatorSpec } from '../../src/modules/module';

/** Starts a module's demo-mode simulator as its own Node.js process (through tsx, like the worker and the API). */
export function spawnSimulator(root: string, sim: SimulatorSpec, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(root, sim.entry), ...sim.args], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
}

/** Resolves once the simulator answers HTTP at all (any status), or fails after `timeoutMs`. */
export async function waitForSimulator(sim: SimulatorSpec, timeoutMs = 30_000, exited: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the ${sim.name} exited before it answered on ${sim.url}`);
    if (await fetch(sim.url, { signal: AbortSignal.timeout(1_000) }).then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the ${sim.name} did not answer on ${sim.url} within ${timeoutMs / 1000} s (${sim.portHint} if the port is taken)`);
}
