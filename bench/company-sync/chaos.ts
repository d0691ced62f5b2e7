/**
 * `npm run chaos:company-sync [-- --seed S] [--edits N] [...]`: the company sync's convergence run.
 *
 * One Exact division seeded with a few hundred accounts is connected through Relay's API as an
 * operator connects it, and imported. Then N operations drawn from a seeded PRNG interleave on both
 * sides — creates, edits and deletes of companies through Relay's API (PUT with If-Match; a 412 read
 * again and retried as a client does) and of accounts in Exact's screens (the simulator's office
 * user), the same company edited on both sides between syncs, two API clients on one company,
 * identical names, shared KVK numbers and addresses — while incremental runs are triggered every few
 * seconds (and by the division's schedule), and faults come along the way: 429 bursts, 5xx, every
 * access token expired, answers lost on creates and updates Exact applied, and one of the two worker
 * processes killed with SIGKILL twice and restarted. Then quiescence (operations stopped, faults
 * cleared, incremental runs until nothing of the module runs and a last run changes nothing), and
 * both sides are compared field by field (chaos-compare.ts).
 *
 * Figures are printed as they come; the last line is
 * `{"seed":…,"edits":…,"converged":…,"lost_edits_without_audit":…,"duplicate_exact_accounts":…,"open_conflicts":…}`.
 * Exits 1 unless converged with no lost edit and no duplicate.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { type DivisionState, divisionStateQuery } from '../../src/workflows/company-sync/definitions';
import type { Managed } from '../lib/processes';
import { say } from '../lib/stack';
import { compareSides } from './chaos-compare';
import { Executor } from './chaos-ops';
import { type Event, Rng, drawPlan } from './chaos-plan';
import { type ChaosStack, withChaosStack } from './chaos-stack';

interface Options {
  seed: number;
  edits: number;
  accounts: number;
  division: number;
  /** Operations per second. */
  rate: number;
  minuteLimit: number;
  dayLimit: number;
  errorLimit: number;
  syncInterval: string;
  settleMinutes: number;
  keepDb: boolean;
}

const DEFAULTS: Options = {
  seed: 20_240_601,
  edits: 2_000,
  accounts: 300,
  division: 700_101,
  rate: 8,
  minuteLimit: 600,
  dayLimit: 100_000,
  errorLimit: 10,
  syncInterval: '30s',
  settleMinutes: 20,
  keepDb: false,
};

const FLAGS: Record<string, Exclude<keyof Options, 'keepDb'>> = {
  '--seed': 'seed',
  '--edits': 'edits',
  '--accounts': 'accounts',
  '--division': 'division',
  '--rate': 'rate',
  '--minute-limit': 'minuteLimit',
  '--day-limit': 'dayLimit',
  '--error-limit': 'errorLimit',
  '--sync-interval': 'syncInterval',
  '--settle-minutes': 'settleMinutes',
};

function parseOptions(argv: readonly string[]): Options {
  const options = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep-db') {
      options.keepDb = true;
      continue;
    }
    const key = FLAGS[argv[i]!];
    const value = argv[++i];
    if (!key || value === undefined) throw new Error(`unknown option ${argv[i - 1]} (known: ${Object.keys(FLAGS).join(', ')}, each with a value; --keep-db)`);
    if (key === 'syncInterval') {
      if (!/^\d+(ms|s|m|h)$/.test(value)) throw new Error(`${argv[i - 1]} needs a duration such as 30s`);
      options.syncInterval = value;
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || (key !== 'rate' && !Number.isInteger(n))) throw new Error(`${argv[i - 1]} needs a non-negative number`);
    options[key] = n as never;
  }
  if (options.edits < 1 || options.rate <= 0) throw new Error('--edits and --rate must be positive');
  return options;
}

