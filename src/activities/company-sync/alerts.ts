import type { Logger } from '../../logger';

/**
 * Operator alerts of the company sync (a connection needing re-authorisation, a growing
 * quarantine, a spent daily budget, an escalated conflict): a warning log line, and a
 * `company_sync.alert` event to every webhook endpoint subscribed to it, through the
 * notifications feature (signed, retried, logged). The metrics side is in
 * src/modules/company-sync/metrics.ts (gauges read from PostgreSQL).
 */

export const ALERT_EVENT = 'company_sync.alert';

export type AlertKind = 'needs_reauth' | 'quarantine_growing' | 'daily_budget_exhausted' | 'conflict_waiting' | 'conflict_escalated';

export interface Alert {
  kind: AlertKind;
  /** Identifies this occurrence: a repeated raise of the same key sends nothing twice. */
  key: string;
  /** Ids and counts only: alerts never carry company names or addresses. */
  subject: Record<string, string | number | null | undefined>;
}

export interface AlertRaiser {
  raise(alert: Alert): Promise<void>;
}

export function createAlertRaiser(deps: { logger: Logger; publish: (event: string, key: string, payload: Record<string, unknown>) => Promise<void> }): AlertRaiser {
  return {
    async raise(alert) {
      deps.logger.warn({ alert: alert.kind, ...alert.subject }, `company sync alert: ${alert.kind}`);
      await deps.publish(ALERT_EVENT, `company-sync-${alert.kind}-${alert.key}`, { kind: alert.kind, ...alert.subject });
    },
  };
}
