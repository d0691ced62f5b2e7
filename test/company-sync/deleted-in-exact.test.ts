import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { decodeJsonHistory } from '../../scripts/lib/history';
import { updateCompany } from '../../src/db/company-sync/companies';
import { pendingOutboundCompanies } from '../../src/db/company-sync/outbound';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { createDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { requestCompanySync } from '../../src/temporal/starters/company-sync';
import { type RelayHarness, bearer, startRelay, workflowBundle } from '../helpers/relay';
import { waitFor } from '../helpers/wait';
import { connectDivision } from './fixtures/division';

/**
 * An account deleted in Exact, against what Relay did to its company (ADR 002: a deletion applies
 * only when our version is not newer). Older edits of ours lose to the deletion — even when a push
 * of them found the account gone before the deletion log was read; an edit made here after the
 * deletion goes to an operator (`deleted_in_source`), who keeps our company (a new account in
 * Exact) or deletes it here too. Never a company left alive with a FAILED link and nobody told.
 */
const D = 773_001 + randomInt(0, 900);

describe('company sync: accounts deleted in Exact', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  let division: Awaited<ReturnType<typeof connectDivision>>;
  const ctx = { actor: 'test-api', correlationId: 'deleted-in-exact' };
  const names = ['Verdwenen Eerst B.V.', 'Verdwenen Later B.V.', 'Verdwenen Weg B.V.'];
  const guids: Record<string, string> = {};

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Verdwijningen B.V.' }] });
    for (const [i, name] of names.entries()) guids[name] = sim.createAccount(D, { Name: name, AddressLine1: `Dorpsstraat ${i + 1}`, City: 'Ede', Country: 'NL' }).ID.toLowerCase();
    relay = await startRelay({ env: { EXACT_BASE_URL: sim.url, EXACT_CONFLICT_REMIND_AFTER: '1h', EXACT_CONFLICT_ESCALATE_AFTER: '2h' } });
    division = await connectDivision(relay, sim, D);
    expect(await division.run('import')).toMatchObject({ outcome: 'completed' });
  }, 180_000);

  afterAll(async () => {
    const open = await relay?.prisma.syncConflict.findMany({ where: { division: D, status: 'open' } });
    for (const c of open ?? []) await relay.env.client.workflow.getHandle(c.workflowId).terminate('test over').catch(() => undefined);
    await division?.stop();
    await relay?.stop();
    await sim?.close();
  });

  const starter = () => ({ client: relay.env.client, taskQueues: relay.taskQueues });
  const linkOf = (name: string) => relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: guids[name]! }, include: { company: true } });
  const isPending = async (companyId: string) => (await pendingOutboundCompanies(relay.prisma, { limit: 10_000 })).some((p) => p.companyId === companyId);
  const tick = () => new Promise((r) => setTimeout(r, 30));
  const as = (role: 'service' | 'operator') => ({ authorization: bearer(role) });

  it('applies a deletion newer than our last edit, even when a push of that edit found the account gone first', async () => {
    const name = names[0]!;
    const before = await linkOf(name);
    // Edited here, not pushed yet; then deleted in Exact; then the push runs before the deletion log is read.
    await updateCompany(relay.prisma, before.companyId!, undefined, { city: 'Bennekom' }, ctx);
    await tick();
    sim.deleteAccount(D, guids[name]!);
    const { workflowId } = await requestCompanySync(starter(), { companyId: before.companyId!, by: 'test' });
    await relay.env.client.workflow.getHandle(workflowId).result().catch(() => undefined);
    expect(await linkOf(name)).toMatchObject({ syncStatus: 'FAILED', deletedInSource: false });

    const run = await division.run('incremental');

    expect(run).toMatchObject({ outcome: 'completed', deleted: 1 });
    const link = await linkOf(name);
    expect(link).toMatchObject({ deletedInSource: true, syncStatus: 'OK', externalId: null });
    expect(link.company?.deletedAt).not.toBeNull();
    expect(await relay.prisma.syncConflict.count({ where: { companyId: before.companyId!, status: 'open' } })).toBe(0);
    expect(await isPending(before.companyId!)).toBe(false);
  }, 120_000);

  it('sends a deletion older than our edit to an operator, who keeps our company: a new account in Exact', async () => {
    const name = names[1]!;
    const before = await linkOf(name);
    sim.deleteAccount(D, guids[name]!);
    await tick();
    // Changed here after Exact deleted it (its push has not run yet).
    await updateCompany(relay.prisma, before.companyId!, undefined, { name: 'Verdwenen Later en Terug B.V.' }, ctx);

    await division.run('incremental');

    const link = await linkOf(name);
    expect(link).toMatchObject({ deletedInSource: true, syncStatus: 'CONFLICT', requiresManualReview: true });
    expect(link.company?.deletedAt).toBeNull();
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: before.companyId!, status: 'open' } });
    expect(conflict).toMatchObject({ kind: 'deleted_in_source', exactGuid: guids[name] });
    // Nothing is pushed meanwhile (the account is gone; an operator decides).
    expect(await isPending(before.companyId!)).toBe(false);

    const detail = await request(relay.app).get(`/v1/sync/conflicts/${conflict.id}`).set(as('service'));
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ kind: 'deleted_in_source', decisions: ['recreate', 'delete'], relay: { id: before.companyId } });
    const listed = await request(relay.app).get(`/v1/sync/conflicts?division=${D}&kind=deleted_in_source`).set(as('service'));
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(conflict.id);

    await waitFor('the conflict workflow', async () => ((await relay.env.client.workflow.getHandle(conflict.workflowId).describe()).status.name === 'RUNNING' ? true : undefined));
    const resolve = (decision: object) => request(relay.app).post(`/v1/sync/conflicts/${conflict.id}/resolve`).set(as('operator')).send({ decision });
    const wrong = await resolve({ action: 'link', companyId: before.companyId });
    expect(wrong.status).toBe(422);
    expect(wrong.body.message).toContain('recreate');

    const kept = await resolve({ action: 'recreate' });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ decision: 'recreate', companyId: before.companyId });

    const recreated = await waitFor('the new Exact account', async () => {
      const l = await relay.prisma.companySync.findFirst({ where: { companyId: before.companyId!, exactGuid: { not: null } } });
      return l && l.exactGuid !== guids[name] && l.syncStatus === 'OK' ? l : undefined;
    }, 60_000);
    expect(recreated).toMatchObject({ deletedInSource: false, matchRule: 'outbound-created' });
    expect(sim.account(D, recreated.exactGuid!)).toMatchObject({ Name: 'Verdwenen Later en Terug B.V.', City: 'Ede', Blocked: false });
    expect(await isPending(before.companyId!)).toBe(false);
    await replayAndRecord(conflict.workflowId, 'sync-conflict-recreated-after-deletion');
  }, 120_000);

  it('or deletes it here too, on the operator’s word (audited), with nothing to block', async () => {
    const name = names[2]!;
    const before = await linkOf(name);
    sim.deleteAccount(D, guids[name]!);
    await tick();
    await updateCompany(relay.prisma, before.companyId!, undefined, { city: 'Renkum' }, ctx);
    await division.run('incremental');
    const conflict = await relay.prisma.syncConflict.findFirstOrThrow({ where: { companyId: before.companyId!, status: 'open' } });
    await waitFor('the conflict workflow', async () => ((await relay.env.client.workflow.getHandle(conflict.workflowId).describe()).status.name === 'RUNNING' ? true : undefined));

    const res = await request(relay.app).post(`/v1/sync/conflicts/${conflict.id}/resolve`).set(as('operator')).send({ decision: { action: 'delete' }, note: 'gone for good' });

    expect(res.status).toBe(200);
    const link = await linkOf(name);
    expect(link.company?.deletedAt).not.toBeNull();
    expect(link).toMatchObject({ deletedInSource: true, syncStatus: 'OK' });
    expect(await isPending(before.companyId!)).toBe(false);
    const audit = await relay.prisma.auditLog.findFirstOrThrow({ where: { entityId: before.companyId!, action: 'company.deleted_in_exact' } });
    expect(audit.actor).toBe('operator:alice');
  }, 120_000);

  /** Replays the run against today's bundle; `RECORD_HISTORIES=1` saves it under test/histories/ for test/replay.test.ts. */
  async function replayAndRecord(workflowId: string, fixture: string) {
    const handle = relay.env.client.workflow.getHandle(workflowId);
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay.config.codec.keys) }, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay.config.codec.keys));
      writeFileSync(path.join(__dirname, '..', 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
  }
});
