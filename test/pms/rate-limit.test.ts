import { randomUUID } from 'node:crypto';
import { createPrismaClient } from '../../src/db/prisma';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { pausePmsCalls } from '../../src/db/pms/call-pauses';
import { PmsRateLimiter, releasePmsCall, takePmsCall, windowMargin } from '../../src/db/pms/rate-limit';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { pmsArrivalsWorkflow } from '../../src/workflows/pms/arrivals';
import { testConfig, uniqueId } from '../helpers/relay';
import { waitFor } from '../helpers/wait';
import { addArrival, addProperty, usePmsRelay } from '../helpers/pms';

/**
 * A vendor's call limit held at its scope in PostgreSQL (relay_take_pms_call): a sliding window
 * by the database's clock that every worker process counts against, so that no window of the
 * vendor's ever sees more than its limit whichever process sends.
 */
describe('PMS call limits per vendor scope', () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrismaClient(testConfig().databaseUrl);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('takes calls up to the limit, then names the wait until the oldest leaves the window', async () => {
    const scope = { vendor: 'test', key: `test:${randomUUID()}`, limit: 3, windowMs: 2_000 };
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await takePmsCall(prisma, scope));
    for (const t of taken) await releasePmsCall(prisma, scope, t.slot!);
    const refused = await takePmsCall(prisma, scope);
    expect(taken.map((t) => t.waitMs)).toEqual([0, 0, 0]);
    expect(new Set(taken.map((t) => t.slot)).size).toBe(3);
    expect(refused.slot).toBeNull();
    expect(refused.waitMs).toBeGreaterThan(scope.windowMs - 500);
    expect(refused.waitMs).toBeLessThanOrEqual(scope.windowMs + windowMargin(scope.windowMs));
    const row = await prisma.pmsRateScope.findUniqueOrThrow({ where: { key: scope.key } });
    expect(row).toMatchObject({ callLimit: 3, calls: expect.any(Array) });
    expect(row.calls).toHaveLength(3);
  });

  it('holds a call in the window until its answer returns, then for one window after it', async () => {
    // The vendor counts a request when it arrives, which may be long after it was let go: a
    // call that has not answered yet still fills its place, however long ago it was taken.
    const scope = { vendor: 'test', key: `test:${randomUUID()}`, limit: 1, windowMs: 200 };
    const limiter = new PmsRateLimiter({ prisma });
    let answer!: () => void;
    const slow = limiter.within(scope, () => new Promise<void>((resolve) => (answer = resolve)));
    await waitFor('the slow call taken', async () => ((await prisma.pmsRateScope.findUnique({ where: { key: scope.key } }))?.calls.length === 1 ? true : undefined));
    await sleep(scope.windowMs * 3);
    const whileInFlight = await takePmsCall(prisma, scope);
    expect(whileInFlight.slot).toBeNull();
    // A call still in flight leaves no sooner than a full window after now.
    expect(whileInFlight.waitMs).toBeGreaterThanOrEqual(scope.windowMs);
    answer();
    await slow;
    const answeredAt = Date.now();
    await limiter.within(scope, async () => undefined);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(scope.windowMs - 25);
  });

  it('releases a call whose request failed, and ages out the call of a worker that died mid-request', async () => {
    const scope = { vendor: 'test', key: `test:${randomUUID()}`, limit: 1, windowMs: 100 };
    const limiter = new PmsRateLimiter({ prisma });
    await expect(limiter.within(scope, () => Promise.reject(new Error('connection reset')))).rejects.toThrow('connection reset');
    const row = await prisma.pmsRateScope.findUniqueOrThrow({ where: { key: scope.key } });
    expect(row.calls[0]!.getTime()).toBeLessThanOrEqual(Date.now() + 50);
    // Taken and never released (the process died): held for the hold, then one window.
    const dead = { ...scope, key: `test:${randomUUID()}` };
    expect((await takePmsCall(prisma, dead, 300)).slot).not.toBeNull();
    expect((await takePmsCall(prisma, dead, 300)).slot).toBeNull();
    const started = Date.now();
    await limiter.within(dead, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  describe('a vendor that refuses every call for a while', () => {
    const vendor = () => `v${randomUUID().slice(0, 8)}`;
    const refusal = (scope: 'vendor' | 'rate-scope', ms: number) =>
      ApplicationFailure.create({ type: 'VendorUnavailable', message: 'banned', details: [{ pauseCalls: { scope, ms } }] });

    it('pauses every scope of the vendor in every worker, and sends nothing until the pause ends', async () => {
      const v = vendor();
      const [a, b] = [1, 2].map((n) => ({ vendor: v, key: `${v}:${n}:${randomUUID()}`, limit: 5, windowMs: 1_000 }));
      const other = { vendor: vendor(), key: `other:${randomUUID()}`, limit: 5, windowMs: 1_000 };
      const otherWorker = createPrismaClient(testConfig().databaseUrl);
      try {
        await expect(new PmsRateLimiter({ prisma }).within(a!, () => Promise.reject(refusal('vendor', 60_000)))).rejects.toThrow('banned');
        const send = jest.fn(async () => 'sent');
        const paused = await new PmsRateLimiter({ prisma: otherWorker }).within(b!, send).catch((e: unknown) => e);
        expect(send).not.toHaveBeenCalled();
        expect(paused).toBeInstanceOf(ApplicationFailure);
        expect(paused).toMatchObject({ type: 'PmsUnavailable', nonRetryable: false });
        // Temporal retries when the pause ends, not before.
        expect(Number((paused as ApplicationFailure).nextRetryDelay)).toBeGreaterThan(55_000);
        expect(Number((paused as ApplicationFailure).nextRetryDelay)).toBeLessThanOrEqual(60_000);
        await expect(new PmsRateLimiter({ prisma }).within(other, send)).resolves.toBe('sent');
        const row = await prisma.pmsCallPause.findUniqueOrThrow({ where: { key: `${v}:*` } });
        expect(row.reason).toContain('banned');
      } finally {
        await otherWorker.$disconnect();
      }
    });

    it('pauses only its own scope when the refusal says so, ends on time, and never shortens a longer pause', async () => {
      const v = vendor();
      const [a, b] = [1, 2].map((n) => ({ vendor: v, key: `${v}:${n}:${randomUUID()}`, limit: 5, windowMs: 1_000 }));
      const limiter = new PmsRateLimiter({ prisma });
      await expect(limiter.within(a!, () => Promise.reject(refusal('rate-scope', 400)))).rejects.toThrow('banned');
      await expect(limiter.within(a!, async () => 'sent')).rejects.toMatchObject({ type: 'PmsUnavailable' });
      await expect(limiter.within(b!, async () => 'sent')).resolves.toBe('sent');
      await sleep(450);
      await expect(limiter.within(a!, async () => 'sent')).resolves.toBe('sent');

      const long = await pausePmsCalls(prisma, b!.key, 60_000, 'long');
      expect(await pausePmsCalls(prisma, b!.key, 100, 'short')).toEqual(long);
    });
  });

  it('keeps every window at the limit across several processes taking calls at once', async () => {
    // Four "workers", each with its own database connections, as separate processes would be.
    const clients = [prisma, ...[1, 2, 3].map(() => createPrismaClient(testConfig().databaseUrl))];
    try {
      const scope = { vendor: 'test', key: `test:${randomUUID()}`, limit: 5, windowMs: 400 };
      const sent: number[] = [];
      const started = Date.now();
      await Promise.all(
        clients.map(async (db) => {
          const limiter = new PmsRateLimiter({ prisma: db });
          for (let i = 0; i < 6; i++) await limiter.within(scope, async () => sent.push(Date.now()));
        }),
      );
      sent.sort((a, b) => a - b);
      // 24 calls at 5 per 400 ms need at least four more windows after the first.
      expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 400);
      for (let i = scope.limit; i < sent.length; i++) expect(sent[i]! - sent[i - scope.limit]!).toBeGreaterThanOrEqual(scope.windowMs - 25);
    } finally {
      await Promise.all(clients.slice(1).map((c) => c.$disconnect()));
    }
  });
});