const OPTIONS = parseOptions(process.argv.slice(2));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function chaos(stack: ChaosStack): Promise<boolean> {
  const { sim, client, division } = { ...stack, division: OPTIONS.division };
  const owner = client.workflow.getHandle(WorkflowIds.exactDivision(division));
  const ownerState = () => owner.query(divisionStateQuery) as Promise<DivisionState>;
  const operator = { authorization: `Bearer ${stack.operatorKey}` };

  say(`seed ${OPTIONS.seed}, ${OPTIONS.edits} operations at ${OPTIONS.rate}/s, ${OPTIONS.accounts} accounts in division ${division}; Exact's limits ${OPTIONS.minuteLimit}/min, ${OPTIONS.dayLimit}/day, error limit ${OPTIONS.errorLimit}/h; schedule every ${OPTIONS.syncInterval}`);
  await stack.startApi();
  await stack.startWorker('worker-a');
  let victim: Managed = await stack.startWorker('worker-b-0');
  say('API and two workers up; connecting Exact through the API');
  const connectionId = await stack.connect();
  say(`connected (${connectionId}); division ${division} selected, import requested`);

  // The import.
  const importStart = Date.now();
  for (;;) {
    const state = await ownerState().catch(() => null);
    const done = state?.recent.find((r) => r.kind === 'import' && r.outcome === 'completed');
    if (done && !state?.running && state?.pending.length === 0) {
      say(`imported in ${((Date.now() - importStart) / 1000).toFixed(1)} s: ${done.accounts} accounts, ${done.created} created, ${done.conflicts} conflicts, ${done.quarantined} quarantined`);
      break;
    }
    if (Date.now() - importStart > 10 * 60_000) throw new Error(`the import did not complete in 10 minutes: ${JSON.stringify(state)}`);
    await sleep(1_000);
  }

  const seeded = await sim.accounts(division);
  const plan = drawPlan(OPTIONS.seed, OPTIONS.edits, seeded);
  const kinds = plan.ops.reduce<Record<string, number>>((acc, op) => ({ ...acc, [op.kind]: (acc[op.kind] ?? 0) + 1 }), {});
  say(`plan ${plan.digest}: ${JSON.stringify(kinds)}`);

  const executor = new Executor({ apiUrl: stack.apiUrl, serviceKey: stack.apiKey, db: stack.db, sim, division, plan, note: (line) => say(`note: ${line}`) });
  const started = Date.now();
  let stopTriggers = false;
  let triggers = 0;

  // Incremental runs triggered every 2–6 s as an operator (or an impatient integration) would.
  const triggerRng = new Rng(OPTIONS.seed ^ 0x5bd1e995);
  const triggering = (async () => {
    while (!stopTriggers) {
      await sleep(triggerRng.int(2_000, 6_000));
      if (stopTriggers) break;
      const res = await fetch(`${stack.apiUrl}/v1/exact/divisions/${division}/sync`, { method: 'POST', headers: operator }).catch(() => null);
      if (res?.ok) triggers++;
      else say(`note: triggering a sync answered ${res?.status ?? 'nothing'}`);
    }
  })();

  // Figures every 15 s.
  const progress = setInterval(() => {
    const c = executor.counts;
    void sim
      .stats()
      .then((s) => say(`${c.done}/${plan.ops.length} operations (${c.accepted} accepted, ${c.retried412} 412s retried, refused ${JSON.stringify(c.refused)}, skipped ${JSON.stringify(c.skipped)}); ${triggers} syncs triggered; Exact calls ${s.calls}, faults fired ${JSON.stringify(s.faultsFired)}`))
      .catch(() => undefined);
  }, 15_000);

  let expiring: Promise<void> | undefined;
  const fire = async (event: Event) => {
    if (event.kind === 'fault') {
      await sim.patchFaults(event.faults);
      say(`fault: ${event.name} ${JSON.stringify(event.faults)}`);
    } else if (event.kind === 'kill') {
      await stack.procs.kill(victim);
      say(`SIGKILL ${victim.name} (pid ${victim.child.pid}) at operation ${executor.counts.done}`);
      await sleep(1_500);
      victim = await stack.startWorker(`worker-b-${Number(victim.name.split('-').pop()) + 1}`);
      say(`restarted it as ${victim.name} (pid ${victim.child.pid})`);
    } else {
      expiring = expireTokensNearGuard(stack);
    }
  };

  try {
    for (const [i, op] of plan.ops.entries()) {
      for (const event of plan.events.filter((e) => e.at === i)) await fire(event);
      const due = started + (i * 1000) / OPTIONS.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      await executor.run(op, i);
    }
    const c = executor.counts;
    say(`operations done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.accepted} accepted, ${c.retried412} 412s retried, refused ${JSON.stringify(c.refused)}, skipped ${JSON.stringify(c.skipped)}; ${executor.edits.length} field values and ${executor.deletes.length} deletions accepted; ${triggers} syncs triggered`);
    // The token expiry still to come: syncs go on (as the schedule would) until it has happened.
    if (expiring) await expiring;
  } finally {
    stopTriggers = true;
    clearInterval(progress);
    await triggering;
  }

  const quiet = await settle(stack, ownerState);
  const comparison = await compareSides(stack.db, sim, division, executor.edits, executor.deletes);
  const stats = await sim.stats();
  say(`Exact: ${stats.calls} calls, faults fired ${JSON.stringify(stats.faultsFired)}, tokens ${JSON.stringify(stats.tokens)}, divisions ${JSON.stringify(stats.divisions)}`);
  say(`compared ${comparison.comparedPairs} of ${comparison.linkedPairs} linked pairs (the others have an open conflict); ${comparison.differences.length} differences; ${comparison.editsChecked} last edits checked, ${comparison.lost.length} lost without audit`);
  say(`open conflicts: ${comparison.openConflicts} ${JSON.stringify(comparison.openConflictKinds)}`);
  const byKind = comparison.differences.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.kind]: (acc[d.kind] ?? 0) + 1 }), {});
  if (comparison.differences.length) say(`differences by kind: ${JSON.stringify(byKind)}`);
  for (const d of comparison.differences.slice(0, 15)) say(`difference: ${JSON.stringify(d)}`);
  const story = (label: string, found: typeof comparison.lost) => {
    for (const [i, l] of found.slice(0, 10).entries()) {
      const { history, ...rest } = l;
      say(`${label}: ${JSON.stringify(rest)}`);
      // The story of the first few: every value of the field on both sides, and the audit's changes of it.
      if (i < 4) for (const line of history) say(`    ${line}`);
    }
  };
  story('lost', comparison.lost);
  const revertedBy = comparison.reverted.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.by ?? '?']: (acc[r.by ?? '?'] ?? 0) + 1 }), {});
  say(`reverted by the sync (audited as its plain write, no conflict resolved against them): ${comparison.reverted.length} ${JSON.stringify(revertedBy)}`);
  story('reverted', comparison.reverted);
  for (const g of comparison.duplicateGroups.slice(0, 10)) say(`duplicate: ${JSON.stringify(g)}`);

  const converged = quiet && comparison.differences.length === 0;
  const result = {
    seed: OPTIONS.seed,
    edits: plan.ops.length,
    converged,
    lost_edits_without_audit: comparison.lost.length,
    duplicate_exact_accounts: comparison.duplicateExactAccounts,
    open_conflicts: comparison.openConflicts,
  };
  console.log(JSON.stringify(result));
  const ok = converged && result.lost_edits_without_audit === 0 && result.duplicate_exact_accounts === 0;
  if (!ok) {
    process.exitCode = 1;
    // Kept with the logs: what Exact saw and holds, and what the run did, for the look that follows.
    writeFileSync(path.join(stack.dir, 'exact-calls.json'), JSON.stringify(await sim.calls()));
    writeFileSync(path.join(stack.dir, 'exact-accounts.json'), JSON.stringify(await sim.accounts(division)));
    writeFileSync(path.join(stack.dir, 'chaos-edits.json'), JSON.stringify({ plan: plan.digest, edits: executor.edits, deletes: executor.deletes }));
  }
  return ok;
}

