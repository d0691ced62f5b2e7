import { applyDeletedAccount } from '../../src/db/company-sync/deletions';
import { applyInboundAccount } from '../../src/db/company-sync/inbound-apply';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import request from 'supertest';
import { type RelayHarness, bearer, startRelay } from '../helpers/relay';
import { connectDivision } from './fixtures/division';

/**
 * The inbound sync's risks and their mitigations (ADR 002): one failing record never blocks the
 * cursor nor is skipped silently (quarantine, retried on its own), timestamps order what applies,
 * a reconciliation finds drift and deletions the deletion log no longer shows, a division moved
 * to another database is read again, and a spent budget ends a run partial with its cursor kept.
 */
const D = 772_001;
const SEEDED = 80;

describe('company sync: inbound faults', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  let division: Awaited<ReturnType<typeof connectDivision>>;

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Storingen B.V.' }] });
    sim.seed(D, SEEDED, 9);
    relay = await startRelay({ env: { EXACT_BASE_URL: sim.url } });
    division = await connectDivision(relay, sim, D);
    // A record PostgreSQL refuses (here: a trigger; in life a constraint or a bug) for one company name.
    await relay.prisma.$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION refuse_broken_company() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Kapot B.V.' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`);
    await relay.prisma.$executeRawUnsafe(`CREATE TRIGGER refuse_broken_company BEFORE INSERT ON companies FOR EACH ROW EXECUTE FUNCTION refuse_broken_company()`);
  }, 120_000);

  afterAll(async () => {
    await relay?.prisma.$executeRawUnsafe('DROP TRIGGER IF EXISTS refuse_broken_company ON companies').catch(() => undefined);
    await division?.stop();
    await relay?.stop();
    await sim?.close();
  });

  it('quarantines a record that fails, moves the cursor past it, alerts, and applies it on a later retry', async () => {
    // Operators receive company_sync.alert events at their webhook endpoint (through the notifications feature).
    await request(relay.app).post('/v1/webhook-endpoints').set('authorization', bearer('operator')).send({ url: 'http://127.0.0.1:9/alerts', events: ['company_sync.alert'] }).expect(201);
    const broken = sim.createAccount(D, { Name: 'Kapot B.V.', City: 'Utrecht', Country: 'NL' });
    const run = await division.run('import');
    expect(run).toMatchObject({ outcome: 'completed', accounts: SEEDED + 1, quarantined: 1 });

    const entry = await relay.prisma.exactQuarantine.findFirstOrThrow({ where: { division: D, exactGuid: broken.ID } });
    expect(entry.error).toContain('refused for the test');
    expect(entry.resolvedAt).toBeNull();
    const state = await relay.prisma.exactDivision.findUniqueOrThrow({ where: { division: D } });
    expect(state.accountsCursor).toBe(BigInt(sim.accounts(D).at(-1)!.Timestamp));
    // Links to Exact accounts (not those of companies other test files left unlinked, which the closing sweep pushes).
    expect(await relay.prisma.companySync.count({ where: { division: D, createRef: null } })).toBe(SEEDED);
    const alert = await relay.prisma.notification.findFirstOrThrow({ where: { channel: 'webhook', event: 'company_sync.alert' } });
    expect(alert.payload).toMatchObject({ kind: 'quarantine_growing', division: D, quarantined: 1 });

    // Fixed; its retry is due: the next run applies it from the quarantine (the cursor is past it).
    await relay.prisma.$executeRawUnsafe('DROP TRIGGER refuse_broken_company ON companies');
    await relay.prisma.exactQuarantine.update({ where: { id: entry.id }, data: { nextAttemptAt: new Date() } });
    await division.run('incremental');
    expect((await relay.prisma.exactQuarantine.findUniqueOrThrow({ where: { id: entry.id } })).resolvedAt).not.toBeNull();
    const link = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: broken.ID }, include: { company: true } });
    expect(link.company?.name).toBe('Kapot B.V.');
  }, 240_000);

  it('applies a version only if it is newer than ours, and a deletion only if ours is not newer', async () => {
    const link = await relay.prisma.companySync.findFirstOrThrow({ where: { division: D, createRef: null, companyId: { not: null }, deletedInSource: false }, include: { company: true } });
    const account = sim.account(D, link.exactGuid!)!;
    const older = {
      guid: link.exactGuid!,
      code: account.Code.trim(),
      timestamp: link.lastTimestamp! - 1n,
      modifiedAt: new Date(),
      blocked: false,
      status: null,
      searchCode: null,
      fields: { ...(link.baseSnapshot as Record<string, string | null>), city: 'Oud' } as never,
    };
    const options = { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' };
    expect(await applyInboundAccount(relay.prisma, older, options)).toMatchObject({ outcome: 'stale' });
    expect((await relay.prisma.company.findUniqueOrThrow({ where: { id: link.companyId! } })).city).toBe(link.company!.city);

    const who = { actor: 'test', correlationId: 'test' };
    expect(await applyDeletedAccount(relay.prisma, { guid: link.exactGuid!, timestamp: link.lastTimestamp! - 1n, deletedAt: null }, who)).toEqual({ applied: false });
    expect((await relay.prisma.company.findUniqueOrThrow({ where: { id: link.companyId! } })).deletedAt).toBeNull();
  });

  it('reconciles drift and a deletion the deletion log no longer shows', async () => {
    const [drifted, vanished] = await relay.prisma.companySync.findMany({ where: { division: D, createRef: null, companyId: { not: null }, deletedInSource: false }, include: { company: true }, take: 2, orderBy: { createdAt: 'asc' } });
    // Drift: our copy lost an update (as if an old run had missed it).
    const exactCity = drifted!.company!.city;
    await relay.prisma.company.update({ where: { id: drifted!.companyId! }, data: { city: 'Verloren' } });
    await relay.prisma.companySync.update({ where: { id: drifted!.id }, data: { baseSnapshot: { ...(drifted!.baseSnapshot as object), city: 'Verloren' } } });
    // Deleted in Exact more than two months ago: the deletion log kept no entry.
    sim.deleteAccount(D, vanished!.exactGuid!);
    const log = sim.engine.division(D);
    log.deleted = log.deleted.filter((d) => d.EntityKey !== vanished!.exactGuid!.toLowerCase());

    const run = await division.run('reconcile');
    expect(run.outcome).toBe('completed');
    expect((await relay.prisma.company.findUniqueOrThrow({ where: { id: drifted!.companyId! } })).city).toBe(exactCity);
    const gone = await relay.prisma.companySync.findUniqueOrThrow({ where: { id: vanished!.id }, include: { company: true } });
    expect(gone.deletedInSource).toBe(true);
    expect(gone.company?.deletedAt).not.toBeNull();
  }, 240_000);

  it('reads a division again when Exact moved it to another database (timestamps restart)', async () => {
    const sample = sim.accounts(D)[3]!;
    sim.moveDivision(D);
    sim.updateAccount(D, sample.ID, { City: 'Na de verhuizing' });
    const run = await division.run('incremental');
    expect(run.outcome).toBe('completed');
    expect(run.accounts).toBe(sim.accounts(D).length);
    const link = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: sample.ID }, include: { company: true } });
    expect(link.company?.city).toBe('Na de verhuizing');
    expect(link.lastTimestamp).toBe(BigInt(sim.account(D, sample.ID)!.Timestamp));
  }, 240_000);

  it('ends a run partial when the day’s budget is spent, keeping its cursor, and waits for the reset', async () => {
    const before = await relay.prisma.exactDivision.findUniqueOrThrow({ where: { division: D } });
    sim.updateAccount(D, sim.accounts(D)[5]!.ID, { City: 'Later' });
    // Exact says the day is spent (its headers); Relay stops calling until Exact's reset.
    const reset = Date.now() + 6 * 3_600_000;
    await relay.prisma.exactRateBudget.update({ where: { division: D }, data: { dayUsed: 5_000, reportedDailyReset: new Date(reset) } });
    const run = await division.run('incremental');
    expect(run.outcome).toBe('partial');
    expect(Date.parse(run.resumeAt!)).toBeGreaterThanOrEqual(reset - 1_000);
    const state = await division.state();
    expect(state.waitingForBudgetUntil).toBe(run.resumeAt);
    expect(state.pending).toContain('incremental');
    const alert = await relay.prisma.notification.findFirstOrThrow({ where: { channel: 'webhook', event: 'company_sync.alert', payload: { path: ['kind'], equals: 'daily_budget_exhausted' } } });
    expect(alert.payload).toMatchObject({ division: D, resumesAt: run.resumeAt });
    expect((await relay.prisma.exactDivision.findUniqueOrThrow({ where: { division: D } })).accountsCursor).toBe(before.accountsCursor);
  }, 240_000);
});
