import { Router } from 'express';
import { listAudit } from '../../../../db/company-sync/audit-queries';
import type { AuditLog } from '../../../../generated/prisma/client';
import { requireRole } from '../../../auth';
import type { z } from '../../../openapi';
import { requestProblem } from '../../../request-problem';
import { validated } from '../../../validate';
import { page } from '../common';
import type { CompanySyncRouteDeps } from '../deps';
import { type AuditEntryView, ListAuditQuery } from './schemas';

/** The shared audit log (every write to a company, every resolution), for operators. */
export function auditRouter(deps: Pick<CompanySyncRouteDeps, 'prisma'>): Router {
  const router = Router();
  router.get(
    '/v1/audit',
    requireRole('operator'),
    validated({ query: ListAuditQuery }, async ({ query }, _req, res) => {
      const { limit, cursor, ...filter } = query;
      // Audit ids are numbers: a cursor naming a UUID is another list's, never a silent first page.
      if (cursor && !/^\d+$/.test(cursor.id)) throw requestProblem('query', 'cursor', 'is not a cursor of this list; pass the nextCursor of the previous page unchanged');
      const beforeId = cursor ? BigInt(cursor.id) : undefined;
      const rows = await listAudit(deps.prisma, filter, limit, beforeId);
      res.json(page(rows, limit, auditView));
    }),
  );
  return router;
}

export function auditView(row: AuditLog): z.infer<typeof AuditEntryView> {
  return {
    id: row.id.toString(),
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entityId,
    before: row.before ?? null,
    after: row.after ?? null,
    correlationId: row.correlationId,
    createdAt: row.createdAt.toISOString(),
  };
}
