import { CancelledFailure } from '@temporalio/common';
import { budgetStatus, ExactRateBudget, type ExactCallLimits } from '../../src/db/company-sync/rate-budget';
import { createPrismaClient } from '../../src/db/prisma';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { ExactClient } from '../../src/integrations/exact/client';
import { ExactBudgetExhausted } from '../../src/integrations/exact/errors';
import { ExactOAuthClient, ExactTokenManager } from '../../src/integrations/exact/oauth';
import { createExactSimulator, type ExactSimulator } from '../../src/integrations/exact/simulator';
import { waitFor } from '../helpers/wait';
import { type ExactTestDatabase, exactTestDatabase, silentLogger, simConnection, testKey, testSealer } from './fixtures/exact-test-env';

const MINUTE = 60_000;

/**
 * Exact's per-division limits held in PostgreSQL for every worker: the minutely limit kept across concurrent
 * callers in separate pools (as separate processes have), Exact's headers noted, a 429 waited out until Exact's
 * reset without a burst, and a spent day ending the run with `ExactBudgetExhausted` and when to come back.
 * The minute tests wait for a real clock minute: Exact's window is the clock minute.
 */
describe('company sync: Exact call budget per division', () => {
  const logger = silentLogger();
  const sealer = testSealer(testKey());
  const divisions = [512001, 512002, 512003, 512004, 512005, 512006, 512007];
  const [D_LIMIT, D_HEADERS, D_429, D_DAY, D_EXACT_DAY, D_CANCEL, D_DAY_429] = divisions as [number, number, number, number, number, number, number];
  let db: ExactTestDatabase;
  let second: PrismaClient;
  let sim: ExactSimulator;
  let tokens: ExactTokenManager;
  let connectionId: string;

  beforeAll(async () => {
    db = await exactTestDatabase('exact_budget');
    second = createPrismaClient(db.url);
    sim = await createExactSimulator({ divisions });
    for (const d of divisions) sim.seed(d, 3, d);
    const oauth = new ExactOAuthClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, redirectUri: 'http://127.0.0.1/cb' }, { logger });
    tokens = new ExactTokenManager({ prisma: db.prisma, sealer, oauth, logger, clock: () => sim.now() });
    connectionId = await simConnection(db.prisma, sealer, sim);
  });
  afterAll(async () => {
    await second?.$disconnect();
    await sim?.close();
    await db?.drop();
  });

  const clientFor = (division: number, limits: ExactCallLimits, prisma: PrismaClient = db.prisma, maxWaitMs?: number) =>
    new ExactClient({ baseUrl: sim.url, division, tokens: tokens.tokenSource(connectionId), budget: new ExactRateBudget({ prisma, limits, maxWaitMs, logger }), logger });
  const anyId = (division: number) => sim.accounts(division)[0]!.ID;
  const divisionStats = (division: number) => sim.stats().divisions.find((d) => d.division === division)!;

  it('holds the minutely limit across many concurrent callers in two pools, the rest waiting for the next minute', async () => {
    const limit = 10;
    const calls = 16;
    sim.setLimits({ minutely: limit });
    const limits = { minuteLimit: limit, dayLimit: 5_000 };
    const clients = [clientFor(D_LIMIT, limits), clientFor(D_LIMIT, limits, second)];
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => clients[i % 2]!.getAccount(anyId(D_LIMIT))));
    expect(results.every((r) => r !== null)).toBe(true);

    const made = sim.calls({ division: D_LIMIT });
    expect(made.map((c) => c.status)).toEqual(Array(calls).fill(200));
    expect(divisionStats(D_LIMIT).overLimit).toBe(0);
    const perMinute = new Map<number, number>();
    for (const c of made) perMinute.set(Math.floor(c.at / MINUTE), (perMinute.get(Math.floor(c.at / MINUTE)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(limit);
    // The first minute's calls went at once; the others no earlier than the next minute.
    expect(perMinute.size).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeLessThan(2 * MINUTE);
  }, 150_000);

  it('notes Exact’s headers: Exact’s count wins over Relay’s, and what it reports for the day is kept', async () => {
    sim.setLimits({ minutely: 60 });
    const client = clientFor(D_HEADERS, { minuteLimit: 60, dayLimit: 5_000 });
    await client.getAccount(anyId(D_HEADERS));
    // Calls Relay did not make (another app of the same key, a script): only Exact's headers tell.
    const token = await tokens.accessToken(connectionId);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${sim.url}/api/v1/${D_HEADERS}/crm/Accounts?$select=ID&$top=1`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      expect(res.status).toBe(200);
    }
    await client.getAccount(anyId(D_HEADERS));
    const last = sim.calls({ division: D_HEADERS }).at(-1)!;
    const usage = sim.engine.rates.usage(sim.now()).find((u) => u.key.endsWith(`|${D_HEADERS}`))!;
    const status = await budgetStatus(db.prisma, D_HEADERS);
    if (Math.floor(last.at / MINUTE) === Math.floor(sim.calls({ division: D_HEADERS })[0]!.at / MINUTE)) {
      expect(usage.minuteUsed).toBe(6);
    }
    expect(status.minuteRemaining).toBe(60 - usage.minuteUsed);
    expect(status.reportedDailyRemaining).toBe(5_000 - usage.dayUsed);
    expect(status.dayRemaining).toBe(5_000 - usage.dayUsed);
    expect(status.blockedUntil).toBeNull();
  });

  it('answers a 429 by blocking the division until Exact’s reset: the call goes again only then, and no caller bursts', async () => {
    sim.setFaults({ rateLimit429: { next: 1, path: `/${D_429}/crm/Accounts` } });
    const limits = { minuteLimit: 60, dayLimit: 5_000 };
    const client = clientFor(D_429, limits);
    const first = client.getAccount(anyId(D_429));
    const refused = await waitFor('the 429', () => sim.calls({ division: D_429, status: 429 })[0]);
    const resetAt = (Math.floor(refused.at / MINUTE) + 1) * MINUTE;
    await waitFor('the block', async () => ((await budgetStatus(db.prisma, D_429)).blockedUntil ? true : undefined));
    expect((await budgetStatus(db.prisma, D_429)).blockedUntil!.getTime()).toBe(resetAt);
    // Callers arriving during the block, in another pool too, wait for the reset as well.
    const others = Array.from({ length: 4 }, (_, i) => clientFor(D_429, limits, i % 2 ? second : db.prisma).getAccount(anyId(D_429)));
    await expect(Promise.all([first, ...others])).resolves.toHaveLength(5);

    const made = sim.calls({ division: D_429 });
    expect(made.map((c) => c.status)).toEqual([429, 200, 200, 200, 200, 200]);
    for (const c of made.slice(1)) expect(c.at).toBeGreaterThanOrEqual(resetAt);
    expect(divisionStats(D_429).overLimit).toBe(0);
  }, 150_000);

  it('ends a run whose day is spent by Relay’s count with ExactBudgetExhausted and when to resume; nothing more reaches Exact', async () => {
    const client = clientFor(D_DAY, { minuteLimit: 60, dayLimit: 3 });
    for (let i = 0; i < 3; i++) await client.getAccount(anyId(D_DAY));
    const before = Date.now();
    const err = await client.getAccount(anyId(D_DAY)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExactBudgetExhausted);
    const spent = err as ExactBudgetExhausted;
    expect(spent).toMatchObject({ scope: 'daily', type: 'ExactBudgetExhausted', nonRetryable: true });
    expect(spent.retryAtMs).toBeGreaterThan(before + MINUTE);
    expect(spent.retryAtMs).toBeLessThanOrEqual(before + 24 * 60 * MINUTE + MINUTE);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(sim.calls({ division: D_DAY })).toHaveLength(3);
    expect(await budgetStatus(db.prisma, D_DAY)).toMatchObject({ dayRemaining: 0, dayLimit: 3 });
  });

  it('ends the run when Exact says the day is spent (none remaining, or a 429), until Exact’s reset', async () => {
    sim.setLimits({ daily: 2 });
    try {
      const dayEnd = () => (Math.floor(sim.now() / (24 * 60 * MINUTE)) + 1) * 24 * 60 * MINUTE;
      // Exact's headers report none left for the day: no further call is made, not even one to be refused.
      const client = clientFor(D_EXACT_DAY, { minuteLimit: 60, dayLimit: 5_000 });
      await client.getAccount(anyId(D_EXACT_DAY));
      await client.getAccount(anyId(D_EXACT_DAY));
      const err = await client.getAccount(anyId(D_EXACT_DAY)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExactBudgetExhausted);
      expect(Math.abs((err as ExactBudgetExhausted).retryAtMs - dayEnd())).toBeLessThan(5_000);
      expect(sim.calls({ division: D_EXACT_DAY }).map((c) => c.status)).toEqual([200, 200]);

      // The day spent by calls Relay did not make: the first call is refused (429, daily headers only) and ends the run.
      const token = await tokens.accessToken(connectionId);
      for (let i = 0; i < 2; i++) {
        await fetch(`${sim.url}/api/v1/${D_DAY_429}/crm/Accounts?$select=ID&$top=1`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      }
      const other = clientFor(D_DAY_429, { minuteLimit: 60, dayLimit: 5_000 });
      const refused = await other.getAccount(anyId(D_DAY_429)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ExactBudgetExhausted);
      expect(refused).toMatchObject({ scope: 'daily' });
      expect(Math.abs((refused as ExactBudgetExhausted).retryAtMs - dayEnd())).toBeLessThan(5_000);
      await expect(other.getAccount(anyId(D_DAY_429))).rejects.toBeInstanceOf(ExactBudgetExhausted);
      expect(sim.calls({ division: D_DAY_429 }).map((c) => c.status)).toEqual([200, 200, 429]);
      expect((await budgetStatus(db.prisma, D_DAY_429)).blockedUntil?.getTime()).toBe(dayEnd());
    } finally {
      sim.setLimits({ daily: 5_000 });
    }
  });

  it('stops waiting for the budget as soon as the caller is cancelled', async () => {
    const budget = new ExactRateBudget({ prisma: db.prisma, limits: { minuteLimit: 1, dayLimit: 5_000 }, logger });
    await budget.take(D_CANCEL);
    const controller = new AbortController();
    const waiting = budget.take(D_CANCEL, { signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    await expect(waiting).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(2_000);
    // With no wait allowed, the spent minute is reported at once.
    await expect(budget.take(D_CANCEL, { maxWaitMs: 0 })).rejects.toMatchObject({ scope: 'minutely' });
  });
});