/**
 * Exact expires every access token (a revoked session). Fired once the grant's last token answer is
 * 8 minutes old, so Relay's wait for Exact's 570-second refresh guard is about 90 s, not 9 minutes.
 */
async function expireTokensNearGuard(stack: ChaosStack): Promise<void> {
  const [grant] = await stack.sim.grants();
  if (!grant) return say('note: no OAuth grant at the simulator; tokens not expired');
  const wait = Math.max(0, grant.lastIssuedAt + 480_000 - (await stack.sim.now()));
  if (wait > 0) say(`access tokens will expire at Exact in ${Math.round(wait / 1000)} s (when the refresh guard is 90 s away)`);
  await sleep(wait);
  await stack.sim.patchFaults({ expireTokens: true });
  say('fault: every access token expired at Exact');
}

/**
 * Quiescence: faults cleared, then incremental runs until nothing of the module runs (the division's
 * owner idle, no outbound, inbound or tick workflow open; conflicts wait for operators and do not
 * count) and a last run changed nothing and started no outbound sync.
 */
async function settle(stack: ChaosStack, ownerState: () => Promise<DivisionState>): Promise<boolean> {
  const { client, sim } = stack;
  await sim.clearFaults();
  const deadline = Date.now() + OPTIONS.settleMinutes * 60_000;
  const operator = { authorization: `Bearer ${stack.operatorKey}` };
  const running = async (): Promise<WorkflowExecutionInfo[]> => {
    const open: WorkflowExecutionInfo[] = [];
    for await (const wf of client.workflow.list({ query: `RelayIntegration = 'company-sync' AND ExecutionStatus = 'Running'` }))
      if (!wf.workflowId.startsWith('exact-division-') && !wf.workflowId.startsWith('sync-conflict-')) open.push(wf);
    return open;
  };
  const outboundRuns = async () => (await client.workflow.count(`RelayIntegration = 'company-sync' AND RelayEntity = 'company'`)).count;
  const start = Date.now();
  say('quiescence: operations stopped, faults cleared; syncing until nothing changes');
  for (let round = 1; ; round++) {
    const before = (await ownerState()).recent.map((r) => r.workflowId);
    const outboundBefore = await outboundRuns();
    await fetch(`${stack.apiUrl}/v1/exact/divisions/${OPTIONS.division}/sync`, { method: 'POST', headers: operator });
    let state: DivisionState;
    let lastSay = 0;
    for (;;) {
      await sleep(2_000);
      state = await ownerState();
      const open = await running();
      const ran = state.recent.filter((r) => !before.includes(r.workflowId));
      if (!state.running && state.pending.length === 0 && open.length === 0 && ran.some((r) => r.kind === 'incremental')) break;
      if (Date.now() - lastSay > 30_000) {
        lastSay = Date.now();
        const kinds = open.reduce<Record<string, number>>((acc, wf) => ({ ...acc, [wf.type]: (acc[wf.type] ?? 0) + 1 }), {});
        say(`  round ${round}: owner ${state.running ? `running ${state.running.kind}` : 'idle'}${state.pending.length ? `, pending ${state.pending.join(',')}` : ''}${state.waitingForBudgetUntil ? `, waiting for budget until ${state.waitingForBudgetUntil}` : ''}; open ${JSON.stringify(kinds)}`);
      }
      if (Date.now() > deadline) {
        say(`quiescence: not reached in ${OPTIONS.settleMinutes} minutes; open: ${open.map((wf) => wf.workflowId).slice(0, 10).join(', ')}`);
        return false;
      }
    }
    const ran = state.recent.filter((r) => !before.includes(r.workflowId));
    const changed = ran.reduce((acc, r) => acc + r.created + r.updated + r.deleted + r.conflicts + r.quarantined + (r.outcome === 'completed' ? 0 : 1), 0);
    const outbound = (await outboundRuns()) - outboundBefore;
    say(`  round ${round}: ${ran.map((r) => `${r.kind} ${r.outcome}: ${r.accounts} accounts, ${r.created} created, ${r.updated} updated, ${r.conflicts} conflicts, ${r.deleted} deleted, ${r.quarantined} quarantined`).join('; ')}; ${outbound} outbound runs`);
    if (changed === 0 && outbound === 0) {
      say(`quiescence reached in ${((Date.now() - start) / 1000).toFixed(0)} s (${round} rounds)`);
      return true;
    }
    if (Date.now() > deadline) {
      say(`quiescence: not reached in ${OPTIONS.settleMinutes} minutes`);
      return false;
    }
  }
}

withChaosStack(
  {
    label: 'chaos-company-sync',
    division: OPTIONS.division,
    accounts: OPTIONS.accounts,
    seed: OPTIONS.seed,
    minuteLimit: OPTIONS.minuteLimit,
    dayLimit: OPTIONS.dayLimit,
    errorsPerHour: OPTIONS.errorLimit,
    syncInterval: OPTIONS.syncInterval,
    keepDatabase: OPTIONS.keepDb,
  },
  chaos,
).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
