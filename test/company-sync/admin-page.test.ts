import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { freePort } from '../../scripts/lib/temporal-dev-server';
import { createExactConnection } from '../../src/db/company-sync/exact-connections';
import { applyInboundAccount } from '../../src/db/company-sync/inbound-apply';
import { createSecretSealer } from '../../src/db/sealed-secrets';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { fromExactSyncRow } from '../../src/integrations/exact/mapping';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { startConflictWorkflow } from '../../src/temporal/starters/exact-division';
import { conflictStateQuery } from '../../src/workflows/company-sync/definitions';
import { type RelayHarness, TEST_KEYS, startRelay } from '../helpers/relay';
import { waitFor } from '../helpers/wait';

/**
 * Acceptance: an operator signs in, opens /admin/conflicts in headless Chromium, sees our
 * company and the Exact account side by side with the differing fields highlighted, resolves
 * one conflict with a button and another by merging chosen fields — and the database shows the
 * company linked. The conflicts come from the inbound apply of two accounts read from the Exact
 * simulator, each with its real conflict workflow. Screenshots of each step are left in $TMPDIR/relay-admin-page-* /screenshots.
 */

const CHROMIUM = '/usr/bin/chromium';
const D = 773_001 + randomInt(0, 900);

describe('the conflicts admin page in a browser', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relay-admin-page-'));
  const shots = path.join(dir, 'screenshots');
  let sim: ExactSimulator;
  let relay: RelayHarness | undefined;
  let api: Server | undefined;
  let browser: BrowserContext | undefined;
  let apiUrl = '';
  const kvk = String(randomInt(10_000_000, 99_999_999));
  const postcode = `${randomInt(1000, 9999)} KX`;
  let holder: { id: string };
  let neighbour: { id: string };
  let collisionGuid = '';
  let reviewGuid = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Admin page B.V.' }] });
    collisionGuid = sim.createAccount(D, { Name: 'Bakkerij Jansen', ChamberOfCommerce: kvk, AddressLine1: 'Keizersgracht 12', Postcode: '1015 CJ', City: 'Amsterdam', Country: 'NL' }).ID.toLowerCase();
    reviewGuid = sim.createAccount(D, { Name: 'Fietsenmakerij De Spaak', AddressLine1: 'Oudegracht 5', Postcode: postcode, City: 'Utrecht', Country: 'NL' }).ID.toLowerCase();

    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    const env = { EXACT_BASE_URL: sim.url, API_PUBLIC_URL: apiUrl, EXACT_CONFLICT_REMIND_AFTER: '1h', EXACT_CONFLICT_ESCALATE_AFTER: '2h' };
    relay = await startRelay({ env });
    api = relay.app.listen(apiPort, '127.0.0.1');
    await new Promise((resolve) => api!.once('listening', resolve));

    holder = await relay.prisma.company.create({ data: { name: 'Bakkerij Jansen B.V.', chamberOfCommerceId: kvk, streetName: 'Keizersgracht', buildingNumber: '12', postalCode: '1015 CJ', city: 'Amsterdam', country: 'NL' } });
    neighbour = await relay.prisma.company.create({ data: { name: 'Rijwielhandel Utrecht', streetName: 'Oudegracht', buildingNumber: '5', postalCode: postcode, city: 'Utrecht', country: 'NL' } });
    const answer = sim.issueTokens();
    const connection = await createExactConnection(relay.prisma, createSecretSealer(relay.config.codec.keys), {
      baseUrl: sim.url,
      exactUserId: sim.user.id,
      tokens: { accessToken: answer.access_token, refreshToken: answer.refresh_token, expiresInSeconds: Number(answer.expires_in) },
      issuedAtMs: sim.now(),
    });
    await relay.prisma.exactDivision.create({ data: { division: D, connectionId: connection.id, name: 'Admin page B.V.' } });
    // Each account through the inbound apply (the import's per-account step), its conflict's workflow started as the import starts it.
    const starter = { client: relay!.env.client, taskQueues: relay!.taskQueues };
    for (const guid of [collisionGuid, reviewGuid]) {
      const account = fromExactSyncRow(sim.account(D, guid) as unknown as Parameters<typeof fromExactSyncRow>[0]);
      const applied = await applyInboundAccount(relay!.prisma, account, { division: D, manualReviewFields: [], actor: 'test', correlationId: 'test' });
      expect(applied.conflict).toBeDefined();
      await startConflictWorkflow(starter, applied.conflict!, { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000 });
    }
    const rows = await relay!.prisma.syncConflict.findMany({ where: { division: D, status: 'open' } });
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      await waitFor(`the workflow of conflict ${row.kind}`, () => relay!.env.client.workflow.getHandle(row.workflowId).query(conflictStateQuery).catch(() => undefined), 60_000);
    }

    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 1400 },
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    api?.closeAllConnections();
    await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
    // Later test files share the database: no company of theirs is sent to this simulator once it is gone.
    await relay?.prisma.exactDivision.updateMany({ where: { division: D }, data: { enabled: false } });
    await relay?.env.client.workflow.getHandle(WorkflowIds.exactDivision(D)).terminate('test over').catch(() => undefined);
    await relay?.stop();
    await sim?.close();
    // Screenshots stay for a look after the run; the rest goes.
    rmSync(path.join(dir, 'profile'), { recursive: true, force: true });
  });

  it('signs in, resolves a conflict with a button and another by merging chosen fields; the companies are linked', async () => {
    const page = await browser!.newPage();

    // 1. Not signed in: the page sends the browser to the operator sign-in.
    await page.goto(`${apiUrl}/admin/conflicts`);
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in');
    await page.locator('#key').fill(TEST_KEYS.operator);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();

    // 2. The open conflicts.
    await page.goto(`${apiUrl}/admin/conflicts`);
    await page.getByRole('heading', { name: 'Open conflicts' }).waitFor();
    const ours = page.locator('#conflicts tbody tr').filter({ has: page.locator(`code[title="${collisionGuid}"]`) });
    await ours.getByText('KVK held by another company').waitFor();
    await page.screenshot({ path: path.join(shots, '1-open-conflicts.png'), fullPage: true });

    // 3. One conflict: our record and Exact's side by side, the differing field highlighted.
    await ours.getByRole('link', { name: 'Open' }).click();
    await page.getByRole('heading', { name: /^Relay company: Bakkerij Jansen B\.V\./ }).waitFor();
    const nameRow = page.locator('section.candidate table.comparison tr[data-field="name"]').first();
    expect(await nameRow.getAttribute('class')).toBe('differs');
    expect(await nameRow.innerText()).toContain('Bakkerij Jansen B.V.');
    expect(await nameRow.innerText()).toContain('Bakkerij Jansen');
    expect(await page.locator('section.candidate table.comparison tr[data-field="chamberOfCommerceId"]').first().getAttribute('class')).toBe('same');
    expect(await page.locator('body').innerText()).toContain(`Matched by rule kvk on chamberOfCommerceId ${kvk}`);
    await page.screenshot({ path: path.join(shots, '2-side-by-side.png'), fullPage: true });

    // Another operator's tab on the same conflict, opened before it is decided.
    const stale = await browser!.newPage();
    await stale.goto(page.url());

    // 4. Resolve with a button: the outcome is shown, the database has the link.
    await page.locator(`section.candidate[data-company-id="${holder.id}"]`).getByRole('button', { name: 'Link to this company' }).click();
    await page.locator('#outcome, #rejection').first().waitFor();
    expect(await page.locator('#outcome, #rejection').first().innerText()).toContain('Resolved: link');
    expect(await page.locator('#outcome').innerText()).toContain('alice');
    await page.screenshot({ path: path.join(shots, '3-resolved.png'), fullPage: true });
    const link = await relay!.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: collisionGuid } });
    expect(link).toMatchObject({ companyId: holder.id, syncStatus: 'OK' });
    const resolved = await relay!.prisma.syncConflict.findFirstOrThrow({ where: { exactGuid: collisionGuid } });
    expect(resolved).toMatchObject({ status: 'resolved' });
    expect(resolved.resolvedBy).toContain('alice');

    // 5. The other tab's decision comes too late: refused with the reason, nothing changes.
    await stale.getByRole('button', { name: 'Ignore this account' }).click();
    await stale.locator('#rejection').waitFor();
    expect(await stale.locator('#rejection').innerText()).toContain('already resolved');
    expect(await relay!.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: collisionGuid } })).toMatchObject({ companyId: holder.id, syncStatus: 'OK' });
    await stale.screenshot({ path: path.join(shots, '3b-too-late.png'), fullPage: true });
    await stale.close();

    // 6. The address match: merge into our company, taking Exact's name and keeping our city.
    await page.goto(`${apiUrl}/admin/conflicts`);
    await page.locator('#conflicts tbody tr').filter({ has: page.locator(`code[title="${reviewGuid}"]`) }).getByRole('link', { name: 'Open' }).click();
    const merge = page.locator(`section.candidate[data-company-id="${neighbour.id}"] fieldset`);
    await merge.locator('input[name="field.name"][value="exact"]').check();
    await page.screenshot({ path: path.join(shots, '4-merge-choices.png'), fullPage: true });
    await merge.getByRole('button', { name: 'Merge chosen fields' }).click();
    await page.locator('#outcome, #rejection').first().waitFor();
    expect(await page.locator('#outcome, #rejection').first().innerText()).toContain('Resolved: merge');
    await page.screenshot({ path: path.join(shots, '5-merged.png'), fullPage: true });
    const merged = await relay!.prisma.company.findUniqueOrThrow({ where: { id: neighbour.id } });
    expect(merged).toMatchObject({ name: 'Fietsenmakerij De Spaak', city: 'Utrecht' });
    expect(await relay!.prisma.companySync.findUniqueOrThrow({ where: { exactGuid: reviewGuid } })).toMatchObject({ companyId: neighbour.id });
  }, 120_000);

  it('refuses a form posted without the session’s token or from another origin', async () => {
    const conflict = await relay!.prisma.syncConflict.findFirstOrThrow({ where: { division: D } });
    const post = (headers: Record<string, string>, form: Record<string, string>) =>
      browser!.request.post(`${apiUrl}/admin/conflicts/${conflict.id}/resolve`, { headers, form, maxRedirects: 0 });
    const noToken = await post({ origin: apiUrl }, { action: 'ignore' });
    expect(noToken.status()).toBe(403);
    expect(await noToken.text()).toContain('reload the page');
    const elsewhere = await post({ origin: 'http://evil.example' }, { action: 'ignore', csrf: 'x' });
    expect(elsewhere.status()).toBe(403);
    // Without a session at all: to the sign-in, nothing applied.
    const anonymous = await fetch(`${apiUrl}/admin/conflicts/${conflict.id}/resolve`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=ignore' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/ui\/sign-in/);
  });
});
