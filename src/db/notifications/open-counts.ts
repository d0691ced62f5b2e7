import { Prisma, type PrismaClient } from '../../generated/prisma/client';
import { FINAL_STATUSES } from '../../domain/notifications';

/** Messages not yet in a final state, by status and channel (served by the (status, channel) index). */
export async function countOpenNotifications(prisma: PrismaClient): Promise<Array<{ status: string; channel: string; count: number }>> {
  const rows = await prisma.$queryRaw<Array<{ status: string; channel: string; count: bigint }>>`
    SELECT status, channel, count(*) AS count FROM notification
    WHERE status NOT IN (${Prisma.join([...FINAL_STATUSES])}) GROUP BY status, channel`;
  return rows.map((r) => ({ status: r.status, channel: r.channel, count: Number(r.count) }));
}
