/**
 * `npm run bench:exact-import [-- --accounts N --changes M --workers K]`: prints figures, asserts nothing.
 *
 * N accounts seeded in one division of the Exact Online simulator (its own process, Exact's real limits on:
 * 60 calls a minute per division, 5 000 a day) go through Relay's real workflows: the division's owner
 * (`exact-division-<d>`) asked for an import by the starter, the import (`exact-import-<d>`) paging the Sync
 * API in Relay's compiled worker process(es). Then M changes in Exact (edits, a few creates and deletes) and
 * an incremental run. See bench/README.md for what each figure means. The last output line is one JSON object.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { temporal } from '@temporalio/proto';
import { companiesInOpenConflicts } from '../../src/db/company-sync/conflicts';
import { pendingOutboundCompanies } from '../../src/db/company-sync/outbound';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { requestDivisionWork } from '../../src/temporal/starters/exact-division';
import { type DivisionState, type InboundProgress, type InboundRunSummary, divisionStateQuery, inboundProgressQuery } from '../../src/workflows/company-sync/definitions';
import { type CpuGroups, backendPids, childPids, measureCpu } from '../lib/cpu';
import { round } from '../lib/load';
import { type RelayWorker, say } from '../lib/stack';
import type { SimCall } from './exact-sim';
import { type ExactStack, withExactStack } from './exact-stack';

const { values: args } = parseArgs({
  options: {
    accounts: { type: 'string', default: '50000' },
    changes: { type: 'string', default: '500' },
    workers: { type: 'string', default: '1' },
    division: { type: 'string', default: '700001' },
    seed: { type: 'string', default: '1' },
    /** Gives up on a run (import or incremental) after this long. */
    'max-minutes': { type: 'string', default: '180' },
    /** Relay's workers write V8 CPU profiles there when they stop. */
    'cpu-prof': { type: 'string' },
  },
});

const positive = (name: string, value: string, min = 1) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return n;
};
const N = positive('accounts', args.accounts);
const M = positive('changes', args.changes, 0);
const WORKERS = positive('workers', args.workers);
const D = positive('division', args.division);
const SEED = positive('seed', args.seed, 0);
const MAX_MS = positive('max-minutes', args['max-minutes']) * 60_000;
const PROFILE_ARGS = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
/** How often a run's progress is printed. */
const REPORT_EVERY_MS = 10_000;
/** Exact's fixed clock-minute window. */
const MINUTE_LIMIT = 60;

/**
 * The least time Exact's limits allow for C calls: with a fixed clock-minute window of 60, the calls fill at
 * best ceil(C/60) consecutive minutes, the first of which may start just before its end: (ceil(C/60) − 1) × 60 s.
 */
const rateFloorSeconds = (calls: number) => Math.max(0, Math.ceil(calls / MINUTE_LIMIT) - 1) * 60;

const seconds = (ms: number) => round(ms / 1000, 1);

