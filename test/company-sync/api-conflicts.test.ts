import { randomInt } from 'node:crypto';
import { type Express } from 'express';
import request from 'supertest';
import { openConflict } from '../../src/db/company-sync/conflicts';
import { createExactConnection } from '../../src/db/company-sync/exact-connections';
import { applyInboundAccount } from '../../src/db/company-sync/inbound-apply';
import { createSecretSealer } from '../../src/db/sealed-secrets';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { fromExactSyncRow } from '../../src/integrations/exact/mapping';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { startConflictWorkflow } from '../../src/temporal/starters/exact-division';
import { conflictStateQuery } from '../../src/workflows/company-sync/definitions';
import { type RelayHarness, bearer, startRelay } from '../helpers/relay';
import { waitFor } from '../helpers/wait';

/**
 * Conflicts through the API, raised by the inbound apply of accounts read from the Exact
 * simulator (the import's per-account step; the import run is left out because its closing sweep
 * pushes every unlinked company to Exact, which is the outbound sync's story) and decided
 * through their real workflows: the list (filters, pages), one conflict with both sides field
 * by field, the candidates and why the link was made, and a decision — refused by role, by
 * shape, by the workflow's rules, applied once, refused again once decided, and audited.
 */

const D = 772_001 + randomInt(0, 900);

const freshKvk = () => String(randomInt(10_000_000, 99_999_999));

