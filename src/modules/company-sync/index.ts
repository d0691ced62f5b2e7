import { createAlertRaiser } from '../../activities/company-sync/alerts';
import { createConflictActivities } from '../../activities/company-sync/conflict';
import type { CompanySyncDeps } from '../../activities/company-sync/deps';
import { createInboundActivities } from '../../activities/company-sync/inbound';
import { createOutboundActivities } from '../../activities/company-sync/outbound';
import { pendingOutboundCompanies } from '../../db/company-sync/outbound';
import { requestCompanySync } from '../../temporal/starters/company-sync';
import { loadNotificationSettings } from '../notifications/config';
import { notifyWebhookSubscribers } from '../../temporal/starters/webhook';
import { requestDivisionWork, startConflictWorkflow } from '../../temporal/starters/exact-division';
import type { StarterContext } from '../../temporal/starters/context';
import { type ModuleContext, defineModule } from '../module';
import { COMPANY_SYNC_VARIABLES, type CompanySyncSettings, loadCompanySyncSettings } from './config';
import { type ExactRuntime, createExactRuntime } from './exact-runtime';
import { registerCompanySyncMetrics } from './metrics';

export const EXACT_QUEUE = 'exact';
/** Its Temporal task queue in production. */
export const EXACT_TASK_QUEUE = 'relay-exact';

/**
 * Company sync with Exact Online (ADR 002): import, inbound incremental sync, outbound
 * create/update, multi-key matching, conflicts resolved by an operator. Every workflow of it
 * runs on `relay-exact`; Exact's per-division budget is shared through PostgreSQL.
 */
export const companySyncModule = defineModule<CompanySyncSettings>({
  name: 'company-sync',
  variables: COMPANY_SYNC_VARIABLES,
  config: loadCompanySyncSettings,
  queues: [
    {
      key: EXACT_QUEUE,
      name: EXACT_TASK_QUEUE,
      activities: (ctx) => {
        const deps = companySyncDeps(ctx);
        return {
          ...createInboundActivities(deps),
          ...createConflictActivities(deps, deps.alerts),
          ...createOutboundActivities({ prisma: ctx.prisma, logger: deps.logger, settings: ctx.settings, accountsIn: (d) => deps.exact.clientFor(d), startConflictWorkflow: deps.startConflictWorkflow }),
        };
      },
      // Exact allows 60 calls a minute per division: the budget in PostgreSQL paces them, these only bound the worker.
      limits: { maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: 50 },
    },
  ],
  metrics: (registry, { prisma }) => registerCompanySyncMetrics(registry, prisma),
});

/** The activities' dependencies, built once per worker process. */
function companySyncDeps(ctx: ModuleContext<CompanySyncSettings>): CompanySyncDeps & { alerts: ReturnType<typeof createAlertRaiser>; exact: ExactRuntime } {
  const { prisma, logger, settings, temporal, core } = ctx;
  const starter = (): StarterContext => {
    if (!temporal || !ctx.taskQueues) throw new Error('the company sync activities need the worker’s Temporal client and task queues');
    return { client: temporal, taskQueues: ctx.taskQueues };
  };
  // Alerts go out as webhook events through the notifications feature, with its delivery policy.
  const notifications = loadNotificationSettings(process.env, core);
  const policy = notifications.mode === 'live' ? notifications.settings.policy : notifications.demo.policy;
  const alerts = createAlertRaiser({
    logger,
    publish: async (event, key, payload) => {
      await notifyWebhookSubscribers({ ...starter(), prisma, policy }, { event, key, payload, requestedBy: 'company-sync' });
    },
  });
  const exact = createExactRuntime({
    prisma,
    logger,
    core,
    settings,
    onNeedsReauth: (connectionId, reason) => alerts.raise({ kind: 'needs_reauth', key: `${connectionId}:${Date.now()}`, subject: { connectionId, reason } }),
  });
  const timings = { remindAfterMs: settings.conflictRemindAfterMs, escalateAfterMs: settings.conflictEscalateAfterMs };
  return {
    prisma,
    logger,
    settings,
    temporal,
    alerts,
    exact,
    exactFor: (division) => exact.divisionExact(division),
    startConflictWorkflow: (conflict) => startConflictWorkflow(starter(), conflict, timings),
    requestOutbound: async (companyId, by) => {
      await requestCompanySync(starter(), { companyId, by });
    },
    pendingOutbound: async (division) => (await pendingOutboundCompanies(prisma, { division })).map((p) => p.companyId),
    requestDivisionWork: async (division, kind, requestedBy) => {
      await requestDivisionWork(starter(), division, kind, requestedBy);
    },
  };
}
