import { Router } from 'express';
import { findConflictDetail, listConflicts } from '../../../../db/company-sync/conflict-queries';
import { ConflictError, NotFoundError } from '../../../../errors';
import type { PrismaClient } from '../../../../generated/prisma/client';
import type { StarterContext } from '../../../../temporal/starters/context';
import { resolveSyncConflict } from '../../../../temporal/starters/sync-conflict';
import type { ConflictDecision, ConflictOutcome } from '../../../../workflows/company-sync/definitions';
import { principalOf, requireRole } from '../../../auth';
import { validated } from '../../../validate';
import { IdParams, page } from '../common';
import type { CompanySyncRouteDeps } from '../deps';
import { ListConflictsQuery, ResolveConflictBody } from './schemas';
import { conflictDetailView, conflictSummary } from './view';

/** Sync conflicts: what waits for an operator, both sides field by field, and the decision. */
export function conflictsRouter(deps: CompanySyncRouteDeps): Router {
  const router = Router();

  router.get(
    '/v1/sync/conflicts',
    requireRole('service'),
    validated({ query: ListConflictsQuery }, async ({ query }, _req, res) => {
      const { limit, cursor, ...filter } = query;
      const rows = await listConflicts(deps.prisma, filter, limit, cursor);
      res.json(page(rows, limit, (row) => conflictSummary(row, deps.webUiUrl)));
    }),
  );

  router.get(
    '/v1/sync/conflicts/:id',
    requireRole('service'),
    validated({ params: IdParams }, async ({ params }, _req, res) => {
      const detail = await findConflictDetail(deps.prisma, params.id);
      if (!detail) throw new NotFoundError(`No conflict ${params.id}`);
      res.json(conflictDetailView(detail, deps.webUiUrl));
    }),
  );

  router.post(
    '/v1/sync/conflicts/:id/resolve',
    requireRole('operator'),
    validated({ params: IdParams, body: ResolveConflictBody }, async ({ params, body }, _req, res) => {
      const outcome = await decideConflict(deps, params.id, body.decision, principalOf(res).name, body.note);
      res.json(outcome);
    }),
  );

  return router;
}

/**
 * Delivers an operator's decision to the conflict's workflow: 404 for an unknown conflict,
 * 409 when it is decided already (naming who decided it), the validator's refusal otherwise.
 * Shared by the API and the admin page.
 */
export async function decideConflict(
  deps: { prisma: PrismaClient; starter: StarterContext },
  conflictId: string,
  decision: ConflictDecision,
  operator: string,
  note?: string,
): Promise<ConflictOutcome> {
  const row = await deps.prisma.syncConflict.findUnique({ where: { id: conflictId } });
  if (!row) throw new NotFoundError(`No conflict ${conflictId}`);
  if (row.status !== 'open') throw alreadyDecided(row);
  try {
    return await resolveSyncConflict(deps.starter, { conflictId, workflowId: row.workflowId }, { decision, operator, ...(note ? { note } : {}) });
  } catch (err) {
    // Decided by someone else meanwhile: say who, rather than the workflow's words.
    if (err instanceof ConflictError) {
      const now = await deps.prisma.syncConflict.findUnique({ where: { id: conflictId } });
      if (now && now.status !== 'open') throw alreadyDecided(now);
    }
    throw err;
  }
}

function alreadyDecided(row: { id: string; status: string; resolvedBy: string | null; resolvedAt: Date | null; resolution: unknown }): ConflictError {
  const by = row.resolvedBy ? ` by ${row.resolvedBy}` : '';
  const at = row.resolvedAt ? ` at ${row.resolvedAt.toISOString()}` : '';
  return new ConflictError(`Conflict ${row.id} is already ${row.status}${by}${at}`, { status: row.status, resolvedBy: row.resolvedBy, resolvedAt: row.resolvedAt?.toISOString() ?? null, resolution: row.resolution });
}
