import { WorkflowIds } from '../../domain/workflow-ids';
import { deleteArrivalsSchedule, ensureArrivalsSchedule } from '../../temporal/starters/pms-schedules';
import type { PmsActivityDeps } from './deps';

export interface ReconcileSummary {
  properties: number;
  /** Live properties whose schedule was missing (a Temporal namespace reset, a failed create): made again. */
  recreated: string[];
  /** Schedules of properties that no longer exist (deleted while Temporal was unreachable): removed. */
  removed: string[];
}

/** `pms-arrivals-<propertyId>`: the prefix of every property's schedule id. */
const PREFIX = WorkflowIds.pmsArrivals('x').slice(0, -1);

/**
 * The arrivals schedules follow the properties: created, changed and deleted with them by the API,
 * and reconciled here — every live property has its schedule, no deleted one keeps one — so that a
 * property never silently stops polling.
 */
export function createScheduleActivities(deps: PmsActivityDeps) {
  return {
    async pmsReconcileSchedules(): Promise<ReconcileSummary> {
      const ctx = deps.starter();
      if (!ctx) throw new Error('the PMS schedule reconciliation needs the worker’s Temporal client');
      const existing = new Set<string>();
      for await (const s of ctx.client.schedule.list()) if (s.scheduleId.startsWith(PREFIX)) existing.add(s.scheduleId.slice(PREFIX.length));
      const properties = await deps.prisma.pmsProperty.findMany({ where: { deletedAt: null } });
      const live = new Set(properties.map((p) => p.id));
      const summary: ReconcileSummary = { properties: properties.length, recreated: [], removed: [] };
      for (const property of properties) {
        if (existing.has(property.id)) continue;
        await ensureArrivalsSchedule(ctx, property, deps.settings.pollJitterMs);
        summary.recreated.push(property.id);
      }
      for (const id of existing) {
        if (live.has(id)) continue;
        await deleteArrivalsSchedule(ctx, id);
        summary.removed.push(id);
      }
      if (summary.recreated.length || summary.removed.length) deps.logger.warn(summary, 'PMS arrivals schedules reconciled');
      return summary;
    },
  };
}
