import { stopProcess } from '../scripts/lib/temporal-dev-server';
import { dropDatabase } from './helpers/postgres';
import type { TestRun } from './helpers/test-run';

export default async function globalTeardown(): Promise<void> {
  const run = (globalThis as { relayTestRun?: TestRun }).relayTestRun;
  if (!run) return;
  if (run.server) await stopProcess(run.server);
  await dropDatabase(run.databaseName);
}
