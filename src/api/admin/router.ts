import { type Request, type Response, Router } from 'express';
import { findConflictDetail, listConflicts } from '../../db/company-sync/conflict-queries';
import { SYNCED_FIELDS } from '../../domain/company-sync/company-fields';
import { RelayError } from '../../errors';
import { formBody } from '../body';
import { httpStatusOf } from '../http-errors';
import { z } from '../openapi';
import { Cursor, Uuid, page as pageOf } from '../routes/company-sync/common';
import { decideConflict } from '../routes/company-sync/conflicts/router';
import { CONFLICT_KINDS, Decision } from '../routes/company-sync/conflicts/schemas';
import { conflictDetailView, conflictSummary } from '../routes/company-sync/conflicts/view';
import { chooseDivisions, listAvailable } from '../routes/company-sync/exact/divisions';
import { type ExactRouteDeps, connectionView } from '../routes/company-sync/exact/router';
import { conflictDetailBody, conflictListBody } from './conflict-pages';
import { chooseDivisionsBody, connectionsBody } from './exact-pages';
import { type GuardDeps, formRefusal, operatorOf, requireOperatorSession } from './guard';
import { html, sendPage } from './html';

/**
 * The admin pages (`/admin/…`): server-rendered, behind the operator sign-in that guards the
 * codec. Decisions post to same-origin forms that go through the same path as
 * `POST /v1/sync/conflicts/:id/resolve` (the conflict workflow's update).
 */

export type AdminDeps = Pick<ExactRouteDeps, 'prisma' | 'starter' | 'webUiUrl' | 'settings' | 'exact'> & GuardDeps;

const ListQuery = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  kind: z.enum(CONFLICT_KINDS).optional(),
  cursor: Cursor,
});

const DecisionFormBody = z.object({ decision: Decision, note: z.string().max(1_000).optional() });

/** The form's fields as a decision: `action`, `companyId` / `exactGuid`, and `field.<name>` = relay | exact for a merge. */
function parseDecisionForm(form: Record<string, unknown>) {
  const given = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const fields = Object.fromEntries(SYNCED_FIELDS.flatMap((f) => (given(form[`field.${f}`]) ? [[f, given(form[`field.${f}`])]] : [])));
  const action = given(form.action);
  const decision =
    action === 'merge'
      ? { action, companyId: given(form.companyId), fields }
      : action === 'link'
        ? { action, companyId: given(form.companyId) }
        : action === 'link_exact'
          ? { action, exactGuid: given(form.exactGuid) }
          : { action };
  return DecisionFormBody.safeParse({ decision, note: given(form.note) });
}

