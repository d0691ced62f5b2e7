import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { inboundProgressQuery } from '../../src/workflows/company-sync/definitions';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { EXACT_TASK_QUEUE } from '../../src/modules/company-sync';
import { type RelayHarness, startRelay, testEnv, uniqueTaskQueues } from '../helpers/relay';
import { waitFor } from '../helpers/wait';
import { connectDivision } from './fixtures/division';

/**
 * An import survives its worker being killed mid-page (SIGKILL, no goodbye): the page's activity
 * is retried on another worker from the stored cursor and the `__next` link the workflow kept,
 * accounts applied before the kill are not applied twice, and every account arrives once.
 */
const D = 773_001;
const SEEDED = 3_200; // four Sync API pages

describe('company sync: import resumes after a killed worker', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  const workers: ChildProcess[] = [];
  let metricsPort: number;

  /** Relay's worker entry point as its own process: it serves the production queue relay-exact (no other test file does). */
  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', '..', 'src', 'worker.ts')], {
      env: { ...process.env, ...testEnv({ EXACT_BASE_URL: sim.url, WORKER_METRICS_PORT: String(metricsPort++) }) },
      stdio: 'ignore',
    });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Herstart B.V.' }] });
    sim.seed(D, SEEDED, 3);
    // Exact answers each page slowly, so the kill lands while a page is being applied or fetched.
    sim.setFaults({ latencyMs: 400 });
    // This harness's own workers do not serve the exact queue: the worker processes below do.
    metricsPort = await freePort();
    relay = await startRelay({ env: { EXACT_BASE_URL: sim.url }, taskQueues: { ...uniqueTaskQueues(), exact: EXACT_TASK_QUEUE }, only: ['core'] });
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await relay?.env.client.workflow.getHandle(WorkflowIds.exactDivision(D)).terminate('test over').catch(() => undefined);
    await relay?.stop();
    await sim?.close();
  });

  it('imports every account exactly once across a SIGKILL of the worker', async () => {
    const lastSeeded = BigInt(sim.accounts(D).at(-1)!.Timestamp);
    const first = startWorker();
    const division = await connectDivision(relay, sim, D);
    const imported = division.run('import', 300_000);
    const progress = () => relay.env.client.workflow.getHandle(WorkflowIds.exactImport(D)).query(inboundProgressQuery);
    await waitFor('the import past its first page', async () => ((await progress().catch(() => undefined))?.pages ?? 0) >= 1 || undefined, 120_000);
    first.kill('SIGKILL');
    startWorker();

    const run = await imported;
    expect(run.outcome).toBe('completed');
    const prisma = relay.prisma;
    // Links to Exact accounts (the import's closing sweep may also push companies other test files left unlinked).
    const inbound = { division: D, exactGuid: { not: null } };
    expect(await prisma.companySync.count({ where: inbound })).toBeGreaterThanOrEqual(SEEDED);
    const guids = sim.accounts(D).filter((a) => BigInt(a.Timestamp) <= lastSeeded).map((a) => a.ID.toLowerCase());
    const linked = await prisma.companySync.findMany({ where: { ...inbound, createRef: null }, select: { exactGuid: true } });
    expect(new Set(linked.map((l) => l.exactGuid!.toLowerCase()))).toEqual(new Set(guids));
    // Each created company was created (and audited) once, whatever the kill interrupted.
    const created = await prisma.auditLog.groupBy({ by: ['entityId'], where: { action: 'company.created', actor: { startsWith: `workflow:${WorkflowIds.exactImport(D)}` } }, _count: { _all: true } });
    expect(created.every((c) => c._count._all === 1)).toBe(true);
    const state = await prisma.exactDivision.findUniqueOrThrow({ where: { division: D } });
    expect(state.accountsCursor).toBeGreaterThanOrEqual(lastSeeded);
    await division.stop();
  }, 360_000);
});