/** VmRSS and VmHWM (peak) of a process in MB, from /proc. */
function memoryMb(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/**
 * Workflows held in the workers' caches (the SDK's `temporal_sticky_cache_size`): every running workflow a worker
 * has executed stays there, with its V8 context, until the cache's limit evicts it.
 */
async function cachedWorkflows(workers: RelayWorker[]): Promise<number | null> {
  let total = 0;
  for (const w of workers) {
    const text = await fetch(w.metricsUrl).then((r) => r.text(), () => '');
    const lines = text.split('\n').filter((l) => l.startsWith('temporal_sticky_cache_size'));
    if (lines.length === 0) return null;
    total += lines.reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  }
  return total;
}

async function ownerState(stack: ExactStack): Promise<DivisionState | undefined> {
  return stack.client.workflow
    .getHandle(WorkflowIds.exactDivision(D))
    .query(divisionStateQuery)
    .catch(() => undefined);
}

/**
 * Asks the division's owner for a run and waits for its summary (a partial run, Exact's budget spent, is
 * resumed by the owner: waiting goes on until a run of the kind completes or fails), printing progress.
 */
async function runAndWait(stack: ExactStack, kind: 'import' | 'incremental', workers: RelayWorker[], expected: number): Promise<{ summary: InboundRunSummary; requestedAt: number; closedAt: number }> {
  const before = (await ownerState(stack))?.recent.filter((r) => r.kind === kind).length ?? 0;
  const requestedAt = Date.now();
  await requestDivisionWork(stack.starter, D, kind, 'bench');
  let lastReport = Date.now();
  let seen = before;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const state = await ownerState(stack);
    const runs = state?.recent.filter((r) => r.kind === kind) ?? [];
    if (runs.length > seen) {
      const latest = runs[0]!;
      seen = runs.length;
      if (latest.outcome === 'partial') say(`${kind}: ended partial (Exact's budget) after ${latest.accounts} accounts; the owner resumes at ${latest.resumeAt}`);
      else {
        const closedAt = (await stack.client.workflow.getHandle(latest.workflowId).describe()).closeTime?.getTime() ?? Date.now();
        return { summary: latest, requestedAt, closedAt };
      }
    }
    if (Date.now() - requestedAt > MAX_MS) throw new Error(`the ${kind} did not finish within ${MAX_MS / 60_000} minutes`);
    if (Date.now() - lastReport >= REPORT_EVERY_MS) {
      lastReport = Date.now();
      const running = state?.running?.kind === kind ? state.running.workflowId : undefined;
      const progress = running ? await stack.client.workflow.getHandle(running).query(inboundProgressQuery).catch(() => undefined) : undefined;
      say(`${progressLine(kind, progress, requestedAt, expected, workers, state)}, ${await cachedWorkflows(workers)} workflows cached`);
    }
  }
}

