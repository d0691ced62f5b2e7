import path from 'node:path';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { EXACT_TASK_QUEUE } from '../../src/modules/company-sync';
import { type RelayStack, type SimulatorProcess, type Teardown, runStack, startRelayStack } from '../lib/stack';
import { ChaosSim } from './chaos-sim';
import { exactAppEnv } from './exact-stack';

/**
 * The convergence run's stack: the run's stack (lib/stack.ts) with the Exact simulator in its own process
 * (chaos-sim-server.ts: seeded, its GUIDs reproducible, the run's limits), and Relay's API and workers
 * configured as a live Exact app whose host is the simulator, with the run's limits and schedule. Exact is
 * connected through Relay's API as an operator connects it (`connect`).
 */

export interface ChaosStackOptions {
  label: string;
  division: number;
  accounts: number;
  seed: number;
  /** Exact's per-division limits, set alike at the simulator and in Relay's configuration. */
  minuteLimit: number;
  dayLimit: number;
  /** Error answers per endpoint per hour before Exact blocks it (0: never). */
  errorsPerHour: number;
  /** EXACT_SYNC_INTERVAL, e.g. `30s`. */
  syncInterval: string;
  /** Leaves the run's database for a look afterwards (its name is printed) instead of dropping it. */
  keepDatabase?: boolean;
}

export type ChaosStack = RelayStack & {
  sim: ChaosSim;
  /** Connects Exact through Relay's API (authorize → Exact's consent → callback) and selects the division. */
  connect(): Promise<string>;
};

function chaosSimulator(sim: ChaosSim, options: ChaosStackOptions): SimulatorProcess {
  const limits = { minutely: options.minuteLimit, daily: options.dayLimit, errorsPerHour: options.errorsPerHour };
  const settings = { port: Number(new URL(sim.url).port), division: options.division, accounts: options.accounts, seed: options.seed, limits };
  return { name: 'exact-simulator', title: 'the Exact simulator', args: [path.join(__dirname, 'chaos-sim-server.ts')], env: { CHAOS_SIM: JSON.stringify(settings) }, ready: () => sim.ping() };
}

async function startChaosStack(options: ChaosStackOptions, onTeardown: (teardown: Teardown) => void): Promise<ChaosStack> {
  const sim = new ChaosSim(`http://127.0.0.1:${await freePort()}`);
  const stack = await startRelayStack({
    label: options.label,
    simulator: chaosSimulator(sim, options),
    env: {
      ...exactAppEnv(sim.url),
      EXACT_MINUTE_LIMIT: String(options.minuteLimit),
      EXACT_DAILY_LIMIT: String(options.dayLimit),
      EXACT_SYNC_INTERVAL: options.syncInterval,
    },
    workerQueue: EXACT_TASK_QUEUE,
    // The audit log records writes by these names; the run's stories of lost and reverted edits print them.
    keyNames: { service: 'chaos-client', operator: 'chaos-operator' },
    keepDatabase: options.keepDatabase,
    onTeardown,
  });
  return { ...stack, sim, connect: () => connect(stack, options.division) };
}

/** As an operator's browser goes: Relay → Exact's authorize page (the simulator consents at once) → Relay's callback. */
async function connect(stack: RelayStack, division: number): Promise<string> {
  const operator = { authorization: `Bearer ${stack.operatorKey}` };
  const toExact = await fetch(`${stack.apiUrl}/v1/exact/connect`, { headers: operator, redirect: 'manual' });
  const toCallback = await fetch(location(toExact), { redirect: 'manual' });
  const done = await fetch(location(toCallback), { redirect: 'manual' });
  const connectionId = /\/connections\/([0-9a-f-]{36})/.exec(location(done))?.[1];
  if (!connectionId) throw new Error(`connecting Exact did not complete (the callback answered ${done.status}: ${await done.text()})`);
  const divisions = `${stack.apiUrl}/v1/exact/connections/${connectionId}/divisions`;
  const offered = await fetch(divisions, { headers: operator });
  if (!offered.ok) throw new Error(`listing Exact's divisions failed (${offered.status}: ${await offered.text()})`);
  const codes = ((await offered.json()) as { items: Array<{ division: number }> }).items.map((d) => d.division);
  if (!codes.includes(division)) throw new Error(`Exact offered divisions ${codes.join(', ')}, not ${division}`);
  const chosen = await fetch(divisions, { method: 'PUT', headers: { ...operator, 'content-type': 'application/json' }, body: JSON.stringify({ divisions: [division] }) });
  if (!chosen.ok) throw new Error(`selecting division ${division} failed (${chosen.status}: ${await chosen.text()})`);
  return connectionId;
}

function location(res: Response): string {
  const to = res.headers.get('location');
  if (!to) throw new Error(`expected a redirect from ${res.url}, got ${res.status}`);
  return new URL(to, res.url).toString();
}

/**
 * Runs `main` on a fresh stack, torn down afterwards whatever happens (lib/stack.ts `runStack`); the logs are
 * kept unless `main` returned true.
 */
export function withChaosStack(options: ChaosStackOptions, main: (stack: ChaosStack) => Promise<boolean>): Promise<void> {
  return runStack((onTeardown) => startChaosStack(options, onTeardown), main);
}
