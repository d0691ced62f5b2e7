import { randomInt } from 'node:crypto';
import { type Express } from 'express';
import request from 'supertest';
import { operatorSessions } from '../../src/api/session';
import { createExactAuthRequest } from '../../src/db/company-sync/auth-requests';
import { markExactNeedsReauth } from '../../src/db/company-sync/exact-connections';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { type ExactSimulator, createExactSimulator } from '../../src/integrations/exact/simulator';
import { divisionScheduleIds } from '../../src/temporal/starters/exact-division';
import { type RelayHarness, TEST_KEYS, bearer, startRelay } from '../helpers/relay';
import { waitFor } from '../helpers/wait';

/**
 * Connecting Exact through the API against the simulator's authorize and token endpoints:
 * connect (a fresh state, 302 to Exact), Exact's redirect to the callback (the state is the
 * only credential; unknown, used or expired states are refused), the connection listed, its
 * divisions listed from Exact and chosen (schedules and an import through the division's
 * owner), the division controls (pause, resume, trigger, import progress), re-authorising, and
 * a connection that needs re-authorising reported as such.
 */

const D1 = 774_001 + randomInt(0, 900) * 2;
const D2 = D1 + 1;

describe('connecting Exact and steering its divisions', () => {
  let sim: ExactSimulator;
  let relay: RelayHarness;
  let app: Express;
  const publicUrl = 'http://127.0.0.1:18080';
  let connectionId = '';

  beforeAll(async () => {
    sim = await createExactSimulator({ divisions: [{ code: D1, description: 'Hoofdkantoor B.V.' }, { code: D2, description: 'Filiaal Zuid B.V.' }] });
    sim.seed(D1, 25, 3);
    const env = { EXACT_BASE_URL: sim.url, API_PUBLIC_URL: publicUrl };
    relay = await startRelay({ env });
    app = relay.app;
  }, 120_000);

  afterAll(async () => {
    // Later test files share the database: no company of theirs is sent to this simulator once it is gone.
    await relay?.prisma.exactDivision.updateMany({ where: { division: { in: [D1, D2] } }, data: { enabled: false } });
    for (const d of [D1, D2]) {
      await relay?.env.client.workflow.getHandle(WorkflowIds.exactDivision(d)).terminate('test over').catch(() => undefined);
      for (const id of Object.values(divisionScheduleIds(d))) await relay?.env.client.schedule.getHandle(id).delete().catch(() => undefined);
    }
    await relay?.stop();
    await sim?.close();
  });

  const as = (role: 'service' | 'operator') => ({ authorization: bearer(role) });

  /** Follows Exact's authorize page (the simulator approves at once) back to Relay's callback. */
  async function authorizeAtExact(connect: request.Response): Promise<request.Response> {
    expect(connect.status).toBe(302);
    const atExact = await fetch(connect.headers.location!, { redirect: 'manual' });
    expect(atExact.status).toBe(302);
    const back = new URL(atExact.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${publicUrl}/v1/exact/callback`);
    return request(app).get(back.pathname + back.search);
  }

  it('connects: a fresh state to Exact, Exact back to the callback, on to choosing divisions', async () => {
    expect((await request(app).get('/v1/exact/connect')).status).toBe(401);
    expect((await request(app).get('/v1/exact/connect').set(as('service'))).status).toBe(403);

    const connect = await request(app).get('/v1/exact/connect').set(as('operator'));
    const to = new URL(connect.headers.location!);
    expect(to.origin + to.pathname).toBe(`${sim.url}/api/oauth2/auth`);
    expect(to.searchParams.get('redirect_uri')).toBe(`${publicUrl}/v1/exact/callback`);
    expect(to.searchParams.get('response_type')).toBe('code');
    const state = to.searchParams.get('state')!;
    const stored = await relay.prisma.exactAuthRequest.findUniqueOrThrow({ where: { state } });
    expect(stored.requestedBy).toBe('alice');
    // Valid for 10 minutes.
    expect(Math.abs(stored.expiresAt.getTime() - Date.now() - 10 * 60_000)).toBeLessThan(30_000);

    const callback = await authorizeAtExact(connect);
    expect(callback.status).toBe(303);
    const landed = /^\/admin\/exact\/connections\/([0-9a-f-]{36})\?connected=new$/.exec(callback.headers.location!);
    expect(landed).not.toBeNull();
    connectionId = landed![1]!;
    expect(await relay.prisma.exactAuthRequest.count({ where: { state } })).toBe(0);

    const list = await request(app).get('/v1/exact/connections').set(as('operator'));
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: connectionId, status: 'active', reason: null, baseUrl: sim.url, exactUserId: sim.user.id.toLowerCase(), divisions: [] }));
    expect((await request(app).get('/v1/exact/connections').set(as('service'))).status).toBe(403);
  });

  it('refuses callbacks whose state is unknown, used or expired, and says when Exact declined', async () => {
    const connect = await request(app).get('/v1/exact/connect').set(as('operator'));
    const atExact = await fetch(connect.headers.location!, { redirect: 'manual' });
    const back = new URL(atExact.headers.get('location')!);
    expect((await request(app).get(back.pathname + back.search)).status).toBe(303);
    // The same redirect again: its state was used.
    const replay = await request(app).get(back.pathname + back.search);
    expect(replay.status).toBe(400);
    expect(replay.type).toBe('text/html');
    expect(replay.text).toContain('unknown, used or expired');

    const unknown = await request(app).get('/v1/exact/callback?code=abc&state=never-issued');
    expect(unknown.status).toBe(400);
    const expired = await createExactAuthRequest(relay.prisma, { requestedBy: 'alice', ttlMs: -1_000 });
    const late = await request(app).get(`/v1/exact/callback?code=abc&state=${expired.state}`);
    expect(late.status).toBe(400);
    expect(late.text).toContain('unknown, used or expired');
    const declined = await request(app).get('/v1/exact/callback?error=access_denied&error_description=The+user+denied+access&state=x');
    expect(declined.status).toBe(400);
    expect(declined.text).toContain('The user denied access');
    const bare = await request(app).get('/v1/exact/callback');
    expect(bare.status).toBe(400);
    const script = await request(app).get('/v1/exact/callback?error=<script>alert(1)</script>');
    expect(script.text).not.toContain('<script>alert');
    expect(script.text).toContain('&lt;script&gt;');
  });

  it("lists the connection's divisions from Exact and syncs the chosen ones (schedules, import)", async () => {
    const available = await request(app).get(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator'));
    expect(available.status).toBe(200);
    expect(available.body.items).toEqual([
      expect.objectContaining({ division: D1, name: 'Hoofdkantoor B.V.', selected: false }),
      expect.objectContaining({ division: D2, name: 'Filiaal Zuid B.V.', selected: false }),
    ]);

    const foreign = await request(app).put(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator')).send({ divisions: [D1, 999] });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ field: 'divisions', unknown: [999] });
    expect((await request(app).put(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator')).send({ divisions: [D1, D1] })).status).toBe(400);
    expect((await request(app).put('/v1/exact/connections/7d1c0a3e-0000-4000-8000-000000000000/divisions').set(as('operator')).send({ divisions: [D1] })).status).toBe(404);

    const chosen = await request(app).put(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator')).send({ divisions: [D1] });
    expect(chosen.status).toBe(200);
    expect(chosen.body.selected).toEqual([D1]);
    expect(chosen.body.imports).toEqual([WorkflowIds.exactDivision(D1)]);
    expect(chosen.body.items).toContainEqual(expect.objectContaining({ division: D1, selected: true }));
    expect(await relay.prisma.exactDivision.findUnique({ where: { division: D1 } })).toMatchObject({ connectionId, enabled: true });

    // The import runs through the division's owner; its progress is readable while and after it runs.
    const progress = await waitFor('the import to finish', async () => {
      const res = await request(app).get(`/v1/exact/divisions/${D1}/import`).set(as('operator'));
      return res.status === 200 && (res.body.progress as { done?: boolean } | null)?.done ? res.body : undefined;
    }, 90_000);
    expect(progress).toMatchObject({ workflowId: WorkflowIds.exactImport(D1), progress: { division: D1, kind: 'import', accounts: 25, done: true } });
    expect((await request(app).get(`/v1/exact/divisions/${D2}/import`).set(as('operator'))).status).toBe(404);
  });

  it('shows each division (cursor, budget, schedules, owner) and pauses, resumes and triggers it', async () => {
    const divisions = await request(app).get('/v1/exact/divisions').set(as('operator'));
    expect(divisions.status).toBe(200);
    const mine = divisions.body.items.find((d: { division: number }) => d.division === D1);
    expect(mine).toMatchObject({ connectionId, enabled: true, ownerWorkflowId: WorkflowIds.exactDivision(D1), schedules: { incremental: { id: divisionScheduleIds(D1).incremental, paused: false } } });
    expect(BigInt(mine.accountsCursor)).toBeGreaterThan(1n);
    expect(mine.budget.minuteLimit).toBe(60);
    expect(mine.budget.dayRemaining).toBeLessThan(mine.budget.dayLimit);
    expect(mine.owner).toMatchObject({ division: D1 });

    const paused = await request(app).post(`/v1/exact/divisions/${D1}/pause`).set(as('operator')).send({ note: 'month-end close' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ division: D1, paused: true });
    const seen = await request(app).get(`/v1/exact/divisions/${D1}`).set(as('operator'));
    expect(seen.body.schedules.incremental).toMatchObject({ paused: true, note: 'alice: month-end close' });
    expect(seen.body.schedules.reconcile.paused).toBe(true);
    expect((await request(app).post(`/v1/exact/divisions/${D1}/resume`).set(as('operator'))).body).toMatchObject({ paused: false });
    expect((await request(app).get(`/v1/exact/divisions/${D1}`).set(as('operator'))).body.schedules.incremental.paused).toBe(false);

    const triggered = await request(app).post(`/v1/exact/divisions/${D1}/sync`).set(as('operator'));
    expect(triggered.status).toBe(202);
    expect(triggered.body).toMatchObject({ division: D1, kind: 'incremental', workflowId: WorkflowIds.exactDivision(D1) });
    const reimport = await request(app).post(`/v1/exact/divisions/${D1}/import`).set(as('operator'));
    expect(reimport.status).toBe(202);

    expect((await request(app).post(`/v1/exact/divisions/${D2}/sync`).set(as('operator'))).status).toBe(404);
    expect((await request(app).post('/v1/exact/divisions/abc/pause').set(as('operator'))).status).toBe(400);
    expect((await request(app).post(`/v1/exact/divisions/${D1}/pause`).set(as('service'))).status).toBe(403);
  });

  it('chooses divisions on the admin page too (signed-in operator, form token)', async () => {
    const { token } = operatorSessions(relay.config).issue(relay.config.api.keys.find((k) => k.secret === TEST_KEYS.operator)!);
    const cookie = `relay_session=${token}`;
    const page = await request(app).get(`/admin/exact/connections/${connectionId}`).set('cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${D2}"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const chosen = await request(app)
      .post(`/admin/exact/connections/${connectionId}/divisions`)
      .set('cookie', cookie)
      .set('origin', publicUrl)
      .type('form')
      .send(`csrf=${encodeURIComponent(csrf)}&division=${D1}&division=${D2}`);
    expect(chosen.status).toBe(200);
    expect(chosen.text).toContain(`Syncing division(s) ${D1}, ${D2}`);
    expect(await relay.prisma.exactDivision.findUnique({ where: { division: D2 } })).toMatchObject({ connectionId, enabled: true });

    const overview = await request(app).get('/admin/exact').set('cookie', cookie);
    expect(overview.text).toContain(`${D1}, ${D2}`);
    expect((await request(app).get('/admin/exact')).status).toBe(303);
  });

  it('re-authorises a connection, and reports one that needs it', async () => {
    expect((await request(app).get('/v1/exact/connect?connectionId=7d1c0a3e-0000-4000-8000-000000000000').set(as('operator'))).status).toBe(404);
    await markExactNeedsReauth(relay.prisma, connectionId, 'invalid_grant: refresh token reused');
    const listed = await request(app).get(`/v1/exact/connections/${connectionId}`).set(as('operator'));
    expect(listed.body).toMatchObject({ status: 'needs_reauth', reason: 'invalid_grant: refresh token reused', reauthorizeUrl: `/v1/exact/connect?connectionId=${connectionId}` });
    const divisions = await request(app).get(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator'));
    expect(divisions.status).toBe(409);
    expect(divisions.body.message).toContain(`/v1/exact/connect?connectionId=${connectionId}`);

    const connect = await request(app).get(`/v1/exact/connect?connectionId=${connectionId}`).set(as('operator'));
    expect(new URL(connect.headers.location!).searchParams.get('force_login')).toBe('1');
    const callback = await authorizeAtExact(connect);
    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe(`/admin/exact/connections/${connectionId}?connected=again`);
    expect((await request(app).get(`/v1/exact/connections/${connectionId}`).set(as('operator'))).body).toMatchObject({ status: 'active', reason: null });
    expect((await request(app).get(`/v1/exact/connections/${connectionId}/divisions`).set(as('operator'))).status).toBe(200);
  });
});
