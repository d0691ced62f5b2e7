import { Gauge, type Registry } from 'prom-client';
import type { PrismaClient } from '../../generated/prisma/client';

/**
 * The company sync's domain metrics, read from PostgreSQL at each scrape (every worker's
 * state is there): connections needing re-authorisation, the quarantine, open and escalated
 * conflicts, and what is left of each division's Exact budget. Each alert has a metric here.
 */
export function registerCompanySyncMetrics(registry: Registry, prisma: PrismaClient): void {
  new Gauge({
    name: 'relay_company_sync_connections',
    help: 'Exact Online connections by status (needs_reauth: an operator must authorise again)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await prisma.exactConnection.groupBy({ by: ['status'], _count: { _all: true } })) this.set({ status: row.status }, row._count._all);
    },
  });
  new Gauge({
    name: 'relay_company_sync_quarantined',
    help: 'Inbound Exact accounts that failed to apply and wait for their own retries, by division',
    labelNames: ['division'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await prisma.exactQuarantine.groupBy({ by: ['division'], where: { resolvedAt: null }, _count: { _all: true } })) this.set({ division: String(row.division) }, row._count._all);
    },
  });
  new Gauge({
    name: 'relay_company_sync_conflicts_open',
    help: 'Sync conflicts waiting for an operator, by kind and whether they escalated',
    labelNames: ['kind', 'escalated'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await prisma.$queryRaw<Array<{ kind: string; escalated: boolean; n: bigint }>>`
        SELECT kind, escalated_at IS NOT NULL AS escalated, count(*) AS n FROM sync_conflicts WHERE status = 'open' GROUP BY 1, 2`;
      for (const row of rows) this.set({ kind: row.kind, escalated: String(row.escalated) }, Number(row.n));
    },
  });
  new Gauge({
    name: 'relay_company_sync_budget_remaining',
    help: 'Calls left in the Exact budget of each division, by window (minute, day) as Relay counts them',
    labelNames: ['division', 'window'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const b of await prisma.exactRateBudget.findMany()) {
        this.set({ division: String(b.division), window: 'minute' }, Math.max(0, b.minuteLimit - b.minuteUsed));
        this.set({ division: String(b.division), window: 'day' }, Math.max(0, b.reportedDailyRemaining ?? b.dayLimit - b.dayUsed));
      }
    },
  });
}
