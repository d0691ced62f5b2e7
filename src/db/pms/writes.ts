import type { WriteResult } from '../../domain/pms/writes';
import { UnprocessableError } from '../../errors';
import type { PmsWrite, Prisma, PrismaClient } from '../../generated/prisma/client';

/**
 * Writes to a PMS (charges, notes, guest updates), one row per caller's idempotency key and
 * property: the same key again finds the same write (its outcome, or its workflow still
 * running), the same key with another request is refused, and `attempts` tells a retry that
 * the vendor may already hold the write, so it looks before writing again.
 */

export const WRITE_OPERATIONS = ['charge', 'note', 'guest_update'] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

/** pending: under way; unresolved: the PMS did not answer (a retry with the same key checks before writing). */
export type WriteStatus = 'pending' | 'succeeded' | 'failed' | 'unresolved';

export interface NewWrite {
  propertyId: string;
  idempotencyKey: string;
  operation: WriteOperation;
  requestHash: string;
  request: Prisma.InputJsonValue;
  reference: string;
  requestedBy: string;
  workflowId: string;
}

/** The write of this key: new, or the one recorded before for the same request (another request: 422). */
export async function beginWrite(prisma: PrismaClient, write: NewWrite): Promise<{ write: PmsWrite; created: boolean }> {
  const created = await prisma.pmsWrite.createMany({ data: [write], skipDuplicates: true });
  const row = await prisma.pmsWrite.findUniqueOrThrow({ where: { propertyId_idempotencyKey: { propertyId: write.propertyId, idempotencyKey: write.idempotencyKey } } });
  if (row.requestHash !== write.requestHash) {
    throw new UnprocessableError(
      `Idempotency-Key ${write.idempotencyKey} was already used for another request (${row.operation} on this property, ${row.createdAt.toISOString()}); use a new key for a new request`,
      { reason: 'idempotency_key_reused', operation: row.operation },
    );
  }
  return { write: row, created: created.count === 1 };
}

export const findWrite = (prisma: PrismaClient, id: string) => prisma.pmsWrite.findUniqueOrThrow({ where: { id } });

/** Counts a vendor call that may write; returns how many came before it (above 0: look before writing). */
export async function countAttempt(prisma: PrismaClient, id: string): Promise<number> {
  const row = await prisma.pmsWrite.update({ where: { id }, data: { attempts: { increment: 1 }, updatedAt: new Date() }, select: { attempts: true } });
  return row.attempts - 1;
}

export interface WriteOutcome {
  status: Exclude<WriteStatus, 'pending'>;
  result?: Prisma.InputJsonValue;
  error?: Prisma.InputJsonValue;
}

type Tx = Pick<Prisma.TransactionClient, 'pmsWrite'>;

/** Records the outcome once: a write already finished keeps its first outcome. */
export async function finishWrite(db: Tx, id: string, outcome: WriteOutcome): Promise<void> {
  const now = new Date();
  await db.pmsWrite.updateMany({
    where: { id, status: { in: ['pending', 'unresolved'] } },
    data: { status: outcome.status, result: outcome.result, error: outcome.error, updatedAt: now, finishedAt: outcome.status === 'unresolved' ? null : now },
  });
}

/** A new attempt of an unresolved write (the caller retried with the same key). */
export async function reopenWrite(prisma: PrismaClient, id: string): Promise<void> {
  await prisma.pmsWrite.updateMany({ where: { id, status: 'unresolved' }, data: { status: 'pending', updatedAt: new Date() } });
}

/** A finished write's outcome, as recorded (undefined while pending or unresolved). */
export const storedResult = (write: Pick<PmsWrite, 'status' | 'result' | 'error'>): WriteResult | undefined =>
  write.status === 'succeeded' ? (write.result as unknown as WriteResult) : write.status === 'failed' ? (write.error as unknown as WriteResult) : undefined;
