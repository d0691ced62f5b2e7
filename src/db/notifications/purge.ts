import type { PrismaClient } from '../../generated/prisma/client';

export interface PurgeResult {
  notifications: number;
  receipts: number;
}

const BATCH = 5_000;

/**
 * Deletes closed notifications (and the personal data in them) older than the retention
 * period, in batches so a large backlog never holds long locks. Idempotent: a retry
 * deletes what is left.
 */
export async function purgeNotifications(prisma: PrismaClient, retentionDays: number, now = new Date()): Promise<PurgeResult> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  let notifications = 0;
  for (;;) {
    const deleted = await prisma.$executeRaw`
      DELETE FROM notification WHERE id IN (
        SELECT id FROM notification WHERE closed_at IS NOT NULL AND closed_at < ${before} LIMIT ${BATCH})`;
    notifications += deleted;
    if (deleted < BATCH) break;
  }
  const receipts = await prisma.twilioCallbackReceipt.deleteMany({ where: { receivedAt: { lt: before } } });
  return { notifications, receipts: receipts.count };
}
