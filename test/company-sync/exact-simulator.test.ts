import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createExactSimulator,
  EXACT_DEMO_CLIENT_ID,
  EXACT_DEMO_CLIENT_SECRET,
  type ExactSimulator,
  type ExactSimulatorOptions,
  loadState,
  saveState,
} from '../../src/integrations/exact/simulator';

// Everything below goes over real HTTP with fetch, as an Exact client would; the in-process handle only sets up
// state, moves the simulator's clock and reads its record.

const DIVISION = 810001;
const OTHER_DIVISION = 810002;
const REDIRECT = 'http://127.0.0.1:9/exact/callback';

const sims: ExactSimulator[] = [];

async function start(options: ExactSimulatorOptions = {}): Promise<ExactSimulator> {
  const sim = await createExactSimulator({ divisions: [DIVISION, OTHER_DIVISION], ...options });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: () => Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function api(sim: ExactSimulator, token: string, path: string, init: RequestInit & { json?: unknown } = {}): Promise<Answer> {
  const { json, ...rest } = init;
  return call(path.startsWith('http') ? path : `${sim.url}/api/v1/${path}`, {
    ...rest,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(rest.headers as Record<string, string> | undefined),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
}

function tokenCall(sim: ExactSimulator, fields: Record<string, string>): Promise<Answer> {
  return call(`${sim.url}/api/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ client_id: EXACT_DEMO_CLIENT_ID, client_secret: EXACT_DEMO_CLIENT_SECRET, ...fields }).toString(),
  });
}

/** The browser step: the authorize page redirects straight back with a code. */
async function authorize(sim: ExactSimulator, state = 'st-1'): Promise<{ location: string; code: string; rawQuery: string }> {
  const q = new URLSearchParams({ client_id: EXACT_DEMO_CLIENT_ID, redirect_uri: REDIRECT, response_type: 'code', state, force_login: '0' });
  const res = await fetch(`${sim.url}/api/oauth2/auth?${q.toString()}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  const url = new URL(location);
  expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
  expect(url.searchParams.get('state')).toBe(state);
  return { location, code: url.searchParams.get('code')!, rawQuery: url.search };
}

async function connect(sim: ExactSimulator): Promise<{ access_token: string; refresh_token: string }> {
  const { code } = await authorize(sim);
  const res = await tokenCall(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
  expect(res.status).toBe(200);
  return res.json() as { access_token: string; refresh_token: string };
}

type Row = Record<string, unknown>;
const results = (a: Answer) => (a.json().d as { results: Row[]; __next?: string }).results;
const nextOf = (a: Answer) => (a.json().d as { __next?: string }).__next;
const odataMessage = (a: Answer) => (a.json() as { error: { code: string; message: { lang: string; value: string } } }).error.message.value;

describe('OAuth', () => {
  test('the code flow: the code arrives %21-encoded, is single-use and expires after 3 minutes; expires_in is a string', async () => {
    const sim = await start();
    const { code, rawQuery } = await authorize(sim);
    expect(code).toContain('!');
    expect(rawQuery).toContain('%21');
    expect(rawQuery).not.toContain('!');

    // Sent still encoded (a client that forgot to decode): refused.
    const encoded = /code=([^&]+)/.exec(rawQuery)![1]!;
    expect((await tokenCall(sim, { grant_type: 'authorization_code', code: encoded, redirect_uri: REDIRECT })).json().error).toBe('invalid_grant');

    const ok = await tokenCall(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(ok.status).toBe(200);
    const body = ok.json();
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: '600', refresh_token: expect.any(String) });
    expect(typeof body.expires_in).toBe('string');

    const again = await tokenCall(sim, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(again.status).toBe(400);
    expect(again.json().error).toBe('invalid_grant');

    const late = await authorize(sim);
    sim.advanceClock(181_000);
    expect((await tokenCall(sim, { grant_type: 'authorization_code', code: late.code, redirect_uri: REDIRECT })).json().error).toBe('invalid_grant');

    const wrongSecret = await tokenCall(sim, { grant_type: 'authorization_code', code: late.code, redirect_uri: REDIRECT, client_secret: 'nope' });
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.json().error).toBe('invalid_client');

    const me = await api(sim, body.access_token as string, 'current/Me');
    expect(me.status).toBe(200);
    const [user] = results(me);
    expect(user).toMatchObject({ UserID: sim.user.id, CurrentDivision: DIVISION, FullName: sim.user.fullName });
    // current/Me has no division: not counted, no rate headers.
    expect(me.headers.get('x-ratelimit-minutely-remaining')).toBeNull();
  });

  test('refresh: not before 570 s (Reason header), then rotation; reusing a rotated token breaks the connection', async () => {
    const sim = await start();
    const first = await connect(sim);

    const early = await tokenCall(sim, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(early.status).toBe(400);
    expect(early.json()).toEqual({ error: 'access_denied', error_description: 'Rate limit exceeded: access_token not expired' });
    expect(early.headers.get('reason')).toMatch(/^TooEarlyToRefreshTokens: /);

    sim.advanceClock(569_000);
    expect((await tokenCall(sim, { grant_type: 'refresh_token', refresh_token: first.refresh_token })).json().error).toBe('access_denied');
    sim.advanceClock(1_000);
    const second = await tokenCall(sim, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    const rotated = second.json() as { access_token: string; refresh_token: string; expires_in: string };
    expect(rotated.expires_in).toBe('600');
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect((await api(sim, rotated.access_token, `${DIVISION}/system/Divisions`)).status).toBe(200);

    // The old refresh token again (a second worker refreshing with the same token): refused, and the connection breaks.
    sim.advanceClock(600_000);
    const reuse = await tokenCall(sim, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(reuse.json().error).toBe('invalid_grant');
    const current = await tokenCall(sim, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token });
    expect(current.status).toBe(400);
    expect(current.json().error).toBe('invalid_grant');

    // Authorising again makes a new, working connection.
    const fresh = await connect(sim);
    expect((await api(sim, fresh.access_token, 'current/Me')).status).toBe(200);

    const stats = sim.tokenStats();
    expect(stats.calls).toBe(7);
    expect(stats.byGrantType).toEqual({ authorization_code: 2, refresh_token: 5 });
    expect(stats.byOutcome).toMatchObject({ issued: 3, too_early: 2, invalid_grant: 2 });
    expect(stats.brokenGrants).toBe(1);
  });

  test('an access token stops working after 600 s, when expired by the control API, or when unknown (401)', async () => {
    const sim = await start();
    const { access_token } = await connect(sim);
    sim.advanceClock(599_000);
    expect((await api(sim, access_token, `${DIVISION}/crm/Accounts`)).status).toBe(200);
    sim.advanceClock(1_000);
    const expired = await api(sim, access_token, `${DIVISION}/crm/Accounts`);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(odataMessage(expired)).toMatch(/expired/);

    const other = await connect(sim);
    expect((await call(`${sim.controlUrl}/tokens/expire`, { method: 'POST' })).json()).toEqual({ expired: 1 });
    expect((await api(sim, other.access_token, 'current/Me')).status).toBe(401);
    expect((await api(sim, 'not-a-token', 'current/Me')).status).toBe(401);
    const third = await connect(sim);
    const viaFaults = await call(`${sim.controlUrl}/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"expireTokens":true}' });
    expect(viaFaults.json().faults).toEqual({});
    expect((await api(sim, third.access_token, 'current/Me')).status).toBe(401);
    expect((await call(`${sim.url}/api/v1/current/Me`, { headers: { accept: 'application/json' } })).status).toBe(401);
  });
});

describe('CRM Accounts', () => {
  test('POST assigns ID and a padded Code (highest + 1), PUT answers 204, DELETE 204 and logs the deletion', async () => {
    const sim = await start();
    const { access_token: token } = await connect(sim);

    const created = await api(sim, token, `${DIVISION}/crm/Accounts`, {
      method: 'POST',
      headers: { prefer: 'return=representation' },
      json: { Name: 'Bakkerij Jansen B.V.', ChamberOfCommerce: '12345678', AddressLine1: 'Dorpsstraat 5A', Postcode: '1234 AB', City: 'Ootmarsum', Country: 'NL', SearchCode: 'RLY-1' },
    });
    expect(created.status).toBe(201);
    const account = created.json().d as Row;
    expect(account.ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(account.Code).toBe(`${' '.repeat(17)}1`);
    expect(account).toMatchObject({ Name: 'Bakkerij Jansen B.V.', Blocked: false, Status: 'C', Division: DIVISION });
    expect((account.__metadata as Row).uri).toBe(`${sim.url}/api/v1/${DIVISION}/crm/Accounts(guid'${String(account.ID)}')`);
    expect(account.Modified).toMatch(/^\/Date\(\d+\)\/$/);
    expect(account).not.toHaveProperty('Timestamp');

    const second = (await api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', headers: { prefer: 'return=representation' }, json: { Name: 'Tweede' } })).json().d as Row;
    expect(second.Code).toBe(`${' '.repeat(17)}2`);
    expect(String(second.Code)).toHaveLength(18);

    const noName = await api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', json: { City: 'Delft' } });
    expect(noName.status).toBe(400);
    expect(noName.json()).toEqual({ error: { code: '', message: { lang: '', value: expect.stringMatching(/Name/) } } });
    const withId = await api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', json: { ID: '6b0f7d5e-3c1a-4f4e-9b2a-1d2c3e4f5a6b', Name: 'Ours' } });
    expect(withId.status).toBe(400);
    expect(odataMessage(withId)).toMatch(/ID/);

    // Code filters need the padding; trim() works without it.
    const padded = await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent(`Code eq '${String(second.Code)}'`)}&$select=ID,Code`);
    expect(results(padded).map((r) => r.ID)).toEqual([second.ID]);
    expect(results(await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent("Code eq '2'")}`))).toEqual([]);
    const trimmed = await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent("trim(Code) eq '2' and Name eq 'Tweede'")}`);
    expect(results(trimmed).map((r) => r.ID)).toEqual([second.ID]);
    const byKvk = await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent("ChamberOfCommerce eq '12345678'")}&$select=ID,Name`);
    expect(results(byKvk)).toEqual([{ __metadata: expect.any(Object), ID: account.ID, Name: 'Bakkerij Jansen B.V.' }]);
    const byId = await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent(`ID eq guid'${String(account.ID)}'`)}&$top=1`);
    expect(results(byId)).toHaveLength(1);
    expect((await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent(`ID eq '${String(account.ID)}'`)}`)).status).toBe(400);
    expect((await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent('substring(Name, 1) eq 2')}`)).status).toBe(400);
    expect((await api(sim, token, `${DIVISION}/crm/Accounts?$select=*`)).status).toBe(400);

    const before = sim.account(DIVISION, String(account.ID))!;
    sim.advanceClock(5_000);
    const put = await api(sim, token, `${DIVISION}/crm/Accounts(guid'${String(account.ID)}')`, { method: 'PUT', json: { City: 'Enschede', Blocked: true } });
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const after = sim.account(DIVISION, String(account.ID))!;
    expect(after).toMatchObject({ City: 'Enschede', Blocked: true, Name: 'Bakkerij Jansen B.V.' });
    expect(BigInt(after.Timestamp)).toBeGreaterThan(BigInt(before.Timestamp));
    expect(after.Modified).not.toBe(before.Modified);
    expect((await api(sim, token, `${DIVISION}/crm/Accounts(guid'00000000-0000-4000-8000-000000000000')`, { method: 'PUT', json: { City: 'X' } })).status).toBe(404);

    const del = await api(sim, token, `${DIVISION}/crm/Accounts(guid'${String(account.ID)}')`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(sim.account(DIVISION, String(account.ID))).toBeUndefined();
    const [deletion] = sim.deleted(DIVISION);
    expect(deletion).toMatchObject({ EntityKey: account.ID, EntityType: 2 });
    expect(BigInt(deletion!.Timestamp)).toBeGreaterThan(BigInt(after.Timestamp));

    // The next create after deleting the highest code takes highest existing + 1.
    const third = (await api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', headers: { prefer: 'return=representation' }, json: { Name: 'Derde' } })).json().d as Row;
    expect(String(third.Code).trim()).toBe('3');
  });

  test('regular endpoint pages by 60 with __next ($skiptoken=guid), $top caps the total', async () => {
    const sim = await start();
    sim.seed(DIVISION, 130, 3);
    const { access_token: token } = await connect(sim);
    const ids: unknown[] = [];
    let url: string | undefined = `${DIVISION}/crm/Accounts?$select=ID,Name`;
    let pages = 0;
    while (url !== undefined) {
      const page = await api(sim, token, url);
      expect(page.status).toBe(200);
      ids.push(...results(page).map((r) => r.ID));
      url = nextOf(page);
      if (url !== undefined) expect(url).toMatch(/\$skiptoken=guid'[0-9a-f-]{36}'/);
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(130);

    const capped = await api(sim, token, `${DIVISION}/crm/Accounts?$select=ID&$top=70`);
    expect(results(capped)).toHaveLength(60);
    const rest = await api(sim, token, nextOf(capped)!);
    expect(results(rest)).toHaveLength(10);
    expect(nextOf(rest)).toBeUndefined();
  });

  test('Accept: JSON when asked; Atom XML without an Accept header; application/xml refused', async () => {
    const sim = await start();
    sim.seed(DIVISION, 2, 1);
    const { access_token: token } = await connect(sim);
    const atom = await call(`${sim.url}/api/v1/${DIVISION}/crm/Accounts?$select=ID,Name`, { headers: { authorization: `Bearer ${token}` } });
    expect(atom.status).toBe(200);
    expect(atom.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    expect(atom.text).toContain('<feed');
    const xml = await call(`${sim.url}/api/v1/${DIVISION}/crm/Accounts`, { headers: { authorization: `Bearer ${token}`, accept: 'application/xml' } });
    expect(xml.status).toBe(406);
  });
});

describe('Sync API', () => {
  test('pages of 1000 in Timestamp order via __next, Timestamps as strings, then only the changes', async () => {
    const sim = await start();
    sim.seed(DIVISION, 2_345, 11);
    const { access_token: token } = await connect(sim);

    const seen: Row[] = [];
    let url: string | undefined = `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent('Timestamp gt 1L')}&$select=ID,Code,Name,ChamberOfCommerce,Timestamp`;
    const sizes: number[] = [];
    while (url !== undefined) {
      const page = await api(sim, token, url);
      expect(page.status).toBe(200);
      const rows = results(page);
      sizes.push(rows.length);
      seen.push(...rows);
      url = nextOf(page);
    }
    expect(sizes).toEqual([1000, 1000, 345]);
    expect(new Set(seen.map((r) => r.ID)).size).toBe(2_345);
    for (const r of seen) expect(typeof r.Timestamp).toBe('string');
    const stamps = seen.map((r) => BigInt(r.Timestamp as string));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
    expect(sim.callCount({ endpoint: 'sync/CRM/Accounts' })).toBe(3);

    const cursor = stamps.at(-1)!;
    const target = String(seen[17]!.ID);
    sim.updateAccount(DIVISION, target, { Phone: '020-1234567' });
    const changes = await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent(`Timestamp gt ${cursor}L`)}&$select=ID,Phone,Timestamp`);
    expect(results(changes)).toEqual([{ __metadata: expect.any(Object), ID: target, Phone: '020-1234567', Timestamp: expect.any(String) }]);
    expect(nextOf(changes)).toBeUndefined();
  });

  test('Int64 filters need the L suffix; only Timestamp may be filtered on', async () => {
    const sim = await start();
    sim.seed(DIVISION, 3, 1);
    const { access_token: token } = await connect(sim);
    const noL = await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent('Timestamp gt 1')}`);
    expect(noL.status).toBe(400);
    expect(odataMessage(noL)).toMatch(/Int64/);
    const byName = await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent("Timestamp gt 1L and Name eq 'x'")}`);
    expect(byName.status).toBe(400);
    expect((await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent('Timestamp gt 1L')}`)).status).toBe(200);
  });

  test('sync/Deleted lists deletions (EntityType 2) after a timestamp', async () => {
    const sim = await start();
    sim.seed(DIVISION, 10, 5);
    const { access_token: token } = await connect(sim);
    const [a, b] = sim.accounts(DIVISION);
    const cursor = BigInt(sim.accounts(DIVISION).at(-1)!.Timestamp);
    sim.deleteAccount(DIVISION, a!.ID);
    const viaApi = await api(sim, token, `${DIVISION}/crm/Accounts(guid'${b!.ID}')`, { method: 'DELETE' });
    expect(viaApi.status).toBe(204);
    const deleted = await api(
      sim,
      token,
      `${DIVISION}/sync/Deleted?$filter=${encodeURIComponent(`Timestamp gt ${cursor}L and EntityType eq 2`)}&$select=EntityKey,EntityType,Timestamp,DeletedBy`,
    );
    expect(deleted.status).toBe(200);
    const rows = results(deleted);
    expect(rows.map((r) => r.EntityKey)).toEqual([a!.ID, b!.ID]);
    expect(rows.map((r) => r.EntityType)).toEqual([2, 2]);
    expect(rows.every((r) => typeof r.Timestamp === 'string')).toBe(true);
    expect(rows[1]!.DeletedBy).toBe(sim.user.id);
    const later = await api(sim, token, `${DIVISION}/sync/Deleted?$filter=${encodeURIComponent(`Timestamp gt ${String(rows[1]!.Timestamp)}L and EntityType eq 2`)}`);
    expect(results(later)).toEqual([]);
  });

  test('a division move resets timestamps and sets DivisionMoveDate', async () => {
    const sim = await start();
    sim.seed(DIVISION, 5, 2);
    const { access_token: token } = await connect(sim);
    const before = results(await api(sim, token, `${DIVISION}/system/Divisions?$select=Code,DivisionMoveDate`));
    expect(before).toEqual(
      expect.arrayContaining([expect.objectContaining({ Code: DIVISION, DivisionMoveDate: null }), expect.objectContaining({ Code: OTHER_DIVISION })]),
    );
    const highest = BigInt(sim.accounts(DIVISION).at(-1)!.Timestamp);
    const moved = await call(`${sim.controlUrl}/divisions/${DIVISION}/move`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(moved.status).toBe(200);
    const after = results(await api(sim, token, `${DIVISION}/system/Divisions?$filter=${encodeURIComponent(`Code eq ${DIVISION}`)}`));
    expect(after[0]!.DivisionMoveDate).toMatch(/^\/Date\(\d+\)\/$/);
    expect(sim.accounts(DIVISION).every((a) => BigInt(a.Timestamp) < highest)).toBe(true);
    // A client that keeps its old cursor sees nothing: only DivisionMoveDate tells it to resync.
    expect(results(await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent(`Timestamp gt ${highest}L`)}`))).toEqual([]);
  });
});

describe('limits', () => {
  test('the minutely limit: headers on every division answer, then 429 with only the minutely headers', async () => {
    const sim = await start({ limits: { minutely: 5, daily: 100 } });
    const { access_token: token } = await connect(sim);
    // Start at the beginning of a clock minute so the window does not roll over mid-test.
    sim.advanceClock(60_000 - (sim.now() % 60_000) + 10);
    for (let i = 1; i <= 5; i++) {
      const ok = await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-minutely-limit')).toBe('5');
      expect(ok.headers.get('x-ratelimit-minutely-remaining')).toBe(String(5 - i));
      expect(ok.headers.get('x-ratelimit-limit')).toBe('100');
      expect(ok.headers.get('x-ratelimit-remaining')).toBe(String(100 - i));
      expect(Number(ok.headers.get('x-ratelimit-minutely-reset')) % 60_000).toBe(0);
      expect(Number(ok.headers.get('x-ratelimit-reset')) % 86_400_000).toBe(0);
    }
    // Calls without a division are not counted.
    expect((await api(sim, token, 'current/Me')).status).toBe(200);
    const refused = await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-minutely-remaining')).toBe('0');
    expect(refused.headers.get('x-ratelimit-minutely-reset')).not.toBeNull();
    expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
    expect(refused.headers.get('x-ratelimit-remaining')).toBeNull();
    // The other division has its own budget.
    expect((await api(sim, token, `${OTHER_DIVISION}/crm/Accounts?$top=1`)).status).toBe(200);
    expect(sim.stats().divisions.find((d) => d.division === DIVISION)).toMatchObject({ overLimit: 1, countedCalls: 5 });

    sim.advanceClock(60_000);
    const nextMinute = await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`);
    expect(nextMinute.status).toBe(200);
    expect(nextMinute.headers.get('x-ratelimit-remaining')).toBe('94');
  });

  test('the error limit blocks an endpoint after too many 4xx answers', async () => {
    const sim = await start({ limits: { errorsPerHour: 2, minutely: 0 } });
    const { access_token: token } = await connect(sim);
    const bad = `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent('Nope eq 1')}`;
    for (let i = 0; i < 3; i++) expect((await api(sim, token, bad)).status).toBe(400);
    const blocked = await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`);
    expect(blocked.status).toBe(403);
    expect(odataMessage(blocked)).toMatch(/blocked/);
    // Another endpoint is not blocked.
    expect((await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent('Timestamp gt 1L')}`)).status).toBe(200);
    sim.advanceClock(60 * 60 * 1000 + 1);
    const later = sim.issueTokens().access_token;
    expect((await api(sim, later, `${DIVISION}/crm/Accounts?$top=1`)).status).toBe(200);
  });
});

