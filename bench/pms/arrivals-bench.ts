/**
 * `npm run bench:arrivals [-- --properties N] [--vendors mews,opera-cloud,...] [--scale M] [--chain S] [--workers W]`
 *
 * One arrivals poll round through the real schedules' workflow. N properties (default 500) are
 * spread over the PMS simulators present (all registered vendors by default), each simulator
 * enforcing its vendor's real limit at its real scope: properties of one vendor whose limit spans
 * hotels share a credential in chains of S (default 100: a Mews portfolio token), the others
 * hold their own. Every property's schedule is triggered at once; the round
 * ends when each has polled. Then the same round runs again with M properties (default 5 000;
 * 0 skips it) to show how the cost grows. Prints figures as it goes; the last line is
 * `{"properties":…,"polled":…,"wall_s":…,"vendor_calls":…,"over_limit":…,"worker_cpu_s":…,"peak_rss_mb":…,"wall_s_5000":…,"worker_cpu_s_5000":…}`.
 * Asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { type SimHotel, SimulatorControl, type SimStats } from '../../src/integrations/pms/simulator-control';
import type { AnyPmsVendor } from '../../src/integrations/pms/vendor';
import { arrivalsScheduleId } from '../../src/temporal/starters/pms-schedules';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { backendPids, measureCpu } from '../lib/cpu';
import { round, runPool } from '../lib/load';
import { NAMESPACE, say } from '../lib/stack';
import { type BenchStack, withStack } from '../lib/twilio-stack';

interface Options {
  properties: number;
  vendors: string[];
  scale: number;
  chain: number;
  workers: number;
}

/**
 * Where a vendor's limit spans hotels and a group of hotels shares one credential: what makes a new
 * hotel join its chain's (each simulator's own extension). Mews counts per access token and a
 * portfolio token serves a chain; Clock counts per API user, which Clock issues per hotel.
 */
const SHARED_CREDENTIAL: Record<string, (first: SimHotel) => Record<string, unknown>> = {
  mews: (h) => ({ accessToken: h.credentials.accessToken }),
};