function progressLine(kind: string, p: InboundProgress | undefined, since: number, expected: number, workers: RelayWorker[], state: DivisionState | undefined): string {
  const elapsed = (Date.now() - since) / 1000;
  const rss = workers.map((w) => `${round(memoryMb(w.child.pid!).rss, 0)} MB`).join(', ');
  if (!p) return `${kind}: ${round(elapsed)} s, not running yet${state?.waitingForBudgetUntil ? ` (waiting for Exact's budget until ${state.waitingForBudgetUntil})` : ''}; worker RSS ${rss}`;
  const rate = p.accounts / Math.max(elapsed, 0.001);
  const eta = rate > 0 && expected > p.accounts ? `, ETA ${round((expected - p.accounts) / rate, 0)} s` : '';
  return `${kind}: ${round(elapsed)} s, page ${p.pages}, ${p.accounts}/${expected} accounts (${round(rate)}/s${eta}); created ${p.created}, updated ${p.updated}, conflicts/review ${p.conflicts}, quarantined ${p.quarantined}, deleted ${p.deleted}; worker RSS ${rss}`;
}

/** Exact's calls made since `sinceSeq`, as the simulator recorded them. */
function callFigures(calls: SimCall[]) {
  const division = calls.filter((c) => c.division === D);
  const byEndpoint: Record<string, number> = {};
  for (const c of calls) byEndpoint[c.endpoint] = (byEndpoint[c.endpoint] ?? 0) + 1;
  return {
    division: division.length,
    counted: division.filter((c) => c.counted).length,
    sync: division.filter((c) => c.endpoint === 'sync/CRM/Accounts').length,
    refused429: division.filter((c) => c.status === 429).length,
    byEndpoint,
  };
}

type PgCounters = Record<string, number>;

/** PostgreSQL's cumulative statistics for the run's database: the database, each table, each index. */
interface PgSnapshot {
  database: PgCounters;
  tables: Record<string, PgCounters>;
  indexes: Record<string, PgCounters>;
}

const numbers = (row: Record<string, string>): PgCounters => Object.fromEntries(Object.entries(row).flatMap(([k, v]) => (k === 'name' ? [] : [[k, Number(v)]])));

async function pgSnapshot(stack: ExactStack): Promise<PgSnapshot> {
  const database = await stack.db.query<Record<string, string>>(
    'SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = $1',
    [stack.databaseName],
  );
  const tables = await stack.db.query<Record<string, string>>(
    'SELECT relname AS name, seq_scan, seq_tup_read, COALESCE(idx_scan, 0) AS idx_scan, COALESCE(idx_tup_fetch, 0) AS idx_tup_fetch, n_tup_ins, n_tup_upd FROM pg_stat_user_tables',
  );
  const indexes = await stack.db.query<Record<string, string>>('SELECT indexrelname AS name, idx_scan, idx_tup_read, idx_tup_fetch FROM pg_stat_user_indexes');
  const byName = (rows: Array<Record<string, string>>) => Object.fromEntries(rows.map((r) => [r.name!, numbers(r)]));
  return { database: numbers(database.rows[0] ?? {}), tables: byName(tables.rows), indexes: byName(indexes.rows) };
}

/** PostgreSQL's statistics are flushed by each backend within a second or so of its last transaction. */
const settleStats = () => new Promise((r) => setTimeout(r, 1_500));

const delta = (after: Record<string, PgCounters>, before: Record<string, PgCounters>) =>
  Object.entries(after).map(([name, a]) => {
    const b = before[name] ?? {};
    return { name, d: (k: string) => (a[k] ?? 0) - (b[k] ?? 0) };
  });

function reportPg(label: string, accounts: number, before: PgSnapshot, after: PgSnapshot): void {
  const n = Math.max(accounts, 1);
  const per = (k: string) => round(((after.database[k] ?? 0) - (before.database[k] ?? 0)) / n, 2);
  say(
    `${label}: PostgreSQL per account: ${per('xact_commit')} commits, ${per('xact_rollback')} rollbacks, ${per('tup_fetched')} rows fetched, ` +
      `${per('tup_returned')} rows returned, ${per('tup_inserted')} inserted, ${per('tup_updated')} updated`,
  );
  const tables = delta(after.tables, before.tables)
    .filter((t) => t.d('seq_scan') + t.d('idx_scan') + t.d('n_tup_ins') + t.d('n_tup_upd') > 0)
    .sort((x, y) => y.d('seq_tup_read') + y.d('idx_tup_fetch') - (x.d('seq_tup_read') + x.d('idx_tup_fetch')));
  for (const t of tables.slice(0, 8))
    say(
      `${label}:   ${t.name}: ${round(t.d('idx_scan') / n, 2)} index scans and ${round(t.d('idx_tup_fetch') / n, 1)} rows fetched by them per account, ` +
        `${t.d('seq_scan')} seq scans (${t.d('seq_tup_read')} rows read), ${t.d('n_tup_ins')} inserted, ${t.d('n_tup_upd')} updated`,
    );
  // The indexes that read the most entries: a look-up whose rows grow with the table shows here.
  const indexes = delta(after.indexes, before.indexes)
    .filter((i) => i.d('idx_scan') > 0)
    .sort((x, y) => y.d('idx_tup_read') - x.d('idx_tup_read'));
  for (const i of indexes.slice(0, 5))
    say(`${label}:   index ${i.name}: ${i.d('idx_scan')} scans reading ${i.d('idx_tup_read')} entries (${round(i.d('idx_tup_read') / i.d('idx_scan'), 1)} a scan)`);
}

function reportCpu(label: string, accounts: number, wallMs: number, cpu: Record<string, number>): void {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  // Also as a share of one core over the run: a serial loop whose processes are far from 100% waits on round trips.
  const parts = Object.entries(cpu).map(([name, s]) => `${name} ${round((s * 1000) / Math.max(accounts, 1), 2)} (${round((s * 100_000) / wallMs, 0)}% of a core)`);
  say(`${label}: CPU seconds per 1 000 accounts: ${parts.join(', ')}; total ${round((total * 1000) / Math.max(accounts, 1), 2)} (${round((total * 100_000) / wallMs / 2)}% of 2 cores over ${seconds(wallMs)} s)`);
}

const tsMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0);

/**
 * Where a run's wall time went, from its workflow history (every run of a continued-as-new chain is not
 * fetched: the latest run's history only) and the simulator's record of when each Sync API call arrived: queue
 * waits, each activity's time before Exact's answer (budget, token, the call) and after it (applying the page),
 * and the workflow's own steps between activities.
 */
