import { Router } from 'express';
import { listAudit } from '../../../db/audit-queries';
import type { AuditLog, PrismaClient } from '../../../generated/prisma/client';
import { requireRole } from '../../auth';
import type { z } from '../../openapi';
import { requestProblem } from '../../request-problem';
import { validated } from '../../validate';
import { page } from '../pagination';
import { type AuditEntryView, ListAuditQuery } from './schemas';

/**
 * The shared audit log, for operators: every module writes to it (a company's writes and
 * resolutions, a hotel's charges, notes and guest updates, properties), so it is Relay's own
 * route, answered whichever integrations are enabled.
 */
export function auditRouter(deps: { prisma: PrismaClient }): Router {
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
