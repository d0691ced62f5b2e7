import { randomInt } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { type OutboundExact, createOutboundActivities, droppedFields, remoteView, wireRoundTrip } from '../../src/activities/company-sync/outbound';
import { type CompanyInput, createCompany, softDeleteCompany, updateCompany } from '../../src/db/company-sync/companies';
import { consumeOwnEcho } from '../../src/db/company-sync/echo-log';
import { applyInboundAccount, localView } from '../../src/db/company-sync/inbound-apply';
import { echoView, pendingOutboundCompanies } from '../../src/db/company-sync/outbound';
import { ExactRateBudget, type TakeOptions } from '../../src/db/company-sync/rate-budget';
import { type CompanyFields, type SyncedField, emptyFields } from '../../src/domain/company-sync/company-fields';
import { fieldsHash } from '../../src/domain/company-sync/field-hash';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { ExactClient } from '../../src/integrations/exact/client';
import { ExactBudgetExhausted } from '../../src/integrations/exact/errors';
import { fromExactSyncRow } from '../../src/integrations/exact/mapping';
import { ExactOAuthClient, ExactTokenManager } from '../../src/integrations/exact/oauth';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { requestCompanySync } from '../../src/temporal/starters/company-sync';
import { startConflictWorkflow } from '../../src/temporal/starters/exact-division';
import type { companySyncOutboundWorkflow } from '../../src/workflows/company-sync/outbound';
import { outboundStateQuery } from '../../src/workflows/company-sync/definitions';
import { defineModule } from '../../src/modules/module';
import { type RelayHarness, startRelay } from '../helpers/relay';
import { waitFor } from '../helpers/wait';
import { silentLogger, simConnection, testKey, testSealer } from './fixtures/exact-test-env';

/**
 * The outbound sync (`company-sync-<companyId>`) through the real workflow and activities on a real Temporal
 * server, against the Exact simulator over HTTP with Relay's Exact client: creates exactly once (a lost answer is
 * found by the marker, not created twice), KVK matches (one: linked; several: an operator), coalesced edits,
 * the echo log, read-back, blocking on delete, Exact's budget and refusals.
 */
