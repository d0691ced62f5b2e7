import { Gauge, type Registry } from 'prom-client';
import type { PrismaClient } from '../../generated/prisma/client';

/**
 * The PMS module's domain metrics, read from PostgreSQL at each scrape (every worker's work is
 * there): how far behind each property's cache is (time since its last successful poll or
 * push; since its creation when it never synced, so a property that never worked shows too),
 * events whose follow-ups are not started, and writes the PMS left unanswered.
 */
export function registerPmsMetrics(registry: Registry, prisma: PrismaClient): void {
  new Gauge({
    name: 'relay_pms_sync_lag_seconds',
    help: 'Seconds since the property last synced with its PMS (successful poll or push); alert when it exceeds a few poll intervals',
    labelNames: ['property', 'vendor'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.$queryRaw<Array<{ id: string; vendor: string; lag: number }>>`
        SELECT id::text, vendor, EXTRACT(EPOCH FROM (now() - GREATEST(last_poll_ok_at, last_push_at, CASE WHEN last_poll_ok_at IS NULL AND last_push_at IS NULL THEN created_at END)))::float8 AS lag
        FROM pms_properties WHERE deleted_at IS NULL AND poll_enabled`;
      for (const row of rows) this.set({ property: row.id, vendor: row.vendor }, Math.max(0, Number(row.lag)));
    },
  });
  new Gauge({
    name: 'relay_pms_properties',
    help: 'Properties by vendor and whether their arrivals poll runs',
    labelNames: ['vendor', 'polling'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await prisma.pmsProperty.groupBy({ by: ['vendor', 'pollEnabled'], where: { deletedAt: null }, _count: { _all: true } })) {
        this.set({ vendor: row.vendor, polling: String(row.pollEnabled) }, row._count._all);
      }
    },
  });
  new Gauge({
    name: 'relay_pms_events_undispatched',
    help: 'Arrival events whose welcome messages and webhooks are not started yet (the next poll of their property starts them)',
    registers: [registry],
    async collect() {
      this.set(await prisma.pmsEvent.count({ where: { dispatchedAt: null } }));
    },
  });
  new Gauge({
    name: 'relay_pms_writes_unresolved',
    help: 'PMS writes the PMS did not answer; each is looked up before it is written again when its caller retries with the same key',
    registers: [registry],
    async collect() {
      this.set(await prisma.pmsWrite.count({ where: { status: 'unresolved' } }));
    },
  });
}
