import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import type { TwilioSimulatorOptions } from '../../src/integrations/twilio/simulator';
import { NOTIFICATIONS_TASK_QUEUE } from '../../src/modules/notifications';
import type { Managed } from './processes';
import { RemoteSim } from './remote-sim';
import { type RelayStack, type SimulatorProcess, type Teardown, runStack, startRelayStack } from './stack';

/**
 * The run's stack (lib/stack.ts) for the benches that send through Twilio: the Twilio simulator in its own
 * process (sim-server.ts), and Relay's processes configured with its account and the bench's senders.
 */

export interface RelayProcessOptions {
  /** TWILIO_SENDERS, e.g. `sms:+33757000001@1000,whatsapp:+33757000002@1000`. */
  senders: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Extra arguments for node itself (e.g. --cpu-prof). */
  nodeArgs?: string[];
}

export type BenchStack = Omit<RelayStack, 'startApi' | 'startWorker'> & {
  sim: RemoteSim;
  startApi(options: RelayProcessOptions): Promise<Managed>;
  /** Starts the compiled `src/worker.ts`; resolves once it polls the notifications queue. */
  startWorker(name: string, options: RelayProcessOptions): Promise<Managed>;
};

export type SimulatorSettings = Omit<TwilioSimulatorOptions, 'port' | 'accountSid' | 'authToken'>;

function twilioSimulator(sim: RemoteSim, settings: SimulatorSettings): SimulatorProcess {
  return {
    name: 'simulator',
    title: 'the Twilio simulator',
    args: [path.join(__dirname, 'sim-server.ts')],
    env: {
      SIM_PORT: new URL(sim.url).port,
      SIM_ACCOUNT_SID: sim.accountSid,
      SIM_AUTH_TOKEN: sim.authToken,
      SIM_OPTIONS: JSON.stringify({ seed: 1, ...settings }),
    },
    ready: () => sim.count().then(() => true, () => false),
  };
}

async function startTwilioStack(label: string, settings: SimulatorSettings, onTeardown: (teardown: Teardown) => void): Promise<BenchStack> {
  const sim = new RemoteSim(`http://127.0.0.1:${await freePort()}`, `AC${randomBytes(16).toString('hex')}`, randomBytes(16).toString('hex'));
  const stack = await startRelayStack({
    label,
    simulator: twilioSimulator(sim, settings),
    env: { TWILIO_ACCOUNT_SID: sim.accountSid, TWILIO_AUTH_TOKEN: sim.authToken, TWILIO_BASE_URL: sim.url },
    workerQueue: NOTIFICATIONS_TASK_QUEUE,
    onTeardown,
  });
  // Per process: its senders, and the run's API for status callbacks (its URL is the stack's pick).
  const own = (o: RelayProcessOptions) => ({ env: { TWILIO_SENDERS: o.senders, NOTIFY_CALLBACK_BASE_URL: stack.apiUrl, ...o.env }, nodeArgs: o.nodeArgs });
  return { ...stack, sim, startApi: (o) => stack.startApi(own(o)), startWorker: (name, o) => stack.startWorker(name, own(o)) };
}

/** Runs `main` on a fresh stack with a Twilio simulator, torn down afterwards whatever happens (lib/stack.ts `runStack`). */
export function withStack(label: string, simulator: SimulatorSettings | undefined, main: (stack: BenchStack) => Promise<void>): Promise<void> {
  return runStack((onTeardown) => startTwilioStack(label, simulator ?? {}, onTeardown), main);
}
