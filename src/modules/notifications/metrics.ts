import { Gauge, type Registry } from 'prom-client';
import { countOpenNotifications } from '../../db/notifications/open-counts';
import type { PrismaClient } from '../../generated/prisma/client';

/**
 * `relay_notifications_open{status,channel}`: messages not yet in a final state, read from
 * the notification log at each scrape. A growing `retrying` or `sending` is a vendor in trouble.
 */
export function registerNotificationMetrics(registry: Registry, prisma: PrismaClient): void {
  new Gauge({
    name: 'relay_notifications_open',
    help: 'Notifications not yet delivered, read, failed, undelivered or cancelled, by status and channel',
    labelNames: ['status', 'channel'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await countOpenNotifications(prisma)) this.set({ status: row.status, channel: row.channel }, row.count);
    },
  });
}