async function reportHistory(stack: ExactStack, label: string, workflowId: string, requestedAt: number, calls: SimCall[]): Promise<Map<string, { n: number; run: number }>> {
  const { events } = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const E = temporal.api.enums.v1.EventType;
  const list = events ?? [];
  const startedAt = tsMs(list[0]?.eventTime);
  const closedAt = tsMs(list.at(-1)?.eventTime);
  const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
  const acts: Array<{ type: string; scheduledAt: number; startedAt: number; closedAt: number }> = [];
  for (const e of list) {
    const at = tsMs(e.eventTime);
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', at });
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      const s = scheduled.get(String(e.activityTaskStartedEventAttributes?.scheduledEventId));
      if (s) s.startedAt = at;
    }
    if (e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      const s = scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
      if (s) acts.push({ type: s.type, scheduledAt: s.at, startedAt: s.startedAt ?? s.at, closedAt: at });
    }
  }
  const failedAttempts = list.filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_FAILED || e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).length;
  const byType = new Map<string, { n: number; queue: number; run: number; beforeAnswer: number; afterAnswer: number }>();
  const syncCalls = calls.filter((c) => c.division === D && c.endpoint === 'sync/CRM/Accounts' && c.status === 200);
  for (const a of acts) {
    const t = byType.get(a.type) ?? { n: 0, queue: 0, run: 0, beforeAnswer: 0, afterAnswer: 0 };
    t.n++;
    t.queue += a.startedAt - a.scheduledAt;
    t.run += a.closedAt - a.startedAt;
    if (a.type === 'applyAccountsPage') {
      const call = syncCalls.find((c) => c.at >= a.startedAt - 50 && c.at <= a.closedAt);
      if (call) {
        t.beforeAnswer += call.at - a.startedAt;
        t.afterAnswer += a.closedAt - call.at;
      }
    }
    byType.set(a.type, t);
  }
  const inActivities = acts.reduce((s, a) => s + (a.closedAt - a.scheduledAt), 0);
  say(`${label}: request → ${workflowId} started ${seconds(startedAt - requestedAt)} s; started → closed ${seconds(closedAt - startedAt)} s, of which activities (queued + running) ${seconds(inActivities)} s, the workflow between them ${seconds(closedAt - startedAt - inActivities)} s (${list.length} history events in the latest run, ${failedAttempts} failed activity attempts)`);
  for (const [type, t] of byType) {
    const split = type === 'applyAccountsPage' ? ` — per page ${round(t.beforeAnswer / t.n, 0)} ms until Exact's page arrived (budget, token, request), ${round(t.afterAnswer / t.n, 0)} ms applying it` : '';
    say(`${label}:   ${type} ×${t.n}: queued ${seconds(t.queue)} s, running ${seconds(t.run)} s (${round(t.run / t.n, 0)} ms each)${split}`);
  }
  return byType;
}

/**
 * What a run's last step (`finishInboundRun`) spends its time on: the sweep for companies to push (every company
 * against its link) and the companies held by open conflicts, timed here with the same queries, read-only; the
 * rest of the step is mostly the start request sent for every open conflict's workflow.
 */
async function probeFinish(stack: ExactStack, label: string, finishMs: number | undefined): Promise<void> {
  const t0 = performance.now();
  const pending = await pendingOutboundCompanies(stack.prisma, { division: D });
  const t1 = performance.now();
  const held = await companiesInOpenConflicts(stack.prisma);
  const t2 = performance.now();
  const open = await stack.prisma.syncConflict.count({ where: { division: D, status: 'open' } });
  const rest = finishMs === undefined ? undefined : finishMs - (t2 - t0);
  say(
    `${label}: finishInboundRun ${finishMs === undefined ? '?' : round(finishMs, 0)} ms; its queries timed alone: pending outbound sweep ${round(t1 - t0, 0)} ms (${pending.length} companies), ` +
      `companies held by open conflicts ${round(t2 - t1, 0)} ms (${held.size}); ${open} open conflicts${rest !== undefined && open > 0 ? `: about ${round(rest / open, 1)} ms each for the rest (their workflows started again)` : ''}`,
  );
}