describe('company sync: outbound to Exact', () => {
  const D = 512001;
  const logger = silentLogger();
  const sealer = testSealer(testKey());
  const ctx = { actor: 'test-api', correlationId: 'outbound-test' };
  /** Test switches of the Exact adapter the activities get. */
  const hooks = { dropOnUpdate: [] as SyncedField[], conflicts: [] as Array<{ id: string; workflowId: string }> };

  /** The shared budget, able to run out on demand (as it does when other workflows spent the division's calls). */
  class TestBudget extends ExactRateBudget {
    exhaust = 0;
    retryInMs = 1_500;
    /**
     * The minute's calls spent at the `at`-th take from now, until `ms` later; `meanwhile` runs then (someone
     * edits in Exact). A caller that may wait waits (as the real budget does within its horizon); one that may
     * not gets ExactBudgetExhausted.
     */
    spentAt: { at: number; ms: number; meanwhile: () => void } | null = null;
    override async take(division: number, options?: TakeOptions) {
      if (this.exhaust > 0) {
        this.exhaust--;
        throw new ExactBudgetExhausted({ retryAtMs: Date.now() + this.retryInMs, scope: 'minutely', division });
      }
      if (this.spentAt && --this.spentAt.at === 0) {
        const { ms, meanwhile } = this.spentAt;
        this.spentAt = null;
        meanwhile();
        if (options?.maxWaitMs === 0) throw new ExactBudgetExhausted({ retryAtMs: Date.now() + ms, scope: 'minutely', division });
        await new Promise((r) => setTimeout(r, ms));
      }
      return super.take(division, options);
    }
  }

  let sim: ExactSimulator;
  let relay: RelayHarness;
  let client: ExactClient;
  let budget: TestBudget;

  /** The client, with a switch that silently leaves fields out of updates (Exact keeping less than it was sent). */
  const exactAdapter = (): OutboundExact => ({
    getAccount: (guid, options) => client.getAccount(guid, options),
    findAccounts: (filter, options) => client.findAccounts(filter, options),
    createAccount: (fields, searchCode, options) => client.createAccount(fields, searchCode, options),
    updateAccount: (guid, changed, options) =>
      client.updateAccount(guid, Object.fromEntries(Object.entries(changed).filter(([field]) => !hooks.dropOnUpdate.includes(field as SyncedField))), options),
    blockAccount: (guid, options) => client.blockAccount(guid, options),
  });

  const outboundModule = defineModule<null>({
    name: 'outbound-test',
    variables: [],
    config: () => ({ mode: 'live', settings: null }),
    queues: [{ key: 'outbound', name: 'relay-outbound', activities: ({ prisma }) => outboundActivities(prisma) }],
  });
  /** Fields changed on both sides that go to an operator (switched per test). */
  const settings = { manualReviewFields: [] as SyncedField[] };
  const outboundActivities = (prisma: RelayHarness['prisma']) =>
    createOutboundActivities({
      prisma,
      logger,
      settings,
      accountsIn: async () => exactAdapter(),
      startConflictWorkflow: async (conflict) => {
        hooks.conflicts.push(conflict);
        await startConflictWorkflow({ client: relay.env.client, taskQueues: relay.taskQueues }, conflict, { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000 });
      },
    });

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Recycling Oost B.V.' }], lifetimes: { accessTokenSeconds: 3600 } });
    sim.setLimits({ minutely: 1000, daily: 100_000 });
    relay = await startRelay({ extraModules: [outboundModule] });
    const connectionId = await simConnection(relay.prisma, sealer, sim);
    await relay.prisma.exactDivision.create({ data: { division: D, connectionId } });
    const oauth = new ExactOAuthClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, redirectUri: 'http://127.0.0.1/cb' }, { logger });
    const tokens = new ExactTokenManager({ prisma: relay.prisma, sealer, oauth, logger, clock: () => sim.now() });
    budget = new TestBudget({ prisma: relay.prisma, limits: { minuteLimit: 1000, dayLimit: 100_000 } });
    client = new ExactClient({ baseUrl: sim.url, division: D, tokens: tokens.tokenSource(connectionId), budget, logger });
  }, 120_000);

  afterAll(async () => {
    for (const c of hooks.conflicts) await relay?.env.client.workflow.getHandle(c.workflowId).terminate('test over').catch(() => undefined);
    await relay?.stop();
    await sim?.close();
  });

  afterEach(() => {
    settings.manualReviewFields = [];
    sim.clearFaults();
    hooks.dropOnUpdate = [];
    budget.exhaust = 0;
    budget.spentAt = null;
  });

  const starter = () => ({ client: relay.env.client, taskQueues: { ...relay.taskQueues, exact: relay.taskQueues.outbound! } });

  async function sync(companyId: string, version: number): Promise<WorkflowHandle<typeof companySyncOutboundWorkflow>> {
    const { workflowId, runId } = await requestCompanySync(starter(), { companyId, version, by: 'test-api' });
    return relay.env.client.workflow.getHandle<typeof companySyncOutboundWorkflow>(workflowId, runId);
  }

  const newCompany = (fields: Partial<CompanyInput> & { name: string }) => createCompany(relay.prisma, { ...emptyFields(), ...fields }, ctx);
  const linkOf = async (companyId: string) => (await relay.prisma.companySync.findFirst({ where: { companyId } }))!;
  const details = (value: unknown) => value as Record<string, unknown>;
  const callsSince = () => {
    const since = sim.engine.calls.lastSeq();
    return (filter: Parameters<ExactSimulator['calls']>[0] = {}) => sim.calls({ ...filter, sinceSeq: since });
  };
  const isPending = async (companyId: string) => (await pendingOutboundCompanies(relay.prisma, { limit: 10_000 })).some((p) => p.companyId === companyId);

  it('creates a company without a KVK once, marked in SearchCode, never sending an ID, and reads it back', async () => {
    const company = await newCompany({ name: 'Bakkerij Zonder Nummer', streetName: 'Dorpsstraat', buildingNumber: '5', postalCode: '1234ab', city: 'Ede', country: 'nl' });
    expect(await isPending(company.id)).toBe(true);
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state).toMatchObject({ companyId: company.id, status: 'synced', pushedVersion: company.version, exactGuid: expect.any(String) });
    const link = await linkOf(company.id);
    expect(link).toMatchObject({ syncStatus: 'OK', matchRule: 'outbound-created', exactGuid: state.exactGuid, requiresManualReview: false, division: D });
    expect(link.createRef).toMatch(/^R[A-Z2-7]{9}$/);
    const account = sim.account(D, link.exactGuid!)!;
    expect(account).toMatchObject({ Name: 'Bakkerij Zonder Nummer', SearchCode: link.createRef, AddressLine1: 'Dorpsstraat 5', Postcode: '1234 AB', City: 'Ede', Country: 'NL' });
    expect(link.externalId).toBe(account.Code.trim());
    // Exact refuses an ID on create (400): the one POST's 201 shows none was sent. No KVK: no search.
    expect(calls({ method: 'POST' }).map((c) => c.status)).toEqual([201]);
    expect(calls().filter((c) => /\$filter=[^&]*ChamberOfCommerce/.test(decodeURIComponent(c.query)))).toEqual([]);
    // Read back after the create.
    expect(calls({ method: 'GET' }).some((c) => decodeURIComponent(c.query).includes(`ID eq guid'${link.exactGuid}'`))).toBe(true);
    expect(link.baseSnapshot).toMatchObject({ name: 'Bakkerij Zonder Nummer', postalCode: '1234 AB', country: 'NL' });
    expect(await isPending(company.id)).toBe(false);
  });

  it('finds a create whose answer was lost by its marker and adopts it: exactly one Exact account', async () => {
    sim.setFaults({ loseAnswer: { next: 1, method: 'POST', path: 'crm/Accounts$' } });
    const company = await newCompany({ name: 'Verloren Antwoord B.V.', city: 'Zwolle' });
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state.status).toBe('synced');
    const mine = sim.accounts(D).filter((a) => a.Name === 'Verloren Antwoord B.V.');
    expect(mine).toHaveLength(1);
    const link = await linkOf(company.id);
    expect(link).toMatchObject({ exactGuid: mine[0]!.ID, createRef: mine[0]!.SearchCode, matchRule: 'outbound-created', syncStatus: 'OK' });
    // One POST (its answer lost), then the look-up by the marker instead of a second POST.
    expect(calls({ method: 'POST' }).map((c) => c.outcome)).toEqual(['lost']);
    expect(calls({ method: 'GET' }).some((c) => decodeURIComponent(c.query).includes(`SearchCode eq '${link.createRef}'`))).toBe(true);
  });

  it('sends a create marker several Exact accounts carry to an operator instead of adopting one', async () => {
    const company = await newCompany({ name: 'Gekopieerd Merk' });
    // An earlier attempt stored its marker; since then two accounts carry it (someone copied the SearchCode).
    await relay.prisma.companySync.create({ data: { companyId: company.id, division: D, createRef: 'RTESTCOPY2' } });
    const one = sim.createAccount(D, { Name: 'Gekopieerd Merk', SearchCode: 'RTESTCOPY2' });
    const two = sim.createAccount(D, { Name: 'Gekopieerd Merk (kopie)', SearchCode: 'RTESTCOPY2' });
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state.status).toBe('pending_review');
    expect(calls({ method: 'POST' })).toEqual([]);
    expect(await linkOf(company.id)).toMatchObject({ syncStatus: 'PENDING_REVIEW', exactGuid: null });
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: company.id } });
    expect(conflict.kind).toBe('ambiguous_create');
    expect((details(conflict.details).candidates as Array<{ exactGuid: string }>).map((c) => c.exactGuid).sort()).toEqual([one.ID, two.ID].sort());
  });

  it('links the one Exact account carrying the company’s KVK instead of creating one (ADR scenario B), Exact’s values audited where they won', async () => {
    const existing = sim.createAccount(D, { Name: 'Transport Jansen B.V.', ChamberOfCommerce: '12345678', AddressLine1: 'Stationsweg 1', City: 'Utrecht' });
    const company = await newCompany({ name: 'Transport Jansen', chamberOfCommerceId: '12345678', postalCode: '3511 AA', city: 'Utrecht' });
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state).toMatchObject({ status: 'synced', exactGuid: existing.ID });
    expect(calls({ method: 'POST' })).toEqual([]);
    const link = await linkOf(company.id);
    expect(link).toMatchObject({ exactGuid: existing.ID, externalId: existing.Code.trim(), matchRule: 'outbound-kvk', matchValues: expect.objectContaining({ kvk: '12345678' }), syncStatus: 'OK' });
    // First link: Exact's values win where it has one (the overwrite audited), ours fill what Exact lacks.
    const after = await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } });
    expect(after).toMatchObject({ name: 'Transport Jansen B.V.', streetName: 'Stationsweg', buildingNumber: '1', postalCode: '3511 AA' });
    expect(sim.account(D, existing.ID)).toMatchObject({ Postcode: '3511 AA', Name: 'Transport Jansen B.V.' });
    const audits = await relay.prisma.auditLog.findMany({ where: { entityId: company.id }, orderBy: { id: 'asc' } });
    expect(audits.map((a) => [a.action, a.actor])).toEqual(
      expect.arrayContaining([
        ['company.synced_from_exact', 'company-sync'],
        ['company.field_conflict_resolved', 'company-sync'],
      ]),
    );
    const overwrite = audits.find((a) => a.action === 'company.field_conflict_resolved')!;
    expect(overwrite.before).toMatchObject({ field: 'name', local: 'Transport Jansen', remote: 'Transport Jansen B.V.' });
  });

  it('finds the account whose KVK an Exact user typed with dots, instead of creating a duplicate', async () => {
    const existing = sim.createAccount(D, { Name: 'Bakkerij Smit', ChamberOfCommerce: '56.78.90.12', City: 'Zwolle' });
    const company = await newCompany({ name: 'Bakkerij Smit', chamberOfCommerceId: '56789012', city: 'Zwolle' });
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state).toMatchObject({ status: 'synced', exactGuid: existing.ID });
    expect(calls({ method: 'POST' })).toEqual([]);
    expect(await linkOf(company.id)).toMatchObject({ exactGuid: existing.ID, matchRule: 'outbound-kvk' });
  });

  it('sends a company whose KVK several Exact accounts carry to an operator, with the candidates (PENDING_REVIEW)', async () => {
    const a = sim.createAccount(D, { Name: 'Dubbel Recycling A', ChamberOfCommerce: '87654321' });
    const b = sim.createAccount(D, { Name: 'Dubbel Recycling B', ChamberOfCommerce: '87654321' });
    const company = await newCompany({ name: 'Dubbel Recycling', chamberOfCommerceId: '87654321' });
    const calls = callsSince();

    const state = await (await sync(company.id, company.version)).result();

    expect(state.status).toBe('pending_review');
    expect(calls({ method: 'POST' })).toEqual([]);
    const link = await linkOf(company.id);
    expect(link).toMatchObject({ syncStatus: 'PENDING_REVIEW', exactGuid: null, requiresManualReview: true });
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: company.id } });
    expect(conflict).toMatchObject({ kind: 'ambiguous_kvk', status: 'open', syncId: link.id, workflowId: WorkflowIds.syncConflictOfCompany(company.id) });
    const candidates = (details(conflict.details).candidates as Array<{ exactGuid: string }>).map((c) => c.exactGuid).sort();
    expect(candidates).toEqual([a.ID, b.ID].sort());
    const described = await relay.env.client.workflow.getHandle(conflict.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    expect(await isPending(company.id)).toBe(false);

    // A later edit waits for the operator too: no second search, no second conflict.
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Almere' }, ctx);
    const again = callsSince();
    expect((await (await sync(company.id, edited.version)).result()).status).toBe('pending_review');
    expect(again({ endpoint: 'crm/Accounts' })).toEqual([]);
    expect(await relay.prisma.syncConflict.count({ where: { companyId: company.id } })).toBe(1);
  });

  it('sends a KVK typed in Exact that another company holds here to an operator, instead of retrying the push forever', async () => {
    const kvk = String(randomInt(10_000_000, 99_999_999));
    const holder = await newCompany({ name: 'Houder B.V.', chamberOfCommerceId: kvk });
    const company = await newCompany({ name: 'Verhuizer B.V.', city: 'Gouda' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    // In Exact someone types the holder's KVK on this account; here our API edits the city meanwhile.
    sim.updateAccount(D, guid, { ChamberOfCommerce: kvk });
    await new Promise((r) => setTimeout(r, 20));
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Woerden' }, ctx);

    const state = await (await sync(company.id, edited.version)).result();

    expect(state.status).toBe('pending_review');
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: company.id, status: 'open' } });
    expect(conflict).toMatchObject({ kind: 'field_conflict', exactGuid: guid, workflowId: WorkflowIds.syncConflict(guid) });
    expect(details(conflict.details).fields).toEqual([expect.objectContaining({ field: 'chamberOfCommerceId', local: null, remote: kvk, winner: 'review' })]);
    expect(await linkOf(company.id)).toMatchObject({ syncStatus: 'CONFLICT', requiresManualReview: true });
    // Nothing half-applied: both companies as they were, and Exact keeps what its user typed.
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ chamberOfCommerceId: null, city: 'Woerden' });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: holder.id } })).toMatchObject({ chamberOfCommerceId: kvk });
    expect(sim.account(D, guid)).toMatchObject({ ChamberOfCommerce: kvk, City: 'Gouda' });
  });

  it('coalesces a burst of edits into few pushes, and Exact ends with the last version', async () => {
    const company = await newCompany({ name: 'Snel Veranderd 0', city: 'Amersfoort' });
    // Exact answering slowly: the burst lands while the first push is under way.
    sim.setFaults({ latencyMs: 150 });
    const calls = callsSince();
    let handle = await sync(company.id, company.version);
    let last = company;
    for (let i = 1; i <= 10; i++) {
      last = await updateCompany(relay.prisma, company.id, undefined, { name: `Snel Veranderd ${i}`, city: i % 2 ? 'Baarn' : 'Soest' }, ctx);
      handle = await sync(company.id, last.version);
    }

    const state = await handle.result();

    expect(state).toMatchObject({ status: 'synced', pushedVersion: last.version });
    const link = await linkOf(company.id);
    expect(sim.account(D, link.exactGuid!)).toMatchObject({ Name: 'Snel Veranderd 10', City: 'Soest' });
    const writes = [...calls({ method: 'POST' }), ...calls({ method: 'PUT', path: link.exactGuid! })];
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.length).toBeLessThanOrEqual(3);
    const now = await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } });
    expect(link.localUpdatedAt).toEqual(now.updatedAt);
    expect(await isPending(company.id)).toBe(false);
  });

  it('records every write in the echo log before it leaves, as the inbound side will hash the account', async () => {
    const company = await newCompany({ name: 'Echo Metaal', streetName: 'Havenweg', buildingNumber: '12', buildingNumberAddition: 'b', postalCode: '9711 AB', city: 'Groningen', country: 'NL' });
    const created = await (await sync(company.id, company.version)).result();
    const edited = await updateCompany(relay.prisma, company.id, undefined, { buildingNumber: '14', city: 'Haren' }, ctx);
    await (await sync(company.id, edited.version)).result();

    // The account as the Sync API hands it to the inbound side, hashed the inbound way.
    let next: string | undefined;
    let row;
    do {
      const page = await client.syncAccounts(1n, next);
      row = page.rows.find((r) => r.guid === created.exactGuid) ?? row;
      next = page.next;
    } while (next !== undefined);
    expect(row!.fields).toMatchObject({ streetName: 'Havenweg', buildingNumber: '14', buildingNumberAddition: 'b', city: 'Haren' });
    const hash = fieldsHash(localView(row!));
    expect(await relay.prisma.exactOutboundWrite.count({ where: { exactGuid: created.exactGuid!, fieldsHash: hash } })).toBe(1);
    // The create's write is recorded too (a different hash: the fields before the edit).
    expect(await relay.prisma.exactOutboundWrite.count({ where: { exactGuid: created.exactGuid! } })).toBe(2);
    expect(await consumeOwnEcho(relay.prisma, created.exactGuid!, hash)).toBe(true);
  });

  it('flags a field Exact did not keep (read-back) instead of taking it for written, and sends it again next time', async () => {
    const company = await newCompany({ name: 'Weggevallen B.V.', city: 'Delft' });
    await (await sync(company.id, company.version)).result();
    hooks.dropOnUpdate = ['city'];
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Leiden' }, ctx);

    const state = await (await sync(company.id, edited.version)).result();

    expect(state.status).toBe('synced');
    expect(state.lastError).toMatch(/city/);
    const link = await linkOf(company.id);
    expect(link.requiresManualReview).toBe(true);
    expect(details(link.conflictDetails).readBack).toMatchObject({ dropped: [{ field: 'city', written: 'Leiden', readBack: 'Delft' }] });
    expect(sim.account(D, link.exactGuid!)!.City).toBe('Delft');
    // Our value stays ours (Exact's old one is no edit), and the next push sends it again.
    expect((await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).city).toBe('Leiden');
    expect(link.baseSnapshot).toMatchObject({ city: 'Delft' });

    hooks.dropOnUpdate = [];
    const again = await updateCompany(relay.prisma, company.id, undefined, { name: 'Weggevallen en Terug B.V.' }, ctx);
    await (await sync(company.id, again.version)).result();
    const fixed = await linkOf(company.id);
    expect(sim.account(D, fixed.exactGuid!)).toMatchObject({ City: 'Leiden', Name: 'Weggevallen en Terug B.V.' });
    expect(fixed.requiresManualReview).toBe(false);
    expect(details(fixed.conflictDetails).readBack).toBeUndefined();
  });

  it('blocks the Exact account of a deleted company (never deletes it) and records it on the link', async () => {
    const company = await newCompany({ name: 'Opgeheven B.V.', city: 'Tiel' });
    const created = await (await sync(company.id, company.version)).result();
    const deleted = await relay.prisma.$transaction((tx) => softDeleteCompany(tx, company.id, undefined, ctx));
    expect(await isPending(company.id)).toBe(true);
    const calls = callsSince();

    const state = await (await sync(company.id, deleted.version)).result();

    expect(state).toMatchObject({ status: 'synced', pushedVersion: deleted.version });
    expect(sim.account(D, created.exactGuid!)).toMatchObject({ Blocked: true, Name: 'Opgeheven B.V.' });
    expect(calls({ method: 'DELETE' })).toEqual([]);
    const link = await linkOf(company.id);
    expect(link.syncStatus).toBe('OK');
    expect(details(link.conflictDetails).blockedInExact).toMatchObject({ alreadyBlocked: false });
    expect((await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).deletedAt).not.toBeNull();
    expect(await isPending(company.id)).toBe(false);
  });

  /** One activity run outside a workflow, as a worker runs it (a retried attempt reads the company afresh). */
  const runActivity = <T>(body: () => Promise<T>) => new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('ERROR') }).run(body);
  /** The account as the Sync API hands it to the inbound apply. */
  const syncRowOf = (guid: string) => fromExactSyncRow(sim.account(D, guid) as unknown as Parameters<typeof fromExactSyncRow>[0]);

  it('blocks the account of a company deleted while its field push was under way, instead of counting the deletion as pushed', async () => {
    const company = await newCompany({ name: 'Halverwege Opgeheven B.V.', city: 'Oss' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    // The pass planned a field push for this edit; before it ran (or before its retry after a worker died) the company was deleted.
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Uden' }, ctx);
    const deleted = await relay.prisma.$transaction((tx) => softDeleteCompany(tx, company.id, undefined, ctx));

    const pushed = await runActivity(() => outboundActivities(relay.prisma).pushLinked({ companyId: company.id, version: edited.version }));

    expect(pushed).toMatchObject({ kind: 'done', exactGuid: guid, version: deleted.version, expected: {} });
    expect(sim.account(D, guid)).toMatchObject({ Blocked: true, City: 'Oss' });
    expect(details((await linkOf(company.id)).conflictDetails).blockedInExact).toBeDefined();
    expect(await isPending(company.id)).toBe(false);
  });

  it('leaves a deleted company alone when Exact edits its account, and still blocks the account', async () => {
    const company = await newCompany({ name: 'Later Bewerkt B.V.', city: 'Ede' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    // Deleted here (its block not pushed yet), then edited in Exact; the inbound run applies that version first.
    const deleted = await relay.prisma.$transaction((tx) => softDeleteCompany(tx, company.id, undefined, ctx));
    sim.updateAccount(D, guid, { City: 'Wageningen' });

    const applied = await applyInboundAccount(relay.prisma, syncRowOf(guid), { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });

    expect(applied).toMatchObject({ outcome: 'unchanged', companyId: company.id, pushCompanyId: company.id });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ city: 'Ede', version: deleted.version });
    // Not marked pushed: the deletion is still to be sent, and it is.
    expect(await isPending(company.id)).toBe(true);
    expect(await (await sync(company.id, deleted.version)).result()).toMatchObject({ status: 'synced', pushedVersion: deleted.version });
    expect(sim.account(D, guid)).toMatchObject({ Blocked: true, City: 'Wageningen' });
    expect(await isPending(company.id)).toBe(false);
  });

  it('settles the deletion of a company whose Exact account is gone: nothing to block, nothing retried', async () => {
    const company = await newCompany({ name: 'Overal Weg B.V.', city: 'Tiel' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    sim.deleteAccount(D, guid);
    const deleted = await relay.prisma.$transaction((tx) => softDeleteCompany(tx, company.id, undefined, ctx));

    const code = (await linkOf(company.id)).externalId;
    expect(await (await sync(company.id, deleted.version)).result()).toMatchObject({ status: 'synced', pushedVersion: deleted.version });
    expect(await linkOf(company.id)).toMatchObject({ syncStatus: 'OK', deletedInSource: true, externalId: null });
    expect(await isPending(company.id)).toBe(false);
    // Exact gives the next account the highest Code again: the gone account's link no longer holds it.
    const next = await newCompany({ name: 'Opvolger B.V.', city: 'Tiel' });
    expect(await (await sync(next.id, next.version)).result()).toMatchObject({ status: 'synced' });
    expect(await linkOf(next.id)).toMatchObject({ syncStatus: 'OK', externalId: code });
  });

  it('does not let a Sync API page read before a push undo it: a version the push merged already is no edit from Exact', async () => {
    const company = await newCompany({ name: 'Van der Meer Grondverzet', city: 'Breda' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    // Exact's user changes the city; an inbound run fetches that version, and before it applies it our
    // API renames the company and the push runs (reading the same version, taking the city, sending the name).
    sim.updateAccount(D, guid, { City: 'Tilburg' });
    const fetchedEarlier = syncRowOf(guid);
    const edited = await updateCompany(relay.prisma, company.id, undefined, { name: 'Drukkerij Bos B.V.' }, ctx);
    await (await sync(company.id, edited.version)).result();
    expect(sim.account(D, guid)).toMatchObject({ Name: 'Drukkerij Bos B.V.', City: 'Tilburg' });

    const options = { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' };
    expect(await applyInboundAccount(relay.prisma, fetchedEarlier, options)).toMatchObject({ outcome: 'stale' });
    // Then the push's own echo: both sides keep the new name.
    expect(await applyInboundAccount(relay.prisma, syncRowOf(guid), options)).toMatchObject({ outcome: 'echo' });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ name: 'Drukkerij Bos B.V.', city: 'Tilburg' });
    expect(await linkOf(company.id)).toMatchObject({ lastTimestamp: BigInt(sim.account(D, guid)!.Timestamp), baseSnapshot: expect.objectContaining({ name: 'Drukkerij Bos B.V.' }) });
  });

  it('pushes an edit of ours that an inbound run merged before the push, instead of taking Exact’s old value back', async () => {
    const company = await newCompany({ name: 'Westsolutions & Zn.', city: 'Delft' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    // Renamed here (its push held up, e.g. by Exact's budget); meanwhile Exact's user changes the city, and the
    // inbound run applies that first: the city comes here, our name is still to be sent.
    const edited = await updateCompany(relay.prisma, company.id, undefined, { name: 'Advocatenkantoor Smit' }, ctx);
    sim.updateAccount(D, guid, { City: 'Zwolle' });
    const applied = await applyInboundAccount(relay.prisma, syncRowOf(guid), { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
    expect(applied).toMatchObject({ outcome: 'updated', pushCompanyId: company.id });
    // Exact does not have our name yet: it is not the base, and the company is still pending.
    expect((await linkOf(company.id)).baseSnapshot).toMatchObject({ name: 'Westsolutions & Zn.', city: 'Zwolle' });
    expect(await isPending(company.id)).toBe(true);

    await (await sync(company.id, edited.version)).result();

    expect(sim.account(D, guid)).toMatchObject({ Name: 'Advocatenkantoor Smit', City: 'Zwolle' });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ name: 'Advocatenkantoor Smit', city: 'Zwolle' });
    expect(await isPending(company.id)).toBe(false);
  });

  it('never sends an update merged with an account read before a wait for the budget (an Exact user may have typed meanwhile)', async () => {
    const company = await newCompany({ name: 'Bouwbedrijf Jansen', postalCode: '5017 UQ', city: 'Tilburg' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    const edited = await updateCompany(relay.prisma, company.id, undefined, { postalCode: '5682 PK' }, ctx);
    // The push reads the account (1st call); the minute's budget is spent before its update (2nd), and meanwhile
    // Exact's user types another postcode.
    budget.spentAt = { at: 2, ms: 1_500, meanwhile: () => sim.updateAccount(D, guid, { Postcode: '3547 TF' }) };
    const calls = callsSince();

    const state = await (await sync(company.id, edited.version)).result();

    expect(state.status).toBe('synced');
    // Read again after the wait: changed on both sides, the later write (Exact's) wins, audited; nothing overwritten unseen.
    expect(sim.account(D, guid)!.Postcode).toBe('3547 TF');
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ postalCode: '3547 TF' });
    const resolved = await relay.prisma.auditLog.findFirstOrThrow({ where: { entityId: company.id, action: 'company.field_conflict_resolved' } });
    expect(resolved.before).toMatchObject({ field: 'postalCode', local: '5682 PK', remote: '3547 TF', winner: 'remote' });
    expect(calls({ method: 'PUT', path: guid })).toEqual([]);
    expect(await relay.prisma.exactOutboundWrite.count({ where: { exactGuid: guid } })).toBe(1);
  });

  it('does not take a field an Exact user changed after our write (read back late) for one Exact did not keep', async () => {
    const company = await newCompany({ name: 'Laat Gelezen B.V.', city: 'Haarlem' });
    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Zwolle' }, ctx);
    // Read, update, then the read-back waits for the budget (3rd call): meanwhile Exact's user types another city.
    budget.spentAt = { at: 3, ms: 1_000, meanwhile: () => sim.updateAccount(D, guid, { City: 'Arnhem' }) };

    const state = await (await sync(company.id, edited.version)).result();

    expect(state.status).toBe('synced');
    expect(state.lastError).toBeUndefined();
    const link = await linkOf(company.id);
    expect(link.requiresManualReview).toBe(false);
    expect(details(link.conflictDetails).readBack).toBeUndefined();
    // Our write is the base: Exact's later city is an edit made in Exact, and the inbound sync takes it.
    expect(link.baseSnapshot).toMatchObject({ city: 'Zwolle' });
    await applyInboundAccount(relay.prisma, syncRowOf(guid), { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ city: 'Arnhem' });
    expect(sim.account(D, guid)!.City).toBe('Arnhem');
  });

  it('does not take a PO box typed in Exact right after our create (read back late) for an address Exact did not keep', async () => {
    const company = await newCompany({ name: 'Postbus Later B.V.', streetName: 'Hoofdstraat', buildingNumber: '196', city: 'Leeuwarden' });
    // The create (1st call), then its read-back waits for the budget; meanwhile Exact's user types a PO box.
    budget.spentAt = { at: 2, ms: 1_000, meanwhile: () => sim.updateAccount(D, sim.accounts(D).find((a) => a.Name === 'Postbus Later B.V.')!.ID, { AddressLine1: 'Postbus 3364' }) };

    const guid = (await (await sync(company.id, company.version)).result()).exactGuid!;

    const link = await linkOf(company.id);
    expect(link.requiresManualReview).toBe(false);
    expect(details(link.conflictDetails).readBack).toBeUndefined();
    await applyInboundAccount(relay.prisma, syncRowOf(guid), { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ streetName: null, buildingNumber: null, addressUnparsed: 'Postbus 3364' });
    expect(sim.account(D, guid)!.AddressLine1).toBe('Postbus 3364');
  });

  it('takes a KVK cleared in Exact between the KVK search that linked the account and the first merge as Exact’s edit', async () => {
    const kvk = String(randomInt(10_000_000, 99_999_999));
    const existing = sim.createAccount(D, { Name: 'Schildersbedrijf Timmermans B.V.', ChamberOfCommerce: kvk, City: 'Arnhem' });
    const company = await newCompany({ name: 'Schildersbedrijf Timmermans B.V.', chamberOfCommerceId: kvk, city: 'Arnhem' });
    // The search finds and links the account (1st call); the merge's read waits for the budget (2nd), and meanwhile
    // Exact's user clears the KVK.
    budget.spentAt = { at: 2, ms: 1_000, meanwhile: () => sim.updateAccount(D, existing.ID, { ChamberOfCommerce: '' }) };

    const state = await (await sync(company.id, company.version)).result();

    expect(state).toMatchObject({ status: 'synced', exactGuid: existing.ID });
    expect(sim.account(D, existing.ID)!.ChamberOfCommerce ?? null).toBeNull();
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ chamberOfCommerceId: null });
    const resolved = await relay.prisma.auditLog.findFirstOrThrow({ where: { entityId: company.id, action: 'company.field_conflict_resolved' } });
    expect(resolved.before).toMatchObject({ field: 'chamberOfCommerceId', local: kvk, remote: null, winner: 'remote' });
  });

  it('waits out an exhausted budget on a durable timer and completes', async () => {
    budget.exhaust = 1;
    budget.retryInMs = 2_000;
    const company = await newCompany({ name: 'Geduldig Transport', city: 'Venlo' });
    const handle = await sync(company.id, company.version);

    const state = await handle.result();

    expect(state.status).toBe('synced');
    expect(sim.accounts(D).filter((a) => a.Name === 'Geduldig Transport')).toHaveLength(1);
    const { events } = await handle.fetchHistory();
    const timers = events!.filter((e) => e.timerStartedEventAttributes);
    expect(timers).toHaveLength(1);
    expect(Number(timers[0]!.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0)).toBeGreaterThanOrEqual(1);
    // Not a failure: no activity failed.
    expect(events!.filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
  });

  it('fails once on Exact’s refusal (a 4xx) with the reason on the link, and tries again only after the company changed', async () => {
    const company = await newCompany({ name: `Veel Te Lang ${'x'.repeat(120)}` });
    const calls = callsSince();
    const handle = await sync(company.id, company.version);

    const err = await handle.result().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('CompanySyncFailed');
    const state = await handle.query(outboundStateQuery);
    expect(state).toMatchObject({ status: 'failed', lastError: expect.stringMatching(/longer than 100/) });
    const link = await linkOf(company.id);
    expect(link.syncStatus).toBe('FAILED');
    expect(details(link.conflictDetails).failure).toMatchObject({ kind: 'rejected', version: company.version });
    // One refused POST, no retries (Exact counts 4xx toward blocking the key).
    expect(calls({ method: 'POST' }).map((c) => c.status)).toEqual([400]);
    expect(await isPending(company.id)).toBe(false);

    const fixed = await updateCompany(relay.prisma, company.id, undefined, { name: 'Kort Genoeg' }, ctx);
    expect(await isPending(company.id)).toBe(true);
    expect((await (await sync(company.id, fixed.version)).result()).status).toBe('synced');
    expect((await linkOf(company.id)).syncStatus).toBe('OK');
  });

  it('merges a field changed on both sides by last write (audited), or sends it to an operator where configured', async () => {
    settings.manualReviewFields = ['name'];
    const company = await newCompany({ name: 'Beide Kanten', city: 'Gouda' });
    const created = await (await sync(company.id, company.version)).result();
    const guid = created.exactGuid!;
    // Someone in Exact edits name and city; then our API edits both too (later: our city wins).
    sim.updateAccount(D, guid, { Name: 'Beide Kanten (Exact)', City: 'Woerden' });
    await new Promise((r) => setTimeout(r, 20));
    const edited = await updateCompany(relay.prisma, company.id, undefined, { name: 'Beide Kanten (Relay)', city: 'Bodegraven' }, ctx);

    const state = await (await sync(company.id, edited.version)).result();

    expect(state.status).toBe('pending_review');
    expect(sim.account(D, guid)).toMatchObject({ City: 'Bodegraven', Name: 'Beide Kanten (Exact)' });
    const after = await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } });
    expect(after).toMatchObject({ city: 'Bodegraven', name: 'Beide Kanten (Relay)' });
    const lww = await relay.prisma.auditLog.findFirstOrThrow({ where: { entityId: company.id, action: 'company.field_conflict_resolved' } });
    expect(lww.before).toMatchObject({ field: 'city', local: 'Bodegraven', remote: 'Woerden', winner: 'local' });
    const link = await linkOf(company.id);
    expect(link).toMatchObject({ syncStatus: 'CONFLICT', requiresManualReview: true });
    // The name keeps its old base: still a conflict until an operator decides.
    expect(link.baseSnapshot).toMatchObject({ name: 'Beide Kanten', city: 'Bodegraven' });
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: company.id } });
    expect(conflict).toMatchObject({ kind: 'field_conflict', exactGuid: guid, workflowId: WorkflowIds.syncConflict(guid), status: 'open' });
  });

  it('leaves the link FAILED (cancelled), for the scheduled re-request, when its run is cancelled', async () => {
    budget.exhaust = 1;
    budget.retryInMs = 600_000;
    const company = await newCompany({ name: 'Afgebroken B.V.' });
    const handle = await sync(company.id, company.version);
    await waitFor('the run to wait for the budget', async () => ((await handle.fetchHistory()).events!.some((e) => e.timerStartedEventAttributes) ? true : undefined));

    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WorkflowFailedError);
    const link = await linkOf(company.id);
    expect(link.syncStatus).toBe('FAILED');
    expect(details(link.conflictDetails).failure).toMatchObject({ kind: 'cancelled', version: company.version });
    expect(await isPending(company.id)).toBe(true);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
  });

  it('lists a company whose write was not followed by a sync request (the API died in between)', async () => {
    const company = await newCompany({ name: 'Half Geschreven', city: 'Zeist' });
    await (await sync(company.id, company.version)).result();
    expect(await isPending(company.id)).toBe(false);
    const edited = await updateCompany(relay.prisma, company.id, undefined, { city: 'Bilthoven' }, ctx);
    const pending = await pendingOutboundCompanies(relay.prisma, { division: D, limit: 10_000 });
    expect(pending).toContainEqual({ companyId: company.id, version: edited.version });
    await (await sync(company.id, edited.version)).result();
    expect(await isPending(company.id)).toBe(false);
  });
});

