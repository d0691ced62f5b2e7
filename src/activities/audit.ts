import type { PrismaClient, Prisma } from '../generated/prisma/client';

export interface AuditEntry {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
  correlationId: string;
  /** Same key on a retried attempt → the existing row is returned, nothing is written twice. */
  idempotencyKey: string;
}

export interface AuditRecord {
  id: string;
  createdAt: string;
}

export function createAuditActivities(deps: { prisma: PrismaClient }) {
  return {
    async recordAudit(entry: AuditEntry): Promise<AuditRecord> {
      const row = await deps.prisma.auditLog.upsert({
        where: { idempotencyKey: entry.idempotencyKey },
        create: entry,
        update: {},
        select: { id: true, createdAt: true },
      });
      // BigInt and Date do not survive JSON payloads; send strings.
      return { id: row.id.toString(), createdAt: row.createdAt.toISOString() };
    },
  };
}
