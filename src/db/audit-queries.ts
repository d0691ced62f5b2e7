import type { AuditLog, Prisma } from '../generated/prisma/client';

/** The shared audit log as operators read it (every module writes to it): newest first, by entity or correlation. */

type Db = Pick<Prisma.TransactionClient, 'auditLog'>;

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  actor?: string;
  action?: string;
  correlationId?: string;
}

/** One page (`limit` rows) plus one more when there is a next page; `beforeId` is the last id of the previous page. */
export function listAudit(db: Db, filter: AuditFilter, limit: number, beforeId?: bigint): Promise<AuditLog[]> {
  const where: Prisma.AuditLogWhereInput = {
    entity: filter.entity,
    entityId: filter.entityId,
    actor: filter.actor,
    action: filter.action,
    correlationId: filter.correlationId,
  };
  // Ids grow with every row: ordering by id alone is insertion order, and a stable keyset.
  if (beforeId !== undefined) where.id = { lt: beforeId };
  return db.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: limit + 1 });
}