export function adminRouter(deps: AdminDeps): Router {
  const router = Router();
  const guard = requireOperatorSession(deps);

  router.get('/admin', guard, (_req, res) => res.redirect(303, '/admin/conflicts'));

  router.get('/admin/conflicts', guard, async (req, res) => {
    const query = ListQuery.safeParse(req.query);
    if (!query.success) return sendPage(res, 400, 'Conflicts', problem(query.error));
    const { status, kind, cursor } = query.data;
    const rows = await listConflicts(deps.prisma, { status: status === 'all' ? undefined : status, kind }, 50, cursor);
    const { items, nextCursor } = pageOf(rows, 50, (row) => conflictSummary(row, deps.webUiUrl));
    sendPage(res, 200, status === 'resolved' ? 'Resolved conflicts' : status === 'all' ? 'All conflicts' : 'Open conflicts', conflictListBody({ items, nextCursor, status, kind }));
  });

  router.get('/admin/conflicts/:id', guard, async (req, res) => {
    await detailPage(req, res, 200, {});
  });

  router.post('/admin/conflicts/:id/resolve', guard, ...formBody(16 * 1024), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const refused = formRefusal(deps, req, body.csrf);
    if (refused) return detailPage(req, res, 403, { error: refused });
    const parsed = parseDecisionForm(body);
    if (!parsed.success) return detailPage(req, res, 400, { error: `The decision is incomplete: ${problemText(parsed.error)}` });
    try {
      const outcome = await decideConflict(deps, String(req.params.id), parsed.data.decision, operatorOf(res).name, parsed.data.note);
      await detailPage(req, res, 200, { outcome });
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      // The validator's (or the state's) refusal, in its own words, next to the conflict.
      await detailPage(req, res, httpStatusOf(err), { error: `Not applied: ${err.message}` });
    }
  });

  router.get('/admin/exact', guard, async (_req, res) => {
    const rows = await deps.prisma.exactConnection.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 200, include: { divisions: { where: { enabled: true }, select: { division: true }, orderBy: { division: 'asc' } } } });
    sendPage(res, 200, 'Exact connections', connectionsBody(rows.map(connectionView)));
  });

  router.get('/admin/exact/connections/:id', guard, async (req, res) => {
    const notice = req.query.connected === 'new' ? 'Exact account connected. Choose the divisions to sync.' : req.query.connected === 'again' ? 'Connection authorised again.' : undefined;
    await divisionsPage(req, res, 200, { notice });
  });

  router.post('/admin/exact/connections/:id/divisions', guard, ...formBody(16 * 1024), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const refused = formRefusal(deps, req, body.csrf);
    if (refused) return divisionsPage(req, res, 403, { error: refused });
    const given = ([] as unknown[]).concat(body.division ?? []);
    const divisions = given.map(Number);
    if (divisions.some((d) => !Number.isInteger(d) || d < 1)) return divisionsPage(req, res, 400, { error: 'The form names a division that is not a number.' });
    try {
      const { selected, imports } = await chooseDivisions(deps, String(req.params.id), divisions, operatorOf(res).name);
      const notice = selected.length ? `Syncing division(s) ${selected.join(', ')}${imports.length ? `; importing ${imports.length} new one(s) first` : ''}.` : 'No division is synced through this connection now.';
      await divisionsPage(req, res, 200, { notice });
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      await divisionsPage(req, res, httpStatusOf(err), { error: err.message });
    }
  });

  async function divisionsPage(req: Request, res: Response, status: number, extra: { notice?: string; error?: string }): Promise<void> {
    const id = Uuid.safeParse(req.params.id);
    const row = id.success
      ? await deps.prisma.exactConnection.findUnique({ where: { id: id.data }, include: { divisions: { where: { enabled: true }, select: { division: true }, orderBy: { division: 'asc' } } } })
      : null;
    if (!row) return sendPage(res, 404, 'Connection not found', html`<p>No Exact connection ${String(req.params.id)}.</p>`);
    const connection = connectionView(row);
    let available;
    let error = extra.error;
    try {
      const selected = new Set(connection.divisions);
      const others = await deps.prisma.exactDivision.findMany({ where: { enabled: true, connectionId: { not: row.id } }, select: { division: true } });
      const elsewhere = new Set(others.map((o) => o.division));
      available = (await listAvailable(deps.exact, row.id)).map((d) => ({ ...d, selected: selected.has(d.division), selectedElsewhere: elsewhere.has(d.division) }));
    } catch (err) {
      if (!(err instanceof RelayError)) throw err;
      error = [error, `Exact's divisions could not be listed: ${err.message}`].filter(Boolean).join(' ');
    }
    sendPage(res, status, 'Exact divisions', chooseDivisionsBody({ connection, available, csrf: operatorOf(res).csrf, notice: extra.notice, error }));
  }

  async function detailPage(req: Request, res: Response, status: number, extra: { outcome?: Parameters<typeof conflictDetailBody>[0]['outcome']; error?: string }): Promise<void> {
    const id = Uuid.safeParse(req.params.id);
    if (!id.success) return sendPage(res, 404, 'Conflict not found', html`<p>No conflict ${String(req.params.id)}.</p>`);
    const detail = await findConflictDetail(deps.prisma, id.data);
    if (!detail) return sendPage(res, 404, 'Conflict not found', html`<p>No conflict ${id.data}.</p>`);
    const conflict = conflictDetailView(detail, deps.webUiUrl);
    sendPage(res, status, `Conflict ${id.data.slice(0, 8)}`, conflictDetailBody({ conflict, csrf: operatorOf(res).csrf, ...extra }));
  }

  return router;
}

const problemText = (error: z.ZodError) => error.issues.map((i) => `${i.path.map(String).join('.') || 'form'}: ${i.message}`).join('; ');
const problem = (error: z.ZodError) => html`<p class="notice error" role="alert">${problemText(error)}</p>`;