describe('sync conflicts API', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  let app: Express;
  const kvk = freshKvk();
  const postcode = `${randomInt(1000, 9999)} KX`;
  let holder: { id: string };
  let neighbour: { id: string };
  let collisionGuid: string;
  let reviewGuid: string;
  const env = () => ({ EXACT_BASE_URL: sim.url, EXACT_CONFLICT_REMIND_AFTER: '1h', EXACT_CONFLICT_ESCALATE_AFTER: '2h' });

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Conflicts B.V.' }] });
    // Scenario A: the KVK our unlinked company holds. And an account at our other company's address (a review).
    collisionGuid = sim.createAccount(D, { Name: 'Bakkerij Jansen', ChamberOfCommerce: kvk, AddressLine1: 'Keizersgracht 12', Postcode: '1015 CJ', City: 'Amsterdam', Country: 'NL' }).ID;
    reviewGuid = sim.createAccount(D, { Name: 'Fietsenmakerij De Spaak', AddressLine1: 'Oudegracht 5', Postcode: postcode, City: 'Utrecht', Country: 'NL' }).ID;
    relay = await startRelay({ env: env() });
    app = relay.app;
    holder = await relay.prisma.company.create({ data: { name: 'Bakkerij Jansen B.V.', chamberOfCommerceId: kvk, streetName: 'Keizersgracht', buildingNumber: '12', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' } });
    neighbour = await relay.prisma.company.create({ data: { name: 'Rijwielhandel Utrecht', streetName: 'Oudegracht', buildingNumber: '5', postalCode: postcode, city: 'Utrecht', country: 'NL' } });

    const answer = sim.issueTokens();
    const connection = await createExactConnection(relay.prisma, createSecretSealer(relay.config.codec.keys), {
      baseUrl: sim.url,
      exactUserId: sim.user.id,
      tokens: { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresInSeconds: Number(answer.expires_in) },
      issuedAtMs: sim.now(),
    });
    await relay.prisma.exactDivision.create({ data: { division: D, connectionId: connection.id, name: 'Conflicts B.V.' } });
    // Each account through the inbound apply (the import's per-account step), its conflict's workflow started as the import starts it.
    const starter = { client: relay.env.client, taskQueues: relay.taskQueues };
    for (const guid of [collisionGuid, reviewGuid]) {
      const account = fromExactSyncRow(sim.account(D, guid) as unknown as Parameters<typeof fromExactSyncRow>[0]);
      const applied = await applyInboundAccount(relay.prisma, account, { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
      expect(applied.conflict).toBeDefined();
      await startConflictWorkflow(starter, applied.conflict!, { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000 });
    }
    const rows = await relay.prisma.syncConflict.findMany({ where: { division: D, status: 'open' } });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      await waitFor(`the workflow of conflict ${row.kind}`, () => relay.env.client.workflow.getHandle(row.workflowId).query(conflictStateQuery).catch(() => undefined), 60_000);
    }
  }, 180_000);

  afterAll(async () => {
    // Later test files share the database: no company of theirs is sent to this simulator once it is gone.
    await relay?.prisma.exactDivision.updateMany({ where: { division: D }, data: { enabled: false } });
    await relay?.env.client.workflow.getHandle(WorkflowIds.exactDivision(D)).terminate('test over').catch(() => undefined);
    await relay?.stop();
    await sim?.close();
  });

  const as = (role: 'service' | 'operator') => ({ authorization: bearer(role) });
  const conflictOf = (guid: string) => relay.prisma.syncConflict.findFirstOrThrow({ where: { exactGuid: guid.toLowerCase() } });

  it('lists conflicts newest first, filtered by status, kind and division, in pages', async () => {
    const all = await request(app).get(`/v1/sync/conflicts?division=${D}`).set(as('service'));
    expect(all.status).toBe(200);
    expect(all.body.items.map((c: { kind: string }) => c.kind).sort()).toEqual(['address_match', 'kvk_collision']);
    expect(all.body.items[0].createdAt >= all.body.items[1].createdAt).toBe(true);
    expect(all.body.items.every((c: { status: string; webUiUrl: string }) => c.status === 'open' && c.webUiUrl.includes('sync-conflict-'))).toBe(true);

    const kvkOnly = await request(app).get(`/v1/sync/conflicts?division=${D}&kind=kvk_collision&status=open`).set(as('service'));
    expect(kvkOnly.body.items).toHaveLength(1);
    expect(kvkOnly.body.items[0]).toMatchObject({ kind: 'kvk_collision', exactGuid: collisionGuid.toLowerCase(), companyId: holder.id });

    const first = await request(app).get(`/v1/sync/conflicts?division=${D}&limit=1`).set(as('service'));
    const second = await request(app).get(`/v1/sync/conflicts?division=${D}&limit=1&cursor=${first.body.nextCursor}`).set(as('service'));
    expect(second.body.nextCursor).toBeNull();
    expect([first.body.items[0].id, second.body.items[0].id].sort()).toEqual(all.body.items.map((c: { id: string }) => c.id).sort());

    expect((await request(app).get('/v1/sync/conflicts?kind=whatever').set(as('service'))).status).toBe(400);
    expect((await request(app).get('/v1/sync/conflicts?status=closed').set(as('service'))).status).toBe(400);
  });

  it('shows one conflict: our company and the Exact account field by field, the candidates, and why', async () => {
    const conflict = await conflictOf(collisionGuid);
    const res = await request(app).get(`/v1/sync/conflicts/${conflict.id}`).set(as('service'));
    expect(res.status).toBe(200);
    const detail = res.body;
    expect(detail).toMatchObject({ id: conflict.id, kind: 'kvk_collision', status: 'open', rule: 'kvk', relay: { id: holder.id, name: 'Bakkerij Jansen B.V.' } });
    expect(detail.exact).toMatchObject({ guid: collisionGuid.toLowerCase(), fields: { name: 'Bakkerij Jansen', chamberOfCommerceId: kvk, postalCode: '1015 CJ' } });
    const byField = Object.fromEntries(detail.fields.map((f: { field: string }) => [f.field, f]));
    expect(byField.name).toMatchObject({ relay: 'Bakkerij Jansen B.V.', exact: 'Bakkerij Jansen', differs: true });
    expect(byField.chamberOfCommerceId).toMatchObject({ relay: kvk, exact: kvk, differs: false });
    expect(byField.buildingNumber).toMatchObject({ relay: '12', exact: '12', differs: false });
    expect(detail.candidates.map((c: { companyId: string }) => c.companyId)).toContain(holder.id);
    expect(detail.link).toMatchObject({ exactGuid: collisionGuid.toLowerCase(), status: 'CONFLICT', matchRule: 'kvk' });
    expect(detail.matchValues).toMatchObject({ chamberOfCommerceId: kvk });
    expect(detail.decisions).toEqual(expect.arrayContaining(['link', 'merge', 'create', 'ignore']));

    const review = await request(app).get(`/v1/sync/conflicts/${(await conflictOf(reviewGuid)).id}`).set(as('service'));
    expect(review.body).toMatchObject({ kind: 'address_match', relay: null });
    expect(review.body.candidates[0]).toMatchObject({ companyId: neighbour.id, company: { name: 'Rijwielhandel Utrecht' } });
    expect(review.body.candidates[0].fields.find((f: { field: string }) => f.field === 'name')).toMatchObject({ differs: true });

    expect((await request(app).get('/v1/sync/conflicts/7d1c0a3e-0000-4000-8000-000000000000').set(as('service'))).status).toBe(404);
    expect((await request(app).get('/v1/sync/conflicts/nope').set(as('service'))).status).toBe(400);
  });

  it('resolves through the workflow: operators only, the validator and the rules answer at once, once only, audited', async () => {
    const conflict = await conflictOf(collisionGuid);
    const resolve = (role: 'service' | 'operator', body: object) => request(app).post(`/v1/sync/conflicts/${conflict.id}/resolve`).set(as(role)).send(body);

    expect((await resolve('service', { decision: { action: 'link', companyId: holder.id } })).status).toBe(403);
    const shapeless = await resolve('operator', { decision: { action: 'link' } });
    expect(shapeless.status).toBe(400);
    expect(shapeless.body.issues[0].path).toEqual(['decision', 'companyId']);
    expect((await resolve('operator', { decision: { action: 'link', companyId: holder.id }, operator: 'mallory' })).status).toBe(400);

    // The rules refuse a company that does not exist: 422 with their reason, nothing applied.
    const nobody = await resolve('operator', { decision: { action: 'link', companyId: '7d1c0a3e-0000-4000-8000-000000000000' } });
    expect(nobody.status).toBe(422);
    expect(nobody.body.message).toContain('7d1c0a3e-0000-4000-8000-000000000000');
    expect((await relay.prisma.syncConflict.findUniqueOrThrow({ where: { id: conflict.id } })).status).toBe('open');

    const done = await resolve('operator', { decision: { action: 'link', companyId: holder.id }, note: 'same bakery' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ conflictId: conflict.id, decision: 'link', companyId: holder.id, exactGuid: collisionGuid.toLowerCase(), resolvedBy: 'alice' });
    const link = await relay.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: collisionGuid.toLowerCase() } });
    expect(link).toMatchObject({ companyId: holder.id, syncStatus: 'OK' });

    const again = await resolve('operator', { decision: { action: 'ignore' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'conflict', status: 'resolved', resolvedBy: expect.stringContaining('alice') });

    const audit = await request(app).get(`/v1/audit?entityId=${conflict.id}`).set(as('operator'));
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((a: { action: string; actor: string }) => [a.action, a.actor])).toContainEqual(['sync_conflict.resolved', 'operator:alice']);
    const company = await request(app).get(`/v1/companies/${holder.id}`).set(as('service'));
    expect(company.body.links).toContainEqual(expect.objectContaining({ exactGuid: collisionGuid.toLowerCase(), status: 'OK', division: D, matchRule: 'operator' }));
  });

  it('applies the other decisions too: ignore leaves the account unlinked', async () => {
    const conflict = await conflictOf(reviewGuid);
    const res = await request(app).post(`/v1/sync/conflicts/${conflict.id}/resolve`).set(as('operator')).send({ decision: { action: 'ignore' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: 'ignore', companyId: null });
    const listed = await request(app).get(`/v1/sync/conflicts?division=${D}&status=resolved`).set(as('service'));
    expect(listed.body.items.map((c: { id: string }) => c.id)).toContain(conflict.id);
    const open = await request(app).get(`/v1/sync/conflicts?division=${D}&status=open`).set(as('service'));
    expect(open.body.items.map((c: { id: string }) => c.id)).not.toContain(conflict.id);
  });
  it('merges the street address as one value: one side for street, number and addition, never a part from each', async () => {
    const shared = freshKvk();
    const company = await relay.prisma.company.create({ data: { name: 'Drukkerij Bos', chamberOfCommerceId: shared, streetName: 'Marktplein', buildingNumber: '79', buildingNumberAddition: 'B', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' } });
    const row = sim.createAccount(D, { Name: 'Drukkerij Bos B.V.', ChamberOfCommerce: shared, AddressLine1: 'Industrieweg 348', Postcode: '1015 CJ', City: 'Amsterdam', Country: 'NL' });
    const applied = await applyInboundAccount(relay.prisma, fromExactSyncRow(row as unknown as Parameters<typeof fromExactSyncRow>[0]), { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
    await startConflictWorkflow({ client: relay.env.client, taskQueues: relay.taskQueues }, applied.conflict!, { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000 });
    const resolve = (decision: object) => request(app).post(`/v1/sync/conflicts/${applied.conflict!.id}/resolve`).set(as('operator')).send({ decision });

    const mixed = await resolve({ action: 'merge', companyId: company.id, fields: { streetName: 'exact', buildingNumber: 'exact', buildingNumberAddition: 'relay' } });
    expect(mixed.status).toBe(422);
    expect(mixed.body.message).toContain('street address is one value');
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ streetName: 'Marktplein', buildingNumberAddition: 'B' });

    // Exact's side chosen for the number: Exact's whole address ("Industrieweg 348", no addition).
    const merged = await resolve({ action: 'merge', companyId: company.id, fields: { buildingNumber: 'exact' } });
    expect(merged.status).toBe(200);
    expect(await relay.prisma.company.findUniqueOrThrow({ where: { id: company.id } })).toMatchObject({ name: 'Drukkerij Bos', streetName: 'Industrieweg', buildingNumber: '348', buildingNumberAddition: null });
  });

  it('shows an outbound ambiguity (several Exact accounts carry our KVK) and links the account the operator picks', async () => {
    const shared = freshKvk();
    const accounts = [
      sim.createAccount(D, { Name: 'Groenteboer Pietersen', ChamberOfCommerce: shared, AddressLine1: 'Markt 1', Postcode: '2611 GP', City: 'Delft', Country: 'NL' }),
      sim.createAccount(D, { Name: 'Pietersen Groente en Fruit', ChamberOfCommerce: `${shared.slice(0, 4)}.${shared.slice(4)}`, AddressLine1: 'Markt 3', Postcode: '2611 GP', City: 'Delft', Country: 'NL' }),
    ].map((a) => fromExactSyncRow(a as unknown as Parameters<typeof fromExactSyncRow>[0]));
    const company = await relay.prisma.company.create({ data: { name: 'Groenteboer Pietersen', chamberOfCommerceId: shared, streetName: 'Markt', buildingNumber: '1', postalCode: '2611 GP', city: 'Delft', country: 'NL' } });
    // As the outbound sync records it (src/activities/company-sync/outbound.ts, matchByKvk).
    const conflict = await relay.prisma.$transaction(async (tx) => {
      const link = await tx.companySync.create({ data: { companyId: company.id, division: D, syncStatus: 'PENDING_REVIEW', requiresManualReview: true } });
      return openConflict(tx, {
        kind: 'ambiguous_kvk',
        division: D,
        exactGuid: null,
        companyId: company.id,
        syncId: link.id,
        workflowId: WorkflowIds.syncConflictOfCompany(company.id),
        details: {
          reason: '2 Exact accounts carry this KVK number; choose the one this company is',
          kvk: shared,
          candidates: accounts.map((a) => ({ exactGuid: a.guid, code: a.code, fields: { ...a.fields, chamberOfCommerceId: shared }, kvkAsInExact: a.fields.chamberOfCommerceId })),
        },
      });
    });
    await startConflictWorkflow({ client: relay.env.client, taskQueues: relay.taskQueues }, conflict, { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000 });

    const detail = await request(app).get(`/v1/sync/conflicts/${conflict.id}`).set(as('service'));
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ kind: 'ambiguous_kvk', exact: null, relay: { id: company.id }, decisions: ['link_exact', 'ignore'] });
    expect(detail.body.exactCandidates.map((c: { exactGuid: string }) => c.exactGuid)).toEqual(accounts.map((a) => a.guid));
    const second = detail.body.exactCandidates[1];
    expect(second.comparison.find((f: { field: string }) => f.field === 'name')).toMatchObject({ relay: 'Groenteboer Pietersen', exact: 'Pietersen Groente en Fruit', differs: true });
    expect(second.comparison.find((f: { field: string }) => f.field === 'chamberOfCommerceId')).toMatchObject({ differs: false });

    const resolve = (decision: object) => request(app).post(`/v1/sync/conflicts/${conflict.id}/resolve`).set(as('operator')).send({ decision });
    // The validator: only one of the accounts found, and only link_exact or ignore.
    const stranger = await resolve({ action: 'link_exact', exactGuid: '7d1c0a3e-0000-4000-8000-000000000000' });
    expect(stranger.status).toBe(422);
    expect(stranger.body.message).toContain('not one of this conflict');
    const wrongKind = await resolve({ action: 'create' });
    expect(wrongKind.status).toBe(422);

    const picked = await resolve({ action: 'link_exact', exactGuid: accounts[0]!.guid });
    expect(picked.status).toBe(200);
    expect(picked.body).toMatchObject({ decision: 'link_exact', companyId: company.id, exactGuid: accounts[0]!.guid });
    expect(await relay.prisma.companySync.findFirstOrThrow({ where: { companyId: company.id } })).toMatchObject({ exactGuid: accounts[0]!.guid, matchRule: 'operator' });
  });
});
