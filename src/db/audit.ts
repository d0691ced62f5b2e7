import type { Prisma } from '../generated/prisma/client';

/** A row of the shared audit log, written in the same transaction as the change it records. */
export interface AuditWrite {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
  correlationId: string;
  /** A retried attempt with the same key writes nothing. */
  idempotencyKey?: string;
}

type Db = Pick<Prisma.TransactionClient, 'auditLog'>;

export async function writeAudit(db: Db, entry: AuditWrite): Promise<void> {
  const data = {
    actor: entry.actor,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId,
    before: entry.before ?? undefined,
    after: entry.after ?? undefined,
    correlationId: entry.correlationId,
    idempotencyKey: entry.idempotencyKey,
  };
  if (entry.idempotencyKey) {
    await db.auditLog.upsert({ where: { idempotencyKey: entry.idempotencyKey }, create: data, update: {} });
  } else {
    await db.auditLog.create({ data });
  }
}
