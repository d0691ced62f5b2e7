import path from 'node:path';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { createExactConnection } from '../../src/db/company-sync/exact-connections';
import { createPrismaClient } from '../../src/db/prisma';
import { createSecretSealer } from '../../src/db/sealed-secrets';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET } from '../../src/integrations/exact/simulator/demo-data';
import { EXACT_TASK_QUEUE } from '../../src/modules/company-sync';
import type { StarterContext } from '../../src/temporal/starters/context';
import { ROOT, type RelayStack, type Teardown, runStack, startRelayStack } from '../lib/stack';
import { ExactSim } from './exact-sim';

/**
 * The company sync benchmark's stack: the run's stack (lib/stack.ts) with the Exact Online simulator's own
 * `main.ts` in its process (seeded, enforcing Exact's limits) and Relay's workers configured as a live Exact app
 * (`exactAppEnv`), so the module runs exactly as against https://start.exactonline.nl. Exact is connected as an
 * operator connects it, straight into the database (`connectDivision`): the benchmark starts no API.
 */

export interface ExactStackOptions {
  label: string;
  /** The simulator's division, seeded with `accounts` accounts from `seed`. */
  division: number;
  accounts: number;
  seed: number;
}

export type ExactStack = RelayStack & {
  sim: ExactSim;
  prisma: PrismaClient;
  starter: StarterContext;
  /** Connects Exact as an operator does (the simulator's OAuth code flow) and selects the division for sync. */
  connectDivision(): Promise<{ connectionId: string }>;
};

/**
 * Relay as a live Exact app whose host is the simulator and whose credentials are the simulator's demo pair:
 * no demo mode, nothing else differs from a deployment talking to Exact Online.
 */
export function exactAppEnv(simulatorUrl: string): Record<string, string> {
  return { EXACT_CLIENT_ID: EXACT_DEMO_CLIENT_ID, EXACT_CLIENT_SECRET: EXACT_DEMO_CLIENT_SECRET, EXACT_BASE_URL: simulatorUrl };
}

async function startExactStack(options: ExactStackOptions, onTeardown: (teardown: Teardown) => void): Promise<ExactStack> {
  const sim = new ExactSim(`http://127.0.0.1:${await freePort()}`, EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET);
  const main = path.join(ROOT, 'src', 'integrations', 'exact', 'simulator', 'main.ts');
  const stack = await startRelayStack({
    label: options.label,
    // It seeds while the rest starts (50 000 accounts take about a second).
    simulator: {
      name: 'exact-simulator',
      title: 'the Exact simulator',
      args: [main, '--port', new URL(sim.url).port, '--divisions', String(options.division), '--accounts', String(options.accounts), '--seed', String(options.seed)],
      ready: () => sim.ping(),
    },
    env: exactAppEnv(sim.url),
    workerQueue: EXACT_TASK_QUEUE,
    onTeardown,
  });
  const prisma = createPrismaClient(stack.databaseUrl);
  stack.addCleanup(() => prisma.$disconnect());
  const starter: StarterContext = { client: stack.client, taskQueues: { exact: EXACT_TASK_QUEUE } };
  return { ...stack, sim, prisma, starter, connectDivision: () => connectDivision(stack, sim, prisma, options.division) };
}

/** The OAuth code flow at the simulator, the tokens sealed and stored as Relay's callback stores them, the division selected. */
async function connectDivision(stack: RelayStack, sim: ExactSim, prisma: PrismaClient, division: number): Promise<{ connectionId: string }> {
  // Where Relay's callback would be; the simulator only checks that the code is redeemed for the same URI.
  const { tokens, receivedAtMs, userId } = await sim.authorize(`${stack.apiUrl}/v1/exact/callback`);
  const connection = await createExactConnection(prisma, createSecretSealer(stack.encryptionKeys), {
    baseUrl: sim.url,
    exactUserId: userId,
    tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresInSeconds: Number(tokens.expires_in) },
    issuedAtMs: receivedAtMs,
  });
  await prisma.exactDivision.create({ data: { division, connectionId: connection.id, name: `Bench ${division}` } });
  return { connectionId: connection.id };
}

/** Runs `main` on a fresh stack, torn down afterwards whatever happens (lib/stack.ts `runStack`). */
export function withExactStack(options: ExactStackOptions, main: (stack: ExactStack) => Promise<void>): Promise<void> {
  return runStack((onTeardown) => startExactStack(options, onTeardown), main);
}
