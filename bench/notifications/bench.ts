/**
 * `npm run bench:notifications`: prints figures, asserts nothing. In one run, against one
 * Twilio simulator and one persisted Temporal dev server:
 *
 * 1. Relay: N messages end to end (POST /v1/notifications → API process → workflow → worker
 *    process → simulator): throughput, the API's answer time, accept-to-receipt latency.
 * 2. Bare Temporal: one workflow per message whose single activity posts to the simulator
 *    (bench's own workflow, default worker settings, no bookkeeping); also with a local activity.
 * 3. pg-boss: one send() per message + NOTIFY, and tuned (insert() batches, fetch batches).
 * 4. Rate: two senders limited to R/s at the simulator, a burst through the API, two worker
 *    processes: the lower achieved rate as a fraction of R, and messages above R in any second.
 *    It runs first, on a quiet server.
 *
 * The last output line is one JSON object with the figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import PgBoss from 'pg-boss';
import type { SimMessage } from '../../src/integrations/twilio/simulator';
import { type NotificationBody, type Posted, markerOf, marked, percentile, postNotification, recipient, round, runPool, waitForFinal } from '../lib/load';
import { type CpuGroups, backendPids, measureCpu } from '../lib/cpu';
import type { Managed } from '../lib/processes';
import { type SimTarget, postToSimulator, simTargetEnv } from '../lib/sim-client';
import { NAMESPACE, say } from '../lib/stack';
import { type BenchStack, withStack } from '../lib/twilio-stack';
import { PGBOSS_NOTIFY_CHANNEL } from './baselines/pgboss-channel';
import type { BareInput } from './baselines/bare-workflow';

const N = Number(process.env.BENCH_N ?? 2_000);
/** Requests (or workflow starts, or sends) in flight at once: many clients calling at the same time. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
/** Worker processes for Relay's throughput phase (the bare baseline runs one). */
const RELAY_WORKERS = Number(process.env.BENCH_RELAY_WORKERS ?? 1);
const WARM_UP = 50;
/** Phases to run (all by default); a skipped phase's figures are null. */
const PHASES = new Set((process.env.BENCH_PHASES ?? 'relay,bare,pgboss,rate').split(','));
/**
 * Each sender's limit at the simulator (and in Relay's TWILIO_SENDERS) in the rate phase. Both
 * senders together (2R) must stay well inside what Relay sustains on the machine (about 24/s on
 * 2 cores, see the throughput phase); otherwise the phase measures the machine, not the limiter.
 */
const R = Number(process.env.BENCH_RATE_R ?? 5);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 40);
const SMS = '+33757000001';
const WHATSAPP = 'whatsapp:+33757000002';
const TEMPLATE = `HX${'b3'.repeat(16)}`;
/** Throughput phase: rates far above what the machine can do, so no sender budget binds. */
const FAST_SENDERS = `sms:${SMS}@5000,${WHATSAPP}@5000`;
const RATE_SENDERS = `sms:${SMS}@${R},${WHATSAPP}@${R}`;
/** BENCH_CPU_PROFILE_DIR: the API and Relay's workers write V8 CPU profiles there when they stop. */
const PROFILE_ARGS = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];

const perSecond = (n: number, fromMs: number, toMs: number) => (n * 1000) / Math.max(1, toMs - fromMs);

/** The run's processes by component, for CPU accounting. */
const cpuGroups = (stack: BenchStack, named: Record<string, Managed[]>): CpuGroups => ({
  ...Object.fromEntries(Object.entries(named).map(([name, ms]) => [name, () => ms.map((m) => m.child.pid!)])),
  simulator: () => [stack.simProcess.child.pid!],
  temporal: () => [stack.temporalPid],
  postgres: () => backendPids(stack.db, stack.databaseName),
});

function reportCpu(label: string, n: number, wallMs: number, cpu: Record<string, number>): void {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const parts = Object.entries(cpu).map(([name, s]) => `${name} ${round((s * 1000) / n, 2)}`);
  say(`${label}: CPU seconds per 1 000 messages: ${parts.join(', ')}; total ${round((total * 1000) / n, 2)} (${round((total * 100_000) / wallMs / 2)}% of 2 cores)`);
}

