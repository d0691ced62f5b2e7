/**
 * Runs the Exact Online simulator on its own:
 * `node --import tsx src/integrations/exact/simulator/main.ts [--port 4030] [--host 127.0.0.1] [--seed 1]
 * [--divisions 123456,234567] [--accounts 250] [--churn-ms 0] [--state-file path] [--no-demo]`.
 * Credentials come from EXACT_SIMULATOR_CLIENT_ID / EXACT_SIMULATOR_CLIENT_SECRET, else the public demo values in
 * demo-data.ts. `--seed` seeds the generated accounts; `--accounts` is how many each division gets;
 * `--churn-ms N` has an office user edit, create or delete an account every N ms. `--state-file` keeps accounts,
 * timestamps and OAuth grants across restarts (loaded at start when present, saved while running and on exit), so a
 * connection made in demo mode survives `npm start` being run again.
 */
import { parseArgs } from 'node:util';
import {
  EXACT_DEMO_ACCOUNTS_PER_DIVISION,
  EXACT_DEMO_CLIENT_ID,
  EXACT_DEMO_CLIENT_SECRET,
  EXACT_DEMO_DIVISIONS,
  EXACT_DEMO_USER,
  EXACT_SIMULATOR_DEFAULT_PORT,
} from './demo-data';
import type { DivisionSpec } from './engine';
import { createExactSimulator } from './server';
import { keepState, loadState } from './state-file';

function integer(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.EXACT_SIMULATOR_PORT ?? String(EXACT_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string', default: '1' },
      divisions: { type: 'string' },
      accounts: { type: 'string', default: String(EXACT_DEMO_ACCOUNTS_PER_DIVISION) },
      'churn-ms': { type: 'string', default: '0' },
      'state-file': { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
    },
  });
  const port = integer(values.port, 'port', 0, 65535);
  const seed = integer(values.seed, 'seed', 0, 2 ** 31 - 1);
  const accounts = integer(values.accounts, 'accounts', 0, 10_000_000);
  const churnMs = integer(values['churn-ms'], 'churn-ms', 0, 86_400_000);
  const divisions: DivisionSpec[] =
    values.divisions === undefined
      ? [...EXACT_DEMO_DIVISIONS]
      : values.divisions.split(',').map((s) => ({ code: integer(s.trim(), 'divisions', 1, 2147483647) }));

  const clientId = process.env.EXACT_SIMULATOR_CLIENT_ID ?? EXACT_DEMO_CLIENT_ID;
  const clientSecret = process.env.EXACT_SIMULATOR_CLIENT_SECRET ?? EXACT_DEMO_CLIENT_SECRET;
  const demo = !values['no-demo'];
  const sim = await createExactSimulator({
    port,
    host: values.host,
    clientId,
    clientSecret,
    divisions,
    seed,
    ...(demo ? { user: { ...EXACT_DEMO_USER } } : {}),
    ...(demo && accounts > 0 ? { seedAccounts: { perDivision: accounts, rngSeed: seed } } : {}),
    ...(churnMs > 0 ? { churn: { everyMs: churnMs, seed } } : {}),
  });
  const stateFile = values['state-file'];
  const restored = stateFile !== undefined && loadState(sim.engine, stateFile);
  const keeper = stateFile === undefined ? null : keepState(sim.engine, stateFile);
  const credentials = process.env.EXACT_SIMULATOR_CLIENT_SECRET ? 'client secret from EXACT_SIMULATOR_CLIENT_SECRET' : 'demo client secret (demo-data.ts)';
  console.log(
    `Exact Online simulator listening on ${sim.url} (client ${sim.clientId}, ${credentials}); ` +
      `divisions ${sim.engine.divisionCodes().join(', ')}; control API ${sim.controlUrl}` +
      (restored ? `; state restored from ${stateFile}` : ''),
  );

  const stop = () => {
    keeper?.stop();
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
