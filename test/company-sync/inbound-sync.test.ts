import { createExactConnection } from '../../src/db/company-sync/exact-connections';
import { createSecretSealer } from '../../src/db/sealed-secrets';
import { normaliseKvk } from '../../src/domain/company-sync/kvk';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { requestDivisionWork } from '../../src/temporal/starters/exact-division';
import { type DivisionState, divisionStateQuery, resolveConflictUpdate } from '../../src/workflows/company-sync/definitions';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { decodeJsonHistory } from '../../scripts/lib/history';
import { createDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { type RelayHarness, startRelay, workflowBundle } from '../helpers/relay';
import { waitFor } from '../helpers/wait';

/**
 * The inbound sync end to end: a division's owner imports every account from the Exact
 * simulator through the real workflows, matches them to our companies in the ADR's order,
 * raises a KVK collision for an operator, applies later edits, creations and deletions
 * incrementally, and coalesces overlapping triggers.
 */
const D = 771_001;
const SEEDED = 1_150; // more than one Sync API page

describe('company sync: inbound from Exact', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  let owner: () => Promise<DivisionState>;

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Inbound B.V.' }] });
    sim.seed(D, SEEDED, 5);
    relay = await startRelay({ env: { EXACT_BASE_URL: sim.url, EXACT_CONFLICT_REMIND_AFTER: '1h', EXACT_CONFLICT_ESCALATE_AFTER: '2h' } });
    const sealer = createSecretSealer(relay.config.codec.keys);
    const answer = sim.issueTokens();
    const connection = await createExactConnection(relay.prisma, sealer, {
      baseUrl: sim.url,
      exactUserId: sim.user.id,
      tokens: { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresInSeconds: Number(answer.expires_in) },
      issuedAtMs: sim.now(),
    });
    await relay.prisma.exactDivision.create({ data: { division: D, connectionId: connection.id, name: 'Inbound B.V.' } });
    const handle = relay.env.client.workflow.getHandle(WorkflowIds.exactDivision(D));
    owner = () => handle.query(divisionStateQuery);
  }, 120_000);

  afterAll(async () => {
    await relay?.env.client.workflow.getHandle(WorkflowIds.exactDivision(D)).terminate('test over').catch(() => undefined);
    await relay?.prisma.exactDivision.update({ where: { division: D }, data: { enabled: false } }).catch(() => undefined);
    await relay?.stop();
    await sim?.close();
  });

  const starter = () => ({ client: relay.env.client, taskQueues: relay.taskQueues });
  const recorded: Record<string, string> = {};

  /** Replays a run against today's bundle; `RECORD_HISTORIES=1` saves it under test/histories/ for test/replay.test.ts. */
  async function replayAndRecord(workflowId: string, fixture: string) {
    const history = await relay.env.client.workflow.getHandle(workflowId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay.config.codec.keys) }, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay.config.codec.keys));
      writeFileSync(path.join(__dirname, '..', 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
  }
  const lastRun = async (kind: string, after = 0) => {
    return waitFor(`a finished ${kind} run`, async () => {
      const runs = (await owner()).recent.filter((r) => r.kind === kind);
      return runs.length > after ? runs[0] : undefined;
    }, 120_000);
  };

  it('imports every account, links each with why, and sends a KVK held by an unlinked company to an operator', async () => {
    const withKvk = sim.accounts(D).find((a) => normaliseKvk(a.ChamberOfCommerce).kind === 'valid')!;
    const kvk = normaliseKvk(withKvk.ChamberOfCommerce);
    // The same business (name and postcode agree), entered here before the sync: ADR scenario A.
    const local = await relay.prisma.company.create({ data: { name: withKvk.Name, postalCode: withKvk.Postcode, city: 'Elders', chamberOfCommerceId: kvk.kind === 'valid' ? kvk.value : null } });

    await requestDivisionWork(starter(), D, 'import', 'test');
    const run = await lastRun('import');
    recorded.import = run.workflowId;
    expect(run.outcome).toBe('completed');
    expect(run.accounts).toBe(SEEDED);
    expect(run.pages).toBe(2);

    // Links to Exact accounts (not those of companies other test files left unlinked, which the closing sweep pushes).
    const links = await relay.prisma.companySync.findMany({ where: { division: D, createRef: null } });
    expect(links).toHaveLength(SEEDED);
    expect(links.every((l) => l.exactGuid && l.matchRule)).toBe(true);
    // Codes arrive padded to 18 characters and are stored trimmed.
    expect(links.filter((l) => l.externalId).every((l) => l.externalId === l.externalId!.trim())).toBe(true);

    const collision = links.find((l) => l.exactGuid === withKvk.ID.toLowerCase() || l.exactGuid === withKvk.ID)!;
    expect(collision.syncStatus).toBe('CONFLICT');
    expect(collision.companyId).toBeNull();
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { syncId: collision.id } });
    expect(conflict).toMatchObject({ kind: 'kvk_collision', status: 'open', companyId: local.id, workflowId: WorkflowIds.syncConflict(collision.exactGuid!) });

    const division = await relay.prisma.exactDivision.findUniqueOrThrow({ where: { division: D } });
    const maxTimestamp = sim.accounts(D).reduce((m, a) => (BigInt(a.Timestamp) > m ? BigInt(a.Timestamp) : m), 0n);
    expect(division.accountsCursor).toBe(maxTimestamp);
    expect(division.importCompletedAt).not.toBeNull();

    // The operator links the Exact account to our company; the decision is audited with their name.
    const outcome = await relay.env.client.workflow.getHandle(conflict.workflowId).executeUpdate(resolveConflictUpdate, { args: [{ decision: { action: 'link', companyId: local.id }, operator: 'alice' }] });
    expect(outcome).toMatchObject({ decision: 'link', companyId: local.id, resolvedBy: 'alice' });
    recorded.conflict = conflict.workflowId;
    const linked = await relay.prisma.companySync.findUniqueOrThrow({ where: { id: collision.id } });
    expect(linked).toMatchObject({ companyId: local.id, syncStatus: 'OK', matchRule: 'operator' });
    // Linking merges Exact's values into ours (first link: Exact's value wins where it has one).
    const company = await relay.prisma.company.findUniqueOrThrow({ where: { id: local.id } });
    expect(company.city).toBe(withKvk.City);
    const audit = await relay.prisma.auditLog.findMany({ where: { entityId: { in: [conflict.id, local.id] } } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual(expect.arrayContaining([['sync_conflict.resolved', 'operator:alice'], ['company.conflict_resolved', 'operator:alice']]));

    // A second decision on the same conflict is refused before anything runs.
    await expect(
      relay.env.client.workflow.getHandle(conflict.workflowId).executeUpdate(resolveConflictUpdate, { args: [{ decision: { action: 'ignore' }, operator: 'bob' }] }),
    ).rejects.toThrow();
  }, 240_000);

  it('applies edits, creations and deletions made in Exact since the cursor', async () => {
    const [edited, removed] = sim.accounts(D).filter((a) => a.Name).slice(5, 7) as [ReturnType<ExactSimulator['accounts']>[number], ReturnType<ExactSimulator['accounts']>[number]];
    sim.updateAccount(D, edited.ID, { City: 'Zwolle' });
    const created = sim.createAccount(D, { Name: 'Nieuw in Exact B.V.', AddressLine1: 'Dorpsstraat 5A', Postcode: '8011 AB', City: 'Zwolle', Country: 'NL' });
    sim.deleteAccount(D, removed.ID);
    const before = (await owner()).recent.filter((r) => r.kind === 'incremental').length;

    await requestDivisionWork(starter(), D, 'incremental', 'test');
    const run = await lastRun('incremental', before);
    recorded.incremental = run.workflowId;
    expect(run.outcome).toBe('completed');
    expect(run.deleted).toBe(1);

    const editedLink = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: edited.ID }, include: { company: true } });
    expect(editedLink.company?.city).toBe('Zwolle');
    const editAudit = await relay.prisma.auditLog.findFirstOrThrow({ where: { entityId: editedLink.companyId!, action: 'company.synced_from_exact' } });
    expect((editAudit.after as { city: string }).city).toBe('Zwolle');

    const createdLink = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: created.ID }, include: { company: true } });
    expect(createdLink.company).toMatchObject({ name: 'Nieuw in Exact B.V.', streetName: 'Dorpsstraat', buildingNumber: '5', buildingNumberAddition: 'A' });

    const removedLink = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: removed.ID }, include: { company: true } });
    expect(removedLink.deletedInSource).toBe(true);
    // Soft delete only: the row stays, marked.
    expect(removedLink.company?.deletedAt).not.toBeNull();
  }, 240_000);

  it('coalesces overlapping triggers: one owner, each kind waiting at most once', async () => {
    const before = (await owner()).recent.length;
    await Promise.all(Array.from({ length: 6 }, () => requestDivisionWork(starter(), D, 'incremental', 'test')));
    const state = await owner();
    expect(state.pending.filter((k) => k === 'incremental').length).toBeLessThanOrEqual(1);
    await waitFor('the owner to go idle', async () => {
      const s = await owner();
      return s.pending.length === 0 && !s.running ? true : undefined;
    }, 120_000);
    const ran = (await owner()).recent.length - before;
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBeLessThanOrEqual(2);
  }, 240_000);

  it('replays its runs against today’s workflows (the fixtures test/replay.test.ts keeps replaying)', async () => {
    await relay.env.client.workflow.getHandle(recorded.conflict!).result();
    await replayAndRecord(recorded.import!, 'exact-import-completed');
    await replayAndRecord(recorded.incremental!, 'exact-incremental-edits-deletions');
    await replayAndRecord(recorded.conflict!, 'sync-conflict-linked-by-operator');
    await replayAndRecord(WorkflowIds.exactDivision(D), 'exact-division-owner-running');
  }, 120_000);
});