/** Resolves with this phase's messages at the simulator once `n` of them have arrived. */
async function received(stack: BenchStack, prefix: string, n: number, timeoutMs: number): Promise<SimMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await stack.sim.count();
    if (count >= n) {
      const mine = (await stack.sim.messages()).filter((m) => markerOf(m)?.startsWith(prefix));
      if (mine.length >= n) return mine;
    }
    if (Date.now() > deadline) throw new Error(`only ${count}/${n} ${prefix} messages reached the simulator within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const lastReceived = (messages: SimMessage[]) => Math.max(...messages.map((m) => m.receivedAt));

function relayMessage(prefix: string, i: number, channel: 'sms' | 'whatsapp', run: number): { body: NotificationBody; marker: string } {
  const marker = `m-${prefix}-${i}`;
  const idempotencyKey = `${prefix}-${i}`;
  const to = recipient(run, i);
  return channel === 'sms'
    ? { marker, body: { idempotencyKey, channel, recipient: to, sender: SMS, body: `Your parcel ${marked(marker)} is on its way` } }
    : { marker, body: { idempotencyKey, channel, recipient: to, sender: WHATSAPP, template: TEMPLATE, variables: { '1': marked(marker), '2': '14:30' } } };
}

/** POSTs every message through the API; returns what the client saw. */
async function postAll(stack: BenchStack, messages: Array<{ body: NotificationBody; marker: string }>): Promise<Posted[]> {
  const posted: Posted[] = [];
  await runPool(messages, CONCURRENCY, async (m) => {
    posted.push(await postNotification(stack.apiUrl, stack.apiKey, m.body, m.marker));
  });
  return posted;
}

async function relayThroughput(stack: BenchStack, api: Managed) {
  say(`Relay: API + ${RELAY_WORKERS} worker process(es), ${N} messages, ${CONCURRENCY} requests in flight`);
  const workers: Managed[] = [];
  for (let i = 0; i < RELAY_WORKERS; i++) workers.push(await stack.startWorker(`relay-worker-${i}`, { senders: FAST_SENDERS, nodeArgs: PROFILE_ARGS }));

  const warm = Array.from({ length: WARM_UP }, (_, i) => relayMessage('warm', i, i % 2 ? 'whatsapp' : 'sms', 9));
  await postAll(stack, warm);
  await received(stack, 'm-warm-', WARM_UP, 120_000);
  await waitForFinal(stack.db, 'warm-', WARM_UP, 120_000, 'warm-up');
  await stack.sim.idle();
  await stack.sim.reset();

  const messages = Array.from({ length: N }, (_, i) => relayMessage('relay', i, i % 2 ? 'whatsapp' : 'sms', 2));
  const cpu = await measureCpu(cpuGroups(stack, { api: [api], workers }));
  const t0 = Date.now();
  const posting = postAll(stack, messages).then((p) => {
    say(`Relay: the API accepted ${p.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s (${round(perSecond(p.length, t0, Date.now()))}/s)`);
    return p;
  });
  const [posted, atSim] = await Promise.all([posting, received(stack, 'm-relay-', N, 10 * 60_000)]);
  const end = lastReceived(atSim);
  const relayPerS = perSecond(N, t0, end);
  const accept = posted.map((p) => p.acceptedAt - p.sentAt);
  const receivedAt = new Map(atSim.map((m) => [markerOf(m)!, m.receivedAt]));
  const latency = posted.map((p) => receivedAt.get(p.marker)! - p.acceptedAt);
  const figures = {
    relay_per_s: round(relayPerS),
    api_accept_p50_ms: round(percentile(accept, 50)),
    api_accept_p99_ms: round(percentile(accept, 99)),
    p50_ms: round(percentile(latency, 50)),
    p99_ms: round(percentile(latency, 99)),
  };
  say(`Relay: ${N} messages at the simulator in ${((end - t0) / 1000).toFixed(1)} s → ${figures.relay_per_s}/s`);
  say(`Relay: API answer p50 ${figures.api_accept_p50_ms} ms, p99 ${figures.api_accept_p99_ms} ms, max ${round(Math.max(...accept))} ms`);
  say(`Relay: accept → simulator p50 ${figures.p50_ms} ms, p99 ${figures.p99_ms} ms`);

  // Let receipts finish (their callbacks and signals are Relay's work too) before the next phase.
  const t1 = Date.now();
  const counts = await waitForFinal(stack.db, 'relay-', N, 5 * 60_000, 'Relay receipts');
  await stack.sim.idle();
  say(`Relay: every notification final ${((Date.now() - t1) / 1000).toFixed(1)} s later: ${JSON.stringify(counts)}`);
  reportCpu('Relay, accept to final receipt', N, Date.now() - t0, await cpu.stop());
  for (const w of workers) await stack.procs.stop(w);
  return figures;
}

async function bareTemporal(stack: BenchStack, target: SimTarget) {
  const taskQueue = 'bench-bare';
  const worker = stack.spawnScript('bare-worker', path.join(__dirname, 'baselines', 'bare-worker.ts'), {
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TASK_QUEUE: taskQueue,
    ...simTargetEnv(target),
  });
  await stack.waitForPoller(taskQueue, worker);
  const client = new Client({ connection: stack.connection, namespace: NAMESPACE });

  const run = async (workflowType: 'bareSend' | 'bareSendLocal', prefix: string, n: number) => {
    const inputs: BareInput[] = Array.from({ length: n }, (_, i) => ({ to: recipient(3, i), body: `Your parcel ${marked(`m-${prefix}-${i}`)} is on its way` }));
    const cpu = await measureCpu(cpuGroups(stack, { worker: [worker] }));
    const t0 = Date.now();
    await runPool(inputs, CONCURRENCY, async (args, i) => {
      await client.workflow.start(workflowType, { taskQueue, workflowId: `${prefix}-${i}`, args: [args] });
    });
    const atSim = await received(stack, `m-${prefix}-`, n, 10 * 60_000);
    const rate = perSecond(n, t0, lastReceived(atSim));
    // Wait for the last workflow tasks too, so the next phase starts on an idle server.
    for (let running = 1; running > 0; ) {
      running = (await client.workflow.count(`WorkflowType = "${workflowType}" AND ExecutionStatus = "Running"`)).count;
      if (running > 0) await new Promise((r) => setTimeout(r, 500));
    }
    if (n === N) reportCpu(`bare Temporal (${workflowType})`, n, Date.now() - t0, await cpu.stop());
    else await cpu.stop();
    await stack.sim.reset();
    return rate;
  };

  await run('bareSend', 'bare-warm', WARM_UP);
  const bare = await run('bareSend', 'bare', N);
  say(`bare Temporal (workflow + activity): ${round(bare)}/s`);
  let bareLocal: number | undefined;
  if (process.env.BENCH_BARE_LOCAL !== '0') {
    bareLocal = await run('bareSendLocal', 'bare-local', N);
    say(`bare Temporal (workflow + local activity): ${round(bareLocal)}/s`);
  }
  await stack.procs.stop(worker);
  return { bare, bareLocal };
}

async function pgBoss(stack: BenchStack, target: SimTarget) {
  const producer = new PgBoss({ connectionString: stack.databaseUrl, supervise: false, schedule: false });
  producer.on('error', (err) => console.error(err));
  const notify = () => stack.db.query('SELECT pg_notify($1, $2)', [PGBOSS_NOTIFY_CHANNEL, '']);

  let producerStarted = false;
  type Produce = (queue: string, jobs: Array<{ to: string; body: string }>) => Promise<void>;
  const run = async (name: string, workers: number, batch: number, produce: Produce) => {
    const queue = `bench-${name}`;
    const consumer = stack.spawnScript(`pgboss-${name}`, path.join(__dirname, 'baselines', 'pgboss-worker.ts'), {
      DATABASE_URL: stack.databaseUrl,
      QUEUE: queue,
      WORKERS: String(workers),
      BATCH: String(batch),
      ...simTargetEnv(target),
    });
    const deadline = Date.now() + 60_000;
    while (!/^ready$/m.test(readFileSync(consumer.logFile, 'utf8'))) {
      if (consumer.child.exitCode !== null || Date.now() > deadline) throw new Error(`pg-boss consumer did not start:\n${readFileSync(consumer.logFile, 'utf8')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!producerStarted) {
      await producer.start();
      producerStarted = true;
    }
    const jobs = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ to: recipient(4, i), body: `Your parcel ${marked(`m-${prefix}-${i}`)} is on its way` }));
    const measure = async (prefix: string, n: number) => {
      const cpu = await measureCpu(cpuGroups(stack, { consumer: [consumer] }));
      const t0 = Date.now();
      await produce(queue, jobs(prefix, n));
      const atSim = await received(stack, `m-${prefix}-`, n, 10 * 60_000);
      const usage = await cpu.stop();
      if (n === N) reportCpu(`pg-boss ${name} (the bench client is the producer)`, n, Date.now() - t0, usage);
      await stack.sim.reset();
      return perSecond(n, t0, lastReceived(atSim));
    };
    await measure(`${name}-warm`, WARM_UP);
    const rate = await measure(name, N);
    await stack.procs.stop(consumer);
    return rate;
  };

  // What an outbox relay does per request: one job, one NOTIFY.
  const send = await run('send', 4, 1, async (queue, jobs) => {
    await runPool(jobs, CONCURRENCY, async (data) => {
      await producer.send(queue, data);
      await notify();
    });
  });
  say(`pg-boss, send() + NOTIFY per message, 4 workers fetching 1 job: ${round(send)}/s`);
  const tuned = await run('tuned', 2, 100, async (queue, jobs) => {
    for (let i = 0; i < jobs.length; i += 500) {
      await producer.insert(jobs.slice(i, i + 500).map((data) => ({ name: queue, data })));
      await notify();
    }
  });
  say(`pg-boss tuned, insert() batches of 500 + NOTIFY, 2 workers fetching 100 jobs: ${round(tuned)}/s`);
  await producer.stop({ graceful: false, wait: true });
  return { send, tuned };
}