const PLACES = [
  { timezone: 'Europe/Amsterdam', country: 'NL' },
  { timezone: 'Europe/London', country: 'GB' },
  { timezone: 'Europe/Berlin', country: 'DE' },
  { timezone: 'America/New_York', country: 'US' },
  { timezone: 'Asia/Tokyo', country: 'JP' },
];

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { properties: 500, vendors: PMS_VENDORS.map((v) => v.key), scale: 5_000, chain: 100, workers: 1 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--vendors') o.vendors = value.split(',').map((v) => v.trim()).filter(Boolean);
    else if (flag === '--properties' || flag === '--scale' || flag === '--chain' || flag === '--workers') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} takes a whole number, got "${value}"`);
      o[flag.slice(2) as 'properties' | 'scale' | 'chain' | 'workers'] = n;
    } else throw new Error(`unknown option ${flag} (known: --properties, --vendors, --scale, --chain, --workers)`);
  }
  const unknown = o.vendors.filter((v) => !PMS_VENDORS.some((d) => d.key === v));
  if (unknown.length) throw new Error(`--vendors: unknown ${unknown.join(', ')} (registered: ${PMS_VENDORS.map((v) => v.key).join(', ')})`);
  if (o.properties < 1 || o.chain < 1 || o.workers < 1) throw new Error('--properties, --chain and --workers must be at least 1');
  return o;
}

interface Simulated {
  vendor: AnyPmsVendor;
  url: string;
  port: number;
  control: SimulatorControl;
  close(): Promise<void>;
  /** The credential of the chain being filled (vendors whose limit spans hotels). */
  chainFirst?: SimHotel;
  chainCount: number;
}

interface Round {
  properties: number;
  polled: number;
  failed: number;
  wallS: number;
  vendorCalls: number;
  overLimit: number;
  workerCpuS: number;
  dbCpuS: number;
  /** Requests and requests over the limit per vendor in this round. */
  byVendor: Record<string, { requests: number; overLimit: number }>;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const sims: Simulated[] = [];
  for (const key of options.vendors) {
    const vendor = PMS_VENDORS.find((v) => v.key === key)!;
    const port = await freePort();
    const sim = await vendor.simulator.start({ port });
    sims.push({ vendor, url: sim.url, port, control: new SimulatorControl(sim.url), close: sim.close, chainCount: 0 });
  }
  say(`PMS simulators: ${sims.map((s) => `${s.vendor.key} ${s.url}`).join(', ')}`);
  try {
    await withStack('arrivals', {}, async (stack) => run(stack, options, sims));
  } finally {
    await Promise.all(sims.map((s) => s.close()));
  }
}

async function run(stack: BenchStack, options: Options, sims: Simulated[]): Promise<void> {
  const operatorKey = `op${stack.apiKey}`;
  const env = {
    // Demo settings pointed at the simulators started above; RELAY_DEMO opts a production build into them.
    RELAY_DEMO: 'true',
    RELAY_API_KEYS: `bench:service:${stack.apiKey},bench-operator:operator:${operatorKey}`,
    ...Object.fromEntries(sims.map((s) => [s.vendor.simulator.portVariable, String(s.port)])),
  };
  const senders = 'sms:+31970102000@1000';
  await stack.startApi({ senders, env });
  const workers = [];
  for (let i = 0; i < options.workers; i++) workers.push(await stack.startWorker(`worker-${i}`, { senders, env }));
  say(`API and ${workers.length} worker(s) up`);
  const client = new Client({ connection: stack.connection, namespace: NAMESPACE });
  const api = (method: string, path: string, body?: unknown) => apiCall(stack.apiUrl, operatorKey, method, path, body);

  const ids: string[] = [];
  const first = await addProperties(api, sims, options, ids, options.properties);
  const small = await pollRound(stack, client, sims, workers.map((w) => w.child.pid!), first);
  report(`${small.properties} properties`, small);
  let large: Round | undefined;
  if (options.scale > options.properties) {
    await addProperties(api, sims, options, ids, options.scale - options.properties);
    large = await pollRound(stack, client, sims, workers.map((w) => w.child.pid!), ids);
    report(`${large.properties} properties`, large);
    say(`worker CPU per property: ${round((small.workerCpuS / small.properties) * 1000, 2)} ms at ${small.properties}, ${round((large.workerCpuS / large.properties) * 1000, 2)} ms at ${large.properties}`);
  }
  const peakRssMb = Math.max(...workers.map((w) => peakRss(w.child.pid!)));
  console.log(
    JSON.stringify({
      properties: small.properties,
      polled: small.polled,
      wall_s: small.wallS,
      vendor_calls: small.vendorCalls,
      over_limit: small.overLimit,
      worker_cpu_s: small.workerCpuS,
      peak_rss_mb: peakRssMb,
      wall_s_5000: large?.wallS ?? null,
      worker_cpu_s_5000: large?.workerCpuS ?? null,
    }),
  );
}

/** Seeds `count` hotels over the simulators (round robin) and creates their properties through Relay's API. */
async function addProperties(api: ApiCall, sims: Simulated[], options: Options, ids: string[], count: number): Promise<string[]> {
  const start = ids.length;
  const made: string[] = [];
  const t0 = Date.now();
  // Hotels first, in order (a chain's first hotel issues the credential the next ones share).
  const hotels: Array<{ sim: Simulated; hotel: SimHotel; place: (typeof PLACES)[number]; n: number }> = [];
  for (let i = start; i < start + count; i++) {
    const sim = sims[i % sims.length]!;
    const place = PLACES[Math.floor(i / sims.length) % PLACES.length]!;
    const share = SHARED_CREDENTIAL[sim.vendor.key];
    const joins = share && sim.chainFirst && sim.chainCount < options.chain;
    const hotel = await sim.control.addHotel({ name: `Bench ${sim.vendor.key} ${i}`, ...place, rooms: 40, arrivalsPerDay: 8, seed: i, ...(joins ? share(sim.chainFirst!) : {}) } as Parameters<SimulatorControl['addHotel']>[0]);
    if (share && !joins) [sim.chainFirst, sim.chainCount] = [hotel, 0];
    sim.chainCount++;
    hotels.push({ sim, hotel, place, n: i });
  }
  await runPool(hotels, 8, async ({ sim, hotel, place, n }) => {
    const created = (await api('POST', '/v1/properties', {
      vendor: sim.vendor.key,
      name: `Bench ${sim.vendor.key} ${n}`,
      vendorPropertyId: hotel.vendorPropertyId,
      ...place,
      credentials: hotel.credentials,
      // The round triggers every schedule itself; their own interval stays out of the way.
      pollIntervalSeconds: 86_400,
    })) as { id: string };
    made.push(created.id);
  });
  ids.push(...made);
  say(`${count} properties created in ${round((Date.now() - t0) / 1000)} s (${ids.length} in all)`);
  return made;
}

/** Triggers every property's schedule and waits until each has polled; the figures of that round. */
async function pollRound(stack: BenchStack, client: Client, sims: Simulated[], workerPids: number[], ids: readonly string[]): Promise<Round> {
  const before = await statsOf(sims);
  const cpu = await measureCpu({ worker: () => workerPids, postgres: () => backendPids(stack.db, stack.databaseName) });
  const started = new Date();
  const t0 = performance.now();
  await runPool(ids, 16, async (id) => {
    await client.schedule.getHandle(arrivalsScheduleId(id)).trigger();
  });
  say(`${ids.length} schedules triggered in ${round((performance.now() - t0) / 1000)} s`);
  let state = { polled: 0, failed: 0 };
  for (let last = 0; ; ) {
    state = await pollState(stack, ids, started);
    if (state.polled + state.failed >= ids.length) break;
    if (Date.now() - last > 15_000) {
      say(`  ${state.polled} polled, ${state.failed} failed, ${ids.length - state.polled - state.failed} to go`);
      last = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const wallS = round((performance.now() - t0) / 1000);
  const used = await cpu.stop();
  const after = await statsOf(sims);
  return {
    properties: ids.length,
    polled: state.polled,
    failed: state.failed,
    wallS,
    vendorCalls: after.requests - before.requests,
    overLimit: after.overLimit - before.overLimit,
    workerCpuS: round(used.worker ?? 0),
    dbCpuS: round(used.postgres ?? 0),
    byVendor: Object.fromEntries(
      sims.map((s) => {
        const [a, b] = [after.byVendor[s.vendor.key]!, before.byVendor[s.vendor.key]!];
        return [s.vendor.key, { requests: a.requests - b.requests, overLimit: a.overLimit - b.overLimit }];
      }),
    ),
  };
}

async function pollState(stack: BenchStack, ids: readonly string[], since: Date): Promise<{ polled: number; failed: number }> {
  const { rows } = await stack.db.query<{ polled: string; failed: string }>(
    `SELECT count(*) FILTER (WHERE last_poll_ok_at >= $2) AS polled,
            count(*) FILTER (WHERE last_poll_at >= $2 AND (last_poll_ok_at IS NULL OR last_poll_ok_at < $2)) AS failed
       FROM pms_properties WHERE id = ANY($1::uuid[])`,
    [ids, since],
  );
  return { polled: Number(rows[0]!.polled), failed: Number(rows[0]!.failed) };
}

async function statsOf(sims: Simulated[]): Promise<{ requests: number; overLimit: number; byVendor: Record<string, SimStats> }> {
  const byVendor: Record<string, SimStats> = {};
  for (const s of sims) byVendor[s.vendor.key] = await s.control.stats();
  const all = Object.values(byVendor);
  return { requests: all.reduce((n, s) => n + s.requests, 0), overLimit: all.reduce((n, s) => n + s.overLimit, 0), byVendor };
}

function report(label: string, r: Round): void {
  say(
    `${label}: ${r.polled} polled, ${r.failed} failed in ${r.wallS} s; ${r.vendorCalls} vendor calls, ${r.overLimit} over a vendor's limit; ` +
      `worker CPU ${r.workerCpuS} s (${round((r.workerCpuS / r.properties) * 1000, 2)} ms per property), PostgreSQL CPU ${r.dbCpuS} s (${round((r.dbCpuS / r.properties) * 1000, 2)} ms per property)`,
  );
  say(`  per vendor: ${JSON.stringify(r.byVendor)}`);
}

/** The process's peak resident memory (VmHWM), in MB. */
function peakRss(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : 0;
}

type ApiCall = (method: string, path: string, body?: unknown) => Promise<unknown>;

async function apiCall(base: string, key: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