describe('PMS adapters ask the limit at their vendor’s scope', () => {
  const pms = usePmsRelay();

  it.each(PMS_VENDORS.map((v) => [v.key]))('%s: the scope row names the vendor and never the credentials, and the simulator counts nothing over its limit', async (key) => {
    const p = await addProperty(pms.relay(), pms.sim(key));
    await addArrival(p, 0, { lastName: 'Groot' });
    const before = await pms.relay().prisma.pmsRateScope.findMany({ where: { key: { startsWith: `${key}:` } } });
    await pms.relay().env.client.workflow.execute(pmsArrivalsWorkflow, { taskQueue: pms.relay().taskQueues.pms!, workflowId: uniqueId('poll'), args: [{ propertyId: p.id }] });
    const scopes = await pms.relay().prisma.pmsRateScope.findMany({ where: { key: { startsWith: `${key}:` } } });
    expect(scopes.length).toBeGreaterThan(0);
    const used = scopes.reduce((n, s) => n + s.calls.length, 0) - before.reduce((n, s) => n + s.calls.length, 0);
    expect(used).toBeGreaterThan(0);
    for (const s of scopes) for (const secret of Object.values(p.hotel.credentials)) expect(s.key).not.toContain(String(secret));
    expect((await pms.sim(key).control.stats()).overLimit).toBe(0);
  });
});
