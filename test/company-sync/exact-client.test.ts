import { ExactRateBudget } from '../../src/db/company-sync/rate-budget';
import { emptyFields, type CompanyFields } from '../../src/domain/company-sync/company-fields';
import { ExactClient, exactClientErrorCounts } from '../../src/integrations/exact/client';
import { ExactMaintenance, ExactRequestRejected } from '../../src/integrations/exact/errors';
import { fromExactSyncRow, toExactWrite } from '../../src/integrations/exact/mapping';
import { authorizationCode, ExactOAuthClient, ExactTokenManager } from '../../src/integrations/exact/oauth';
import { odataGuid, odataInt64, odataString, padCode, parseInt64, parseODataDate } from '../../src/integrations/exact/odata';
import { createExactSimulator, type ExactSimulator } from '../../src/integrations/exact/simulator';
import { type ExactTestDatabase, exactTestDatabase, silentLogger, simConnection, testKey, testSealer } from './fixtures/exact-test-env';

/**
 * The Exact client against the simulator (which speaks Exact's wire format from its own definitions): Sync API
 * paging to the last `__next`, `L`-suffixed Int64 filters, string Timestamps, padded Codes in filters, creates
 * that never send an ID, the maintenance page as a typed error, a 401 answered by one refresh.
 */
describe('company sync: Exact Online client', () => {
  const D = 412001;
  const logger = silentLogger();
  const sealer = testSealer(testKey());
  let db: ExactTestDatabase;
  let sim: ExactSimulator;
  let tokens: ExactTokenManager;
  let client: ExactClient;

  beforeAll(async () => {
    db = await exactTestDatabase('exact_client');
    // Long-lived access tokens, so that a 401 (not the token's age) is what makes the client refresh.
    sim = await createExactSimulator({ divisions: [{ code: D, description: 'Testbedrijf B.V.' }], lifetimes: { accessTokenSeconds: 1200 } });
    const oauth = new ExactOAuthClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, redirectUri: 'http://127.0.0.1/cb' }, { logger });
    tokens = new ExactTokenManager({ prisma: db.prisma, sealer, oauth, logger, clock: () => sim.now() });
    const connectionId = await simConnection(db.prisma, sealer, sim);
    const budget = new ExactRateBudget({ prisma: db.prisma, limits: { minuteLimit: 1000, dayLimit: 100_000 } });
    sim.setLimits({ minutely: 1000, daily: 100_000 });
    client = new ExactClient({ baseUrl: sim.url, division: D, tokens: tokens.tokenSource(connectionId), budget, logger });
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  const fields = (over: Partial<CompanyFields>): CompanyFields => ({ ...emptyFields(), ...over });

  it('reads the Sync API page by page to the last __next, with an L-suffixed cursor and string Timestamps', async () => {
    sim.seed(D, 2_345, 11);
    // Pages shorter than 1000 that still link on: the end is where __next is absent, never a short page.
    sim.setFaults({ shortPages: { next: 1, size: 400, path: 'sync/CRM/Accounts' } });
    const since = sim.engine.calls.lastSeq();
    const seen = new Set<string>();
    let cursor = 1n;
    let next: string | undefined;
    const sizes: number[] = [];
    let max = 0n;
    do {
      const page = await client.syncAccounts(cursor, next);
      sizes.push(page.rows.length);
      for (const row of page.rows) seen.add(row.guid);
      if (page.maxTimestamp > max) max = page.maxTimestamp;
      next = page.next;
    } while (next !== undefined);
    cursor = max;

    const accounts = sim.accounts(D);
    expect(seen.size).toBe(accounts.length);
    expect(accounts.length).toBe(2_345);
    // A short first page did not end the read; the page without __next did.
    expect(sizes).toEqual([400, 1000, 945]);
    expect(max).toBe(BigInt(accounts.at(-1)!.Timestamp));
    // The simulator writes Timestamps as strings (OData v2 Int64); both forms read the same.
    expect(typeof accounts[0]!.Timestamp).toBe('string');
    expect(fromExactSyncRow({ ...accounts[0], Timestamp: Number(accounts[0]!.Timestamp) } as Record<string, unknown>).timestamp).toBe(BigInt(accounts[0]!.Timestamp));

    const calls = sim.calls({ endpoint: 'sync/CRM/Accounts', sinceSeq: since });
    expect(calls.map((c) => c.status)).toEqual([200, 200, 200]);
    expect(decodeURIComponent(calls[0]!.query)).toContain('Timestamp gt 1L');

    // From the stored cursor: nothing new, one call, no __next.
    const after = await client.syncAccounts(cursor);
    expect(after).toMatchObject({ rows: [], next: undefined, maxTimestamp: cursor });
    const changed = sim.updateAccount(D, accounts[5]!.ID, { City: 'Zwolle' })!;
    const page = await client.syncAccounts(cursor);
    expect(page.rows.map((r) => r.guid)).toEqual([changed.ID]);
    expect(page.rows[0]!.fields.city).toBe('Zwolle');
    expect(page.maxTimestamp).toBe(BigInt(changed.Timestamp));
  });

  it('reads deletions of accounts from sync/Deleted', async () => {
    const victim = sim.accounts(D)[3]!;
    const before = await client.syncDeleted(1n);
    sim.deleteAccount(D, victim.ID);
    const page = await client.syncDeleted(before.maxTimestamp);
    expect(page.rows).toEqual([expect.objectContaining({ guid: victim.ID })]);
    expect(page.maxTimestamp).toBeGreaterThan(before.maxTimestamp);
    const call = sim.calls({ endpoint: 'sync/Deleted' }).at(-1)!;
    expect(decodeURIComponent(call.query)).toMatch(/Timestamp gt \d+L and EntityType eq 2/);
  });

  it('creates an account without an ID, marked in SearchCode, and gets its ID and Code back', async () => {
    const marker = 'RLY-0001-abcdef';
    const created = await client.createAccount(
      fields({ name: 'Bakkerij De Korenschoof B.V.', chamberOfCommerceId: '12345678', streetName: 'Dorpsstraat', buildingNumber: '5', buildingNumberAddition: 'A', postalCode: '1234 AB', city: 'Ede', country: 'NL' }),
      marker,
    );
    expect(created.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.code).toMatch(/^\d+$/); // trimmed: Exact pads it to 18 characters
    const stored = sim.account(D, created.guid)!;
    expect(stored).toMatchObject({ Name: 'Bakkerij De Korenschoof B.V.', SearchCode: marker, AddressLine1: 'Dorpsstraat 5A', Postcode: '1234 AB', Country: 'NL' });
    expect(stored.Code).toHaveLength(18);
    expect(created.fields).toMatchObject({ streetName: 'Dorpsstraat', buildingNumber: '5', buildingNumberAddition: 'A' });
    const post = sim.calls({ method: 'POST', endpoint: 'crm/Accounts' }).at(-1)!;
    expect(post.status).toBe(201);

    // Found again by its marker and by its Code (padded in the filter), one account each.
    expect((await client.findAccounts({ searchCode: marker })).map((a) => a.guid)).toEqual([created.guid]);
    expect((await client.findAccounts({ code: created.code! })).map((a) => a.guid)).toEqual([created.guid]);
    expect(decodeURIComponent(sim.calls({ endpoint: 'crm/Accounts' }).at(-1)!.query)).toContain(`Code eq '${created.code!.padStart(18, ' ')}'`);
  });

  it('finds accounts by KVK across pages, with quotes escaped in the literal', async () => {
    const kvk = "12'345678";
    for (let i = 0; i < 65; i++) sim.createAccount(D, { Name: `Dubbel ${i}`, ChamberOfCommerce: kvk });
    const found = await client.findAccounts({ chamberOfCommerce: kvk });
    expect(found).toHaveLength(65); // 60 per page on regular endpoints: two pages
    expect(found.every((a) => a.fields.chamberOfCommerceId === kvk)).toBe(true);
    expect(await client.findAccounts({ chamberOfCommerce: '99999999' })).toEqual([]);
  });

  it('reads one account by ID, and a missing one as null without a 404', async () => {
    const any = sim.accounts(D)[10]!;
    expect(await client.getAccount(any.ID)).toMatchObject({ guid: any.ID, code: any.Code.trim() });
    const since = sim.engine.calls.lastSeq();
    expect(await client.getAccount('0d6c9d5e-1111-4222-8333-944445555666')).toBeNull();
    expect(sim.calls({ sinceSeq: since }).map((c) => c.status)).toEqual([200]);
  });

  it('updates only the changed fields (204), keeps the street when only the number changes, and blocks instead of deleting', async () => {
    const created = await client.createAccount(fields({ name: 'Garage Jansen', streetName: 'Keizersgracht', buildingNumber: '12', city: 'Amsterdam', country: 'NL' }), 'RLY-0002');
    sim.updateAccount(D, created.guid, { Phone: '020-1234567' });
    await client.updateAccount(created.guid, { buildingNumber: '14', city: 'Haarlem' }, { current: created.fields });
    const put = sim.calls({ method: 'PUT' }).at(-1)!;
    expect(put.status).toBe(204);
    expect(sim.account(D, created.guid)).toMatchObject({ AddressLine1: 'Keizersgracht 14', City: 'Haarlem', Name: 'Garage Jansen', Phone: '020-1234567' });
    expect(toExactWrite({ city: 'Haarlem' })).toEqual({ City: 'Haarlem' });
    expect(toExactWrite({ postalCode: null })).toEqual({ Postcode: '' });

    await client.blockAccount(created.guid);
    expect(sim.account(D, created.guid)).toMatchObject({ Blocked: true, Name: 'Garage Jansen' });
    expect(sim.calls({ method: 'DELETE' })).toHaveLength(0);
  });

  it('keeps an address line it cannot split whole, flagged, and never guesses', async () => {
    const a = sim.createAccount(D, { Name: 'Postbus BV', AddressLine1: 'Postbus 123' });
    const read = (await client.getAccount(a.ID))!;
    expect(read.fields).toMatchObject({ streetName: null, buildingNumber: null, buildingNumberAddition: null });
    expect(read).toMatchObject({ addressUnparsed: 'Postbus 123', addressUnparsedReason: 'po_box' });
  });

  it('turns Exact’s refusal into a typed non-retryable error with Exact’s message', async () => {
    const created = await client.createAccount(fields({ name: 'Te Lang' }), 'RLY-0003');
    const err = await client.updateAccount(created.guid, { name: 'x'.repeat(200) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExactRequestRejected);
    expect(err).toMatchObject({ status: 400, nonRetryable: true });
    expect((err as ExactRequestRejected).vendorMessage).toMatch(/longer than 100/);
    expect(exactClientErrorCounts()[`${D}:crm/Accounts`]).toBeGreaterThanOrEqual(1);
  });

  it('takes the maintenance page (200 or 503, HTML) for a retryable error, never for data', async () => {
    for (const status of [200, 503] as const) {
      sim.setFaults({ maintenance: { status } });
      const err = await client.syncAccounts(1n).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExactMaintenance);
      expect(err).toMatchObject({ type: 'ExactMaintenance', nonRetryable: false });
      sim.setFaults({ maintenance: null });
    }
    await expect(client.syncAccounts(1n)).resolves.toMatchObject({ next: expect.any(String) });
  });

  it('answers a 401 with one refresh and one more try', async () => {
    // Past the 570-second guard, the token still valid by its age: only the 401 says it no longer works.
    sim.advanceClock(575_000);
    sim.expireAccessTokens();
    const before = sim.tokenStats().byGrantType.refresh_token ?? 0;
    const since = sim.engine.calls.lastSeq();
    const any = sim.accounts(D)[0]!;
    await expect(client.getAccount(any.ID)).resolves.toMatchObject({ guid: any.ID });
    expect((sim.tokenStats().byGrantType.refresh_token ?? 0) - before).toBe(1);
    expect(sim.calls({ sinceSeq: since, endpoint: 'crm/Accounts' }).map((c) => c.status)).toEqual([401, 200]);
    expect(tokens.refreshCount).toBe(1);
  });

  it('writes and reads Exact’s OData dialect', () => {
    expect(odataString("'s-Hertogenbosch")).toBe("'''s-Hertogenbosch'");
    expect(odataInt64(41852213n)).toBe('41852213L');
    expect(padCode(' 25 ')).toBe(`${' '.repeat(16)}25`);
    expect(() => odataGuid("x' or 1 eq 1")).toThrow();
    expect(parseODataDate('/Date(1641034800000)/')?.toISOString()).toBe('2022-01-01T11:00:00.000Z');
    expect(parseODataDate('/Date(1641034800000+0100)/')?.getTime()).toBe(1641034800000);
    expect(parseInt64('9007199254740993')).toBe(9007199254740993n);
    expect(parseInt64(42)).toBe(42n);
    // The callback's code, decoded exactly once whether the framework already decoded it or not.
    expect(authorizationCode('stampNL001.abc%21IAAAA%2Bx%2F')).toBe('stampNL001.abc!IAAAA+x/');
    expect(authorizationCode('stampNL001.abc!IAAAA+x/')).toBe('stampNL001.abc!IAAAA+x/');
  });

  it('lists the divisions with DivisionMoveDate and reads current/Me', async () => {
    const me = await client.currentMe();
    expect(me).toMatchObject({ userId: sim.user.id.toLowerCase(), currentDivision: D });
    const divisions = await client.listDivisions();
    expect(divisions).toEqual([expect.objectContaining({ division: D, name: 'Testbedrijf B.V.' })]);
    sim.moveDivision(D);
    const [moved] = await client.listDivisions();
    expect(moved!.divisionMoveDate).toBeInstanceOf(Date);
  });
});