describe('faults', () => {
  test('loseAnswer applies the create and destroys the connection before the answer', async () => {
    const sim = await start();
    const { access_token: token } = await connect(sim);
    const set = await call(`${sim.controlUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ loseAnswer: { next: 1, method: 'POST', path: 'crm/Accounts$' } }),
    });
    expect(set.status).toBe(200);
    await expect(api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', json: { Name: 'Verloren Antwoord B.V.', SearchCode: 'RLY-LOST' } })).rejects.toThrow();
    const applied = sim.accounts(DIVISION).filter((a) => a.Name === 'Verloren Antwoord B.V.');
    expect(applied).toHaveLength(1);
    expect(sim.calls({ method: 'POST', endpoint: 'crm/Accounts' })).toEqual([expect.objectContaining({ outcome: 'lost', status: 201, fault: 'loseAnswer' })]);
    // Used up: the next create is answered; the client can find the lost one by its marker.
    const found = await api(sim, token, `${DIVISION}/crm/Accounts?$filter=${encodeURIComponent("SearchCode eq 'RLY-LOST'")}&$select=ID`);
    expect(results(found).map((r) => r.ID)).toEqual([applied[0]!.ID]);
    expect((await api(sim, token, `${DIVISION}/crm/Accounts`, { method: 'POST', json: { Name: 'Wel Antwoord' } })).status).toBe(201);
  });

  test('5xx, forced 429, timeout and the maintenance page', async () => {
    const sim = await start();
    const { access_token: token } = await connect(sim);
    sim.setFaults({ status5xx: { next: 1, status: 503 }, rateLimit429: { next: 1, path: 'sync/' } });
    expect((await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`)).status).toBe(503);
    const forced = await api(sim, token, `${DIVISION}/sync/CRM/Accounts?$filter=${encodeURIComponent('Timestamp gt 1L')}`);
    expect(forced.status).toBe(429);
    expect(forced.headers.get('x-ratelimit-limit')).toBeNull();
    expect((await api(sim, token, `${DIVISION}/crm/Accounts?$top=1`)).status).toBe(200);

    sim.setFaults({ timeout: { next: 1, ms: 5_000, method: 'PUT' } });
    const [account] = [sim.createAccount(DIVISION, { Name: 'Trage Verbinding' })];
    const aborted = api(sim, token, `${DIVISION}/crm/Accounts(guid'${account!.ID}')`, { method: 'PUT', json: { City: 'Zwolle' }, signal: AbortSignal.timeout(200) });
    await expect(aborted).rejects.toThrow();

    sim.setFaults({ maintenance: { status: 503 } });
    const down = await api(sim, token, 'current/Me');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/^text\/html/);
    sim.setFaults({ maintenance: null });
    expect((await api(sim, token, 'current/Me')).status).toBe(200);
  });
});