/** M changes as Exact users make them: mostly edits of synced fields, a few creates and deletes. */
async function makeChanges(stack: ExactStack, m: number): Promise<{ edits: number; creates: number; deletes: number }> {
  const creates = m === 0 ? 0 : Math.max(1, Math.round(m * 0.04));
  const deletes = m <= 1 ? 0 : Math.max(1, Math.round(m * 0.04));
  const edits = Math.max(0, m - creates - deletes);
  // Linked accounts, in an order unrelated to their timestamps.
  const { rows } = await stack.db.query<{ exact_guid: string }>(
    'SELECT exact_guid FROM companies_sync WHERE division = $1 AND company_id IS NOT NULL AND exact_guid IS NOT NULL ORDER BY md5(exact_guid::text) LIMIT $2',
    [D, edits + deletes],
  );
  const guids = rows.map((r) => r.exact_guid);
  const cities = ['Zwolle', 'Deventer', 'Apeldoorn', 'Kampen'];
  let i = 0;
  for (const guid of guids.slice(0, edits)) {
    const edit: Record<string, string> = i % 3 === 2 ? { Name: `Bench wijziging ${i} B.V.` } : { City: cities[i % cities.length]! };
    await stack.sim.editAccount(D, guid, edit);
    i++;
  }
  for (const guid of guids.slice(edits)) await stack.sim.deleteAccount(D, guid);
  for (let c = 0; c < creates; c++)
    await stack.sim.createAccount(D, { Name: `Nieuw in Exact ${c} B.V.`, AddressLine1: `Dorpsstraat ${c + 1}`, Postcode: '8011 AB', City: 'Zwolle', Country: 'NL' });
  return { edits: Math.min(edits, guids.length), creates, deletes: Math.max(0, guids.length - edits) };
}