describe('company sync: outbound read-back and echo views', () => {
  const fields = (over: Partial<CompanyFields>): CompanyFields => ({ ...emptyFields(), ...over });

  it('names the fields Exact did not keep, comparing as both sides compare', () => {
    const account = { fields: fields({ name: 'A', city: 'Delft', postalCode: '1234 AB', chamberOfCommerceId: '12.34.56.78' }) };
    expect(droppedFields({ city: 'Delft', postalCode: '1234ab', chamberOfCommerceId: '12345678' }, account)).toEqual([]);
    expect(droppedFields({ city: 'Leiden', country: 'NL' }, account)).toEqual([
      { field: 'city', written: 'Leiden', readBack: 'Delft' },
      { field: 'country', written: 'NL', readBack: null },
    ]);
    // Knowing what the write wrote over: Exact still holding it is a drop; a third value is someone's later edit.
    expect(droppedFields({ city: 'Leiden' }, account, { city: 'Delft' })).toEqual([{ field: 'city', written: 'Leiden', readBack: 'Delft' }]);
    expect(droppedFields({ city: 'Leiden' }, account, { city: 'Haarlem' })).toEqual([]);
    expect(droppedFields({ city: 'Leiden', country: 'NL' }, account, { city: 'Haarlem', country: null })).toEqual([{ field: 'country', written: 'NL', readBack: null }]);
    // A PO box reads as empty address parts: typed since our write (over an empty or a parsed address), it is no drop;
    // still the PO box the write wrote over, it is.
    const poBox = { fields: fields({ name: 'A' }), addressUnparsed: 'Postbus 3364' };
    const address = { streetName: 'Hoofdstraat', buildingNumber: '196' };
    expect(droppedFields(address, poBox, { streetName: null, buildingNumber: null })).toEqual([]);
    expect(droppedFields(address, poBox, { streetName: null, buildingNumber: null, addressUnparsed: 'Postbus  3364' }).map((d) => d.field)).toEqual(['streetName', 'buildingNumber']);
  });

  it('hashes what we write as the inbound apply hashes what comes back', () => {
    const written = fields({ name: 'Echo', chamberOfCommerceId: 'KvK 1234 5678', streetName: 'Havenweg', buildingNumber: '12', buildingNumberAddition: 'b', postalCode: '9711ab', city: 'Groningen', country: 'nl' });
    const back = { guid: 'x', code: null, modifiedAt: new Date(0), blocked: false, status: null, searchCode: null, timestamp: 1n, fields: wireRoundTrip(written) };
    expect(fieldsHash(echoView(written, wireRoundTrip))).toBe(fieldsHash(localView(back)));
    expect(remoteView(back)).toEqual(localView(back));
  });
});
