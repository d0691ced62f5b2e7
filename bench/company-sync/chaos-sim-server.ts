import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET, EXACT_DEMO_USER, type ExactLimits, createExactSimulator } from '../../src/integrations/exact/simulator';

/**
 * The Exact Online simulator in a process of its own for the convergence run (Exact is remote: the
 * load the run generates must not slow the vendor down). Unlike `main.ts` it takes an `idSeed`, so the
 * seeded accounts get the same GUIDs in every run with the same seed, and the limits the run sets.
 * Settings come from CHAOS_SIM (JSON: port, division, accounts, seed, limits); the run drives it
 * through its control API (`/__sim`).
 */

interface ChaosSimSettings {
  port: number;
  division: number;
  accounts: number;
  seed: number;
  limits: Partial<ExactLimits>;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.CHAOS_SIM ?? '{}') as ChaosSimSettings;
  const sim = await createExactSimulator({
    port: settings.port,
    host: '127.0.0.1',
    clientId: EXACT_DEMO_CLIENT_ID,
    clientSecret: EXACT_DEMO_CLIENT_SECRET,
    user: { ...EXACT_DEMO_USER },
    divisions: [{ code: settings.division, description: 'Chaos B.V.' }],
    seed: settings.seed,
    idSeed: settings.seed,
    limits: settings.limits,
    seedAccounts: { perDivision: settings.accounts, rngSeed: settings.seed },
  });
  console.log(`ready ${sim.url}`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