async function main(stack: ExactStack): Promise<void> {
  const workers: RelayWorker[] = [];
  for (let w = 0; w < WORKERS; w++) workers.push(await stack.startWorker(`relay-worker-${w}`, { nodeArgs: PROFILE_ARGS }));
  const limits = await stack.sim.setLimits({ minutely: 60, daily: 5_000 });
  say(`the simulator enforces ${limits.minutely} calls a minute and ${limits.daily} a day per division; ${WORKERS} worker process(es) polling`);
  await stack.connectDivision();
  say(`Exact connected through the OAuth code flow; division ${D} selected`);

  const cpuGroups: CpuGroups = {
    worker: () => workers.map((w) => w.child.pid!),
    postgres: () => backendPids(stack.db, stack.databaseName),
    temporal: () => [stack.temporalPid, ...childPids(stack.temporalPid)],
    simulator: () => [stack.simProcess.child.pid!],
  };

  // ---- import -------------------------------------------------------------------------------------------------
  const seq0 = (await stack.sim.calls()).at(-1)?.seq ?? 0;
  const over0 = (await stack.sim.divisionStats(D)).overLimit;
  const pg0 = await pgSnapshot(stack);
  const cpu = await measureCpu(cpuGroups);
  say(`import: ${N} accounts requested from the division's owner`);
  const imp = await runAndWait(stack, 'import', workers, N);
  const cpuImport = await cpu.stop();
  const wallMs = imp.closedAt - imp.requestedAt;
  const importCalls = await stack.sim.calls(seq0);
  const calls = callFigures(importCalls);
  const overLimit = (await stack.sim.divisionStats(D)).overLimit - over0;
  const floor = rateFloorSeconds(calls.counted);
  const { rows: linkRows } = await stack.db.query<{ linked: string; rows: string; conflict: string; review: string }>(
    `SELECT count(*) FILTER (WHERE company_id IS NOT NULL) AS linked, count(*) AS rows,
       count(*) FILTER (WHERE sync_status = 'CONFLICT') AS conflict, count(*) FILTER (WHERE sync_status = 'PENDING_REVIEW') AS review
     FROM companies_sync WHERE division = $1`,
    [D],
  );
  const imported = Number(linkRows[0]!.linked);
  const s = imp.summary;
  say(`import: ${s.outcome} in ${seconds(wallMs)} s (request → import closed): ${s.accounts} accounts over ${s.pages} pages, created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, conflicts/review ${s.conflicts}, quarantined ${s.quarantined}`);
  say(`import: ${round(s.accounts / (wallMs / 1000))} accounts/s; companies_sync rows ${linkRows[0]!.rows}, linked to a company ${imported}, CONFLICT ${linkRows[0]!.conflict}, PENDING_REVIEW ${linkRows[0]!.review}`);
  say(`import: Exact calls: ${calls.sync} Sync API (sync/CRM/Accounts; goal ${Math.ceil(N / 1000)}), ${calls.division} to the division (${calls.counted} counted), ${calls.refused429} answered 429, ${overLimit} over-limit attempts at the simulator; by endpoint ${JSON.stringify(calls.byEndpoint)}`);
  say(`import: rate floor for ${calls.counted} counted calls at ${MINUTE_LIMIT}/min: ${floor} s${floor > 0 ? `, wall/floor ${round(wallMs / 1000 / floor, 2)}` : ' (60 calls or fewer fit one minute: wall/floor is not meaningful)'}`);
  reportCpu('import', s.accounts, wallMs, cpuImport);
  await settleStats();
  reportPg('import', s.accounts, pg0, await pgSnapshot(stack));
  const importSteps = await reportHistory(stack, 'import', s.workflowId, imp.requestedAt, importCalls);
  await probeFinish(stack, 'import', importSteps.get('finishInboundRun')?.run);
  const peakImport = Math.max(...workers.map((w) => memoryMb(w.child.pid!).peak));
  say(`import: peak worker RSS ${round(peakImport, 0)} MB; ${await cachedWorkflows(workers)} workflows in the workers' caches (the division's owner and each open conflict's waiting workflow)`);

  // ---- incremental ----------------------------------------------------------------------------------------------
  let incrementalS: number | null = null;
  if (M > 0) {
    const changed = await makeChanges(stack, M);
    say(`changes in Exact: ${changed.edits} edits, ${changed.creates} creates, ${changed.deletes} deletes`);
    const seq1 = (await stack.sim.calls()).at(-1)?.seq ?? 0;
    const pg1 = await pgSnapshot(stack);
    const inc = await runAndWait(stack, 'incremental', workers, M);
    incrementalS = seconds(inc.closedAt - inc.requestedAt);
    const i = inc.summary;
    const incCalls = await stack.sim.calls(seq1);
    say(`incremental: ${i.outcome} in ${incrementalS} s: ${i.accounts} accounts over ${i.pages} pages, created ${i.created}, updated ${i.updated}, unchanged ${i.unchanged}, conflicts/review ${i.conflicts}, deleted ${i.deleted}, quarantined ${i.quarantined}; Exact calls ${JSON.stringify(callFigures(incCalls).byEndpoint)}`);
    await settleStats();
    reportPg('incremental', Math.max(i.accounts, 1), pg1, await pgSnapshot(stack));
    const incSteps = await reportHistory(stack, 'incremental', i.workflowId, inc.requestedAt, incCalls);
    await probeFinish(stack, 'incremental', incSteps.get('finishInboundRun')?.run);
  }

  const peak = Math.max(...workers.map((w) => memoryMb(w.child.pid!).peak));
  const result = {
    accounts: N,
    imported,
    wall_s: seconds(wallMs),
    accounts_per_s: round(s.accounts / (wallMs / 1000)),
    sync_api_calls: calls.sync,
    rate_floor_s: floor,
    ratio_floor: floor > 0 ? round(wallMs / 1000 / floor, 2) : null,
    peak_rss_mb: round(peak, 0),
    incremental_s: incrementalS,
  };
  console.log(JSON.stringify(result));
}

say(`bench:exact-import: ${N} accounts, ${M} changes, ${WORKERS} worker process(es), division ${D}, seed ${SEED}`);
withExactStack({ label: 'exact-import', division: D, accounts: N, seed: SEED }, main).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
