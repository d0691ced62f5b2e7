import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createExactAuthRequest } from '../../src/db/company-sync/auth-requests';
import { exactTokenContext, readExactTokenState } from '../../src/db/company-sync/exact-connections';
import { ExactRateBudget } from '../../src/db/company-sync/rate-budget';
import { createPrismaClient } from '../../src/db/prisma';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { ExactClient } from '../../src/integrations/exact/client';
import { ExactAuthError } from '../../src/integrations/exact/errors';
import { authorizeUrl, connectExactAccount, EXACT_REFRESH_GUARD_MS, ExactOAuthClient, ExactTokenManager, type ExactTokenManagerOptions } from '../../src/integrations/exact/oauth';
import { createExactSimulator, type ExactSimulator } from '../../src/integrations/exact/simulator';
import { type ExactTestDatabase, exactTestDatabase, silentLogger, simConnection, testKey, testSealer } from './fixtures/exact-test-env';

const ACCESS_MS = 600_000;

type WorkerEvent = { event: string; tokens?: (string | null)[]; errors?: { name: string; message: string }[]; refreshes?: number; tokenCalls?: number; reason?: string };

/** A worker process (test/company-sync/fixtures/exact-token-worker.ts) with its own pool and token manager. */
class Worker {
  private readonly events: WorkerEvent[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly child: ChildProcessWithoutNullStreams;
  stderr = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'exact-token-worker.ts')], { env: { ...process.env, ...env } });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as WorkerEvent);
      for (const w of this.waiters.splice(0)) w();
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  send(command: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** The next event named `name` (consumed), within `timeoutMs`. */
  async next(name: string, timeoutMs = 60_000): Promise<WorkerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e) => e.event === name);
      if (i >= 0) return this.events.splice(i, 1)[0]!;
      if (this.child.exitCode !== null) throw new Error(`worker exited (${this.child.exitCode}): ${this.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`no ${name} from the worker: ${this.stderr.slice(-2000)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  count(name: string): number {
    return this.events.filter((e) => e.event === name).length;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Exact's refresh tokens are single-use and rotate, so exactly one refresh may run at a time across every
 * worker process, its result persisted before use, never before the 570-second guard; a dead grant is marked
 * needs_reauth (alerting once) instead of retried. Proven at the simulator, which breaks a connection whose
 * retired refresh token comes back, as Exact does.
 */
describe('company sync: Exact token rotation across processes', () => {
  const logger = silentLogger();
  const key = testKey();
  const sealer = testSealer(key);
  const D = 612001;
  let db: ExactTestDatabase;
  let sim: ExactSimulator;
  let oauth: ExactOAuthClient;
  const workers: Worker[] = [];
  const pools: PrismaClient[] = [];

  beforeAll(async () => {
    db = await exactTestDatabase('exact_tokens');
    sim = await createExactSimulator({ divisions: [D] });
    oauth = new ExactOAuthClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, redirectUri: 'http://127.0.0.1:1/v1/exact/callback' }, { logger });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.$disconnect()));
    await sim?.close();
    await db?.drop();
  });

  const spawnWorker = async (connectionId: string, extra: Record<string, string> = {}) => {
    const worker = new Worker({
      DATABASE_URL: db.url,
      EXACT_TEST_KEY: key.key.toString('base64'),
      SIM_URL: sim.url,
      SIM_CLIENT_ID: sim.clientId,
      SIM_CLIENT_SECRET: sim.clientSecret,
      CONNECTION_ID: connectionId,
      ...extra,
    });
    workers.push(worker);
    await worker.next('ready');
    return worker;
  };
  const manager = (options: Partial<ExactTokenManagerOptions> = {}) => {
    const prisma = createPrismaClient(db.url);
    pools.push(prisma);
    return new ExactTokenManager({ prisma, sealer, oauth, logger, clock: () => sim.now(), ...options });
  };
  const refreshes = () => sim.tokenStats().byGrantType.refresh_token ?? 0;
  const outcome = (name: string) => sim.tokenStats().byOutcome[name] ?? 0;
  const row = (id: string) => db.prisma.exactConnection.findUniqueOrThrow({ where: { id } });
  const works = async (connectionId: string, token: string) => {
    const client = new ExactClient({
      baseUrl: sim.url,
      division: D,
      tokens: { accessToken: () => Promise.resolve(token) },
      budget: new ExactRateBudget({ prisma: db.prisma }),
      logger,
      maxRateLimitRetries: 0,
    });
    await expect(client.listDivisions()).resolves.toHaveLength(1);
    expect(connectionId).toBeTruthy();
  };

  it('refreshes exactly once for 24 callers in two processes at expiry, and every caller gets the new token', async () => {
    const connectionId = await simConnection(db.prisma, sealer, sim);
    const before = await row(connectionId);
    const old = sealer.open(before.accessTokenSealed!, exactTokenContext(connectionId, 'access'));
    const [a, b] = [await spawnWorker(connectionId), await spawnWorker(connectionId)];
    const [r0, broken0, invalid0] = [refreshes(), sim.tokenStats().brokenGrants, outcome('invalid_grant')];

    sim.advanceClock(ACCESS_MS);
    const offsetMs = sim.engine.clock.offset();
    a.send({ cmd: 'tokens', n: 12, offsetMs });
    b.send({ cmd: 'tokens', n: 12, offsetMs });
    const [ra, rb] = await Promise.all([a.next('tokens'), b.next('tokens')]);

    const all = [...ra.tokens!, ...rb.tokens!];
    expect([...ra.errors!, ...rb.errors!]).toEqual([]);
    expect(all).toHaveLength(24);
    expect(new Set(all).size).toBe(1);
    expect(all[0]).not.toBe(old);
    expect(refreshes() - r0).toBe(1);
    expect((ra.refreshes ?? 0) + (rb.refreshes ?? 0)).toBe(1);
    expect((ra.tokenCalls ?? 0) + (rb.tokenCalls ?? 0)).toBe(1);
    // No old refresh token was presented again: the grant is intact.
    expect(sim.tokenStats().brokenGrants).toBe(broken0);
    expect(outcome('invalid_grant')).toBe(invalid0);

    const after = await row(connectionId);
    expect(after).toMatchObject({ status: 'active', tokenGeneration: before.tokenGeneration + 1, refreshLeaseHolder: null, refreshLeaseUntil: null });
    expect(sealer.open(after.accessTokenSealed!, exactTokenContext(connectionId, 'access'))).toBe(all[0]);
    // Sealed at rest: neither token appears in the row.
    expect(after.accessTokenSealed).not.toContain(all[0]!.slice(12, 40));
    await works(connectionId, all[0]!);
  }, 120_000);

  it('lets another process refresh after the lease of a holder that crashed mid-refresh has run out', async () => {
    const connectionId = await simConnection(db.prisma, sealer, sim);
    const leaseMs = '3000';
    const [a, b] = [await spawnWorker(connectionId, { LEASE_MS: leaseMs }), await spawnWorker(connectionId, { LEASE_MS: leaseMs })];
    const [r0, broken0] = [refreshes(), sim.tokenStats().brokenGrants];
    sim.advanceClock(ACCESS_MS);
    const offsetMs = sim.engine.clock.offset();

    a.send({ cmd: 'hang-on-lease' });
    a.send({ cmd: 'tokens', n: 3, offsetMs });
    await a.next('leased');
    const leased = await row(connectionId);
    expect(leased.refreshLeaseHolder).toBeTruthy();
    await a.stop(); // killed while holding the lease, before calling Exact

    const startedAt = Date.now();
    b.send({ cmd: 'tokens', n: 8, offsetMs });
    const rb = await b.next('tokens');
    expect(rb.errors).toEqual([]);
    expect(new Set(rb.tokens).size).toBe(1);
    // B waited for the lease to run out rather than refreshing beside its holder.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(leased.refreshLeaseUntil!.getTime() - Date.now() - 1_000);
    expect(refreshes() - r0).toBe(1);
    expect(sim.tokenStats().brokenGrants).toBe(broken0);
    expect(await row(connectionId)).toMatchObject({ status: 'active', refreshLeaseHolder: null });
    await works(connectionId, rb.tokens![0]!);
  }, 120_000);

  it('never refreshes before the 570-second guard: a 401 early waits for it, and a TooEarlyToRefreshTokens answer is waited out', async () => {
    const connectionId = await simConnection(db.prisma, sealer, sim);
    const tokens = manager({ maxGuardWaitMs: 2_000 });
    const first = await tokens.accessToken(connectionId);
    const [r0, early0] = [refreshes(), outcome('too_early')];

    // Exact refuses the token long before the guard: no refresh call, a retryable failure that names the wait.
    sim.expireAccessTokens();
    const err = await tokens.accessToken(connectionId, { rejected: first }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExactAuthError);
    expect(err).toMatchObject({ needsReauth: false, nonRetryable: false });
    expect(Number((err as ExactAuthError).nextRetryDelay)).toBeGreaterThan(EXACT_REFRESH_GUARD_MS - 60_000);
    expect(refreshes() - r0).toBe(0);

    // Half a second before the guard: the manager waits for it, then refreshes once.
    const issued = (await readExactTokenState(db.prisma, sealer, connectionId))!.tokenIssuedAt!.getTime();
    sim.advanceClock(issued + EXACT_REFRESH_GUARD_MS - 500 - sim.now());
    const fresh = await tokens.accessToken(connectionId, { rejected: first });
    expect(fresh).not.toBe(first);
    expect(refreshes() - r0).toBe(1);
    expect(outcome('too_early') - early0).toBe(0);

    // A process whose clock runs 10 s ahead of Exact's thinks the guard has passed; Exact says too early; it waits and tries again.
    const ahead = manager({ clock: () => sim.now() + 10_000 });
    const issued2 = (await readExactTokenState(db.prisma, sealer, connectionId))!.tokenIssuedAt!.getTime();
    sim.advanceClock(issued2 + EXACT_REFRESH_GUARD_MS - 5_000 - sim.now());
    const third = await ahead.accessToken(connectionId);
    expect(third).not.toBe(fresh);
    expect(outcome('too_early') - early0).toBe(1);
    expect(refreshes() - r0).toBe(3);
    expect(sim.tokenStats().brokenGrants).toBe(0);
    await works(connectionId, third);
  }, 60_000);

  it('marks a connection whose refresh token is dead needs_reauth, alerts once, and stops calling Exact', async () => {
    const connectionId = await simConnection(db.prisma, sealer, sim);
    // The refresh token Relay holds is not the grant's current one any more (as after a lost rotation).
    await db.prisma.exactConnection.update({ where: { id: connectionId }, data: { refreshTokenSealed: sealer.seal('Gcp7!IAAAAnot-the-current-one', exactTokenContext(connectionId, 'refresh')) } });
    const alerts: string[] = [];
    const onNeedsReauth = (id: string, reason: string) => void alerts.push(`${id} ${reason}`);
    const [m1, m2] = [manager({ onNeedsReauth }), manager({ onNeedsReauth })];
    const worker = await spawnWorker(connectionId);
    sim.advanceClock(ACCESS_MS);
    const calls0 = sim.tokenStats().calls;

    worker.send({ cmd: 'tokens', n: 5, offsetMs: sim.engine.clock.offset() });
    const results = await Promise.allSettled([...Array.from({ length: 10 }, () => m1.accessToken(connectionId)), ...Array.from({ length: 10 }, () => m2.accessToken(connectionId))]);
    const fromWorker = await worker.next('tokens');

    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof ExactAuthError && r.reason.needsReauth)).toBe(true);
    expect(fromWorker.tokens!.every((t) => t === null)).toBe(true);
    expect(sim.tokenStats().calls - calls0).toBe(1);
    expect(alerts.length + worker.count('needs_reauth')).toBe(1);
    const marked = await row(connectionId);
    expect(marked.status).toBe('needs_reauth');
    expect(marked.statusReason).toMatch(/^invalid_grant/);

    // From now on no call at all: the operator re-authorises.
    await expect(m1.accessToken(connectionId)).rejects.toMatchObject({ needsReauth: true, type: 'ExactNeedsReauth', nonRetryable: true });
    expect(sim.tokenStats().calls - calls0).toBe(1);
  }, 120_000);

  it('marks an expired refresh token (invalid_request) needs_reauth too', async () => {
    const connectionId = await simConnection(db.prisma, sealer, sim);
    sim.advanceClock(31 * 24 * 3_600_000);
    const alerts: string[] = [];
    const tokens = manager({ onNeedsReauth: (_id, reason) => void alerts.push(reason) });
    await expect(tokens.accessToken(connectionId)).rejects.toMatchObject({ needsReauth: true });
    expect(alerts).toEqual([expect.stringMatching(/^invalid_request: The refresh token expired/)]);
  });

  it('connects through Exact’s authorize page with the code decoded exactly once, and re-authorises a connection that needs it', async () => {
    const deps = { prisma: db.prisma, sealer, oauth, logger, clock: () => sim.now() };
    const authorize = async (state: string) => {
      const res = await fetch(authorizeUrl(oauth.config, state), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      const raw = /[?&]code=([^&]+)/.exec(location)![1]!;
      return { raw, decoded: new URL(location).searchParams.get('code')! };
    };

    // The other tests' connections belong to the same simulated user: start without them.
    await db.prisma.exactConnection.deleteMany({});
    const request = await createExactAuthRequest(db.prisma, { requestedBy: 'operator:ada' });
    const code = await authorize(request.state);
    expect(code.raw).toContain('%21'); // Exact's codes hold '!', which arrives percent-encoded
    const connected = await connectExactAccount(deps, { state: request.state, code: code.raw });
    expect(connected).toMatchObject({ reauthorised: false, requestedBy: 'operator:ada', currentDivision: D });
    expect(connected.connection).toMatchObject({ status: 'active', exactUserId: sim.user.id.toLowerCase() });
    // The state is used once.
    await expect(connectExactAccount(deps, { state: request.state, code: code.decoded })).rejects.toThrow(/unknown, used or expired/);
    // The same Exact user connecting again (an already decoded code this time) authorises the same connection.
    const repeat = await createExactAuthRequest(db.prisma, { requestedBy: 'operator:bob' });
    const same = await connectExactAccount(deps, { state: repeat.state, code: (await authorize(repeat.state)).decoded });
    expect(same).toMatchObject({ reauthorised: true, connection: { id: connected.connection.id } });
    expect(await db.prisma.exactConnection.count()).toBe(1);

    // Broken, then re-authorised: the same connection, active again, with a new generation of tokens.
    await db.prisma.exactConnection.update({ where: { id: connected.connection.id }, data: { status: 'needs_reauth', statusReason: 'invalid_grant: test' } });
    const again = await createExactAuthRequest(db.prisma, { requestedBy: 'operator:ada', connectionId: connected.connection.id });
    const code2 = await authorize(again.state);
    const re = await connectExactAccount(deps, { state: again.state, code: code2.decoded });
    expect(re).toMatchObject({ reauthorised: true, connection: { id: connected.connection.id, status: 'active', statusReason: null } });
    expect(re.connection.tokenGeneration).toBe(same.connection.tokenGeneration + 1);
    const token = await manager().accessToken(connected.connection.id);
    await works(connected.connection.id, token);
  });
});