async function ratePhase(stack: BenchStack) {
  const perSender = R * RATE_SECONDS;
  say(`rate: senders ${SMS} and ${WHATSAPP} limited to ${R}/s at the simulator, ${perSender} messages each in one burst, two worker processes`);
  const workers = [await stack.startWorker('rate-worker-a', { senders: RATE_SENDERS }), await stack.startWorker('rate-worker-b', { senders: RATE_SENDERS })];
  await stack.sim.reset();
  await stack.sim.setFaults({ senderRates: { [SMS]: R, [WHATSAPP]: R } });
  const messages = Array.from({ length: 2 * perSender }, (_, i) => relayMessage('rate', i, i % 2 ? 'whatsapp' : 'sms', 5));
  const t0 = Date.now();
  const posted = await postAll(stack, messages);
  say(`rate: the API accepted ${posted.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await received(stack, 'm-rate-', messages.length, (RATE_SECONDS * 4 + 120) * 1000);
  const stats = await stack.sim.rateStats('received');
  for (const s of stats) say(`rate: ${s.sender} sent ${s.count} at ${round(s.achievedPerSecond ?? 0, 2)}/s (limit ${s.limit}), at most ${s.maxInAnyWindow} in one second, ${s.overLimit} above the limit`);
  // How evenly they arrived: gaps between consecutive messages of a sender, against the 1/R spacing.
  for (const sender of [SMS, WHATSAPP]) {
    const times = (await stack.sim.messages({ sender })).map((m) => m.receivedAt).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const spacing = 1000 / R;
    // When, after the sender's first message, a one-second window went over R (seconds).
    const over: number[] = [];
    for (let hi = 0, lo = 0; hi < times.length; hi++) {
      while (times[lo]! <= times[hi]! - 1000) lo++;
      if (hi - lo + 1 > R) over.push(Math.floor((times[hi]! - times[0]!) / 1000));
    }
    say(
      `rate: ${sender} gaps p1 ${percentile(gaps, 1)} ms, p50 ${percentile(gaps, 50)} ms, p99 ${percentile(gaps, 99)} ms; ` +
        `${gaps.filter((g) => g < spacing / 2).length} of ${gaps.length} under half the ${round(spacing)} ms spacing` +
        (over.length ? `; over the limit at second(s) ${[...new Set(over)].join(', ')}` : ''),
    );
  }
  const rows = await stack.db.query<{ attempts: number; n: string }>("SELECT attempts, count(*) AS n FROM notification WHERE id LIKE 'rate-%' GROUP BY attempts ORDER BY attempts");
  say(`rate: send attempts per notification ${rows.rows.map((r) => `${r.attempts}: ${r.n}`).join(', ')}`);
  const limited = stats.filter((s) => s.sender === SMS || s.sender === WHATSAPP);
  for (const w of workers) await stack.procs.stop(w);
  return {
    rate_fraction: round(Math.min(...limited.map((s) => (s.achievedPerSecond ?? 0) / R)), 3),
    over_limit: limited.reduce((acc, s) => acc + s.overLimit, 0),
  };
}

async function bench(stack: BenchStack): Promise<void> {
  const started = Date.now();
  const api = await stack.startApi({ senders: FAST_SENDERS, nodeArgs: PROFILE_ARGS });
  const target: SimTarget = { url: stack.sim.url, accountSid: stack.sim.accountSid, authToken: stack.sim.authToken, from: SMS };
  // Sanity: the baselines' call reaches the simulator.
  await postToSimulator(target, recipient(8, 0), 'ping');
  await stack.sim.reset();

  // Pacing first, on a quiet server: run after the throughput phases (thousands of workflows in
  // the dev server's one SQLite file), tasks and timers came late by seconds at times, and each
  // late send gave its slot up (a rate fraction of 0.81 instead of about 0.95 here).
  const rate = PHASES.has('rate') ? await ratePhase(stack) : undefined;
  const relay = PHASES.has('relay') ? await relayThroughput(stack, api) : undefined;
  const bare = PHASES.has('bare') ? await bareTemporal(stack, target) : undefined;
  const boss = PHASES.has('pgboss') ? await pgBoss(stack, target) : undefined;

  say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const ratio = (a: number | undefined, b: number | undefined, digits: number) => (a !== undefined && b ? round(a / b, digits) : null);
  const result = {
    n: N,
    relay_per_s: relay?.relay_per_s ?? null,
    api_accept_p99_ms: relay?.api_accept_p99_ms ?? null,
    temporal_bare_per_s: bare ? round(bare.bare) : null,
    ratio_engine: ratio(relay?.relay_per_s, bare?.bare, 2),
    pgboss_send_per_s: boss ? round(boss.send) : null,
    pgboss_tuned_per_s: boss ? round(boss.tuned) : null,
    ratio_send: ratio(relay?.relay_per_s, boss?.send, 3),
    ratio_tuned: ratio(relay?.relay_per_s, boss?.tuned, 3),
    p50_ms: relay?.p50_ms ?? null,
    p99_ms: relay?.p99_ms ?? null,
    rate_fraction: rate?.rate_fraction ?? null,
    over_limit: rate?.over_limit ?? null,
  };
  if (bare?.bareLocal !== undefined) say(`Relay / bare Temporal with a local activity: ${ratio(relay?.relay_per_s, bare.bareLocal, 2)}`);
  console.log(JSON.stringify(result));
}

withStack('bench', { contentTemplates: { [TEMPLATE]: 'Your appointment {{1}} is confirmed for {{2}}' } }, bench).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