describe('seeding', () => {
  test('deterministic Dutch data with valid, formatted, invalid, empty and duplicate KVKs', async () => {
    const one = await start();
    const two = await start();
    one.seed(DIVISION, 400, 42);
    two.seed(DIVISION, 400, 42);
    const strip = (a: Record<string, unknown>) => ({ ...a, ID: undefined, Created: undefined, Modified: undefined, Timestamp: undefined, Creator: undefined, Modifier: undefined });
    expect(one.accounts(DIVISION).map(strip)).toEqual(two.accounts(DIVISION).map(strip));
    const other = await start();
    other.seed(DIVISION, 400, 43);
    expect(other.accounts(DIVISION).map((a) => a.Name)).not.toEqual(one.accounts(DIVISION).map((a) => a.Name));

    const accounts = one.accounts(DIVISION);
    const kvks = accounts.map((a) => a.ChamberOfCommerce);
    expect(kvks.filter((k) => k !== null && /^\d{8}$/.test(k)).length).toBeGreaterThan(250);
    expect(kvks.some((k) => k !== null && /^\d{4} \d{4}$/.test(k))).toBe(true);
    expect(kvks.some((k) => k !== null && /^\d{2}\.\d{2}\.\d{2}\.\d{2}$/.test(k))).toBe(true);
    expect(kvks.some((k) => k === null)).toBe(true);
    expect(kvks.some((k) => k !== null && !/^\d{8}$/.test(k.replace(/[ .]/g, '')))).toBe(true);
    const normalised = kvks.filter((k): k is string => k !== null).map((k) => k.replace(/[ .]/g, '')).filter((k) => /^\d{8}$/.test(k));
    expect(new Set(normalised).size).toBeLessThan(normalised.length);

    const lines = accounts.map((a) => a.AddressLine1).filter((l): l is string => l !== null);
    expect(lines.some((l) => /^Postbus \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /\d+[A-Za-z]$/.test(l))).toBe(true);
    expect(accounts.every((a) => a.Postcode === null || /^\d{4}( [A-Z]{2})?$/.test(a.Postcode))).toBe(true);
    expect(accounts.filter((a) => a.Country === 'NL').length).toBeGreaterThan(350);
    expect(accounts.map((a) => a.Code.trim())).toEqual(accounts.map((_, i) => String(i + 1)));
  });

  test('the control API edits accounts as an Exact user, dumps them and resets', async () => {
    const sim = await start();
    const json = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await call(`${sim.controlUrl}/divisions/${DIVISION}/accounts`, { method: 'POST', ...json({ Name: 'Kantoor Invoer B.V.', ChamberOfCommerce: '1234 5678' }) });
    expect(created.status).toBe(201);
    const id = created.json().ID as string;
    const edited = await call(`${sim.controlUrl}/divisions/${DIVISION}/accounts/${id}`, { method: 'PATCH', ...json({ City: 'Leiden' }) });
    expect(edited.json()).toMatchObject({ City: 'Leiden', ModifierFullName: expect.any(String) });
    expect((await call(`${sim.controlUrl}/seed`, { method: 'POST', ...json({ division: DIVISION, count: 20, seed: 9 }) })).status).toBe(201);
    const dump = await call(`${sim.controlUrl}/divisions/${DIVISION}/accounts`);
    expect(dump.json().count).toBe(21);
    expect((await call(`${sim.controlUrl}/divisions/${DIVISION}/accounts/${id}`, { method: 'DELETE' })).json()).toMatchObject({ EntityKey: id, EntityType: 2 });
    expect((await call(`${sim.controlUrl}/faults`, { method: 'PUT', ...json({ bogus: 1 }) })).status).toBe(400);
    const stats = (await call(`${sim.controlUrl}/stats`)).json();
    expect(stats.divisions).toEqual(expect.arrayContaining([expect.objectContaining({ division: DIVISION, accounts: 20, deleted: 1 })]));
    expect((await call(`${sim.controlUrl}/clock`, { method: 'POST', ...json({ advanceMs: 1000 }) })).json().offsetMs).toBe(1000);
    await call(`${sim.controlUrl}/reset`, { method: 'POST' });
    expect(sim.accounts(DIVISION)).toEqual([]);
  });
});

describe('state file', () => {
  test('a restart with the state file keeps accounts, timestamps, deletions and a working connection', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'exact-sim-'));
    try {
      const file = path.join(dir, 'state.json');
      const before = await start();
      before.seed(DIVISION, 30, 4);
      const { access_token, refresh_token } = await connect(before);
      before.deleteAccount(DIVISION, before.accounts(DIVISION)[0]!.ID);
      saveState(before.engine, file);
      const accounts = before.accounts(DIVISION);
      await before.close();

      const after = await start();
      expect(loadState(after.engine, file)).toBe(true);
      expect(after.accounts(DIVISION)).toEqual(accounts);
      expect(after.deleted(DIVISION)).toHaveLength(1);
      expect((await api(after, access_token, `${DIVISION}/crm/Accounts?$top=1`)).status).toBe(200);
      after.advanceClock(570_000);
      expect((await tokenCall(after, { grant_type: 'refresh_token', refresh_token })).status).toBe(200);
      const created = after.createAccount(DIVISION, { Name: 'Na De Herstart' });
      expect(created.Code.trim()).toBe('31');
      expect(BigInt(created.Timestamp)).toBeGreaterThan(BigInt(after.deleted(DIVISION)[0]!.Timestamp));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
