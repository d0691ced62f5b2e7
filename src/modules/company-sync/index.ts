import { createAlertRaiser } from '../../activities/company-sync/alerts';
import { createConflictActivities } from '../../activities/company-sync/conflict';
import type { CompanySyncDeps } from '../../activities/company-sync/deps';
import { createInboundActivities } from '../../activities/company-sync/inbound';
import { createOutboundActivities } from '../../activities/company-sync/outbound';
import { companiesInOpenConflicts, markConflictWorkflowStarted } from '../../db/company-sync/conflicts';
import { pendingOutboundCompanies } from '../../db/company-sync/outbound';
import { requestCompanySync } from '../../temporal/starters/company-sync';
import { loadNotificationSettings } from '../notifications/config';
import { notifyWebhookSubscribers } from '../../temporal/starters/webhook';
import { requestDivisionWork, startConflictWorkflow } from '../../temporal/starters/exact-division';
import type { StarterContext } from '../../temporal/starters/context';
import { COMPANY_SYNC_API_PATHS, type ExactRouteDeps, companySyncApiRouters, companySyncBrowserRouters, registerCompanySyncOpenApi } from '../../api/routes/company-sync';
import { createExactAccess } from '../../api/routes/company-sync/exact/access';
import { type ApiContext, type ModuleContext, defineModule } from '../module';
import { connectDemoExact, exactSimulatorSpec } from './demo';
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
      // Conflict workflows wait idle for days: a bounded cache keeps the worker's memory flat (evicted ones replay when woken).
      limits: { maxConcurrentActivityTaskExecutions: 20, maxConcurrentWorkflowTaskExecutions: 50, maxCachedWorkflows: 500 },
    },
  ],
  api: {
    paths: COMPANY_SYNC_API_PATHS,
    routers: (ctx) => companySyncApiRouters(routeDeps(ctx)),
    browserRouters: (ctx) =>
      companySyncBrowserRouters({
        ...routeDeps(ctx),
        keys: ctx.core.api.keys,
        sessions: ctx.sessions,
        sessionSecret: ctx.core.session.secret,
        publicUrl: ctx.core.api.publicUrl,
        rateLimit: ctx.rateLimit,
      }),
    openApi: registerCompanySyncOpenApi,
  },
  metrics: (registry, { prisma }) => registerCompanySyncMetrics(registry, prisma),
  demo: {
    simulators: (settings) => (settings.exact.external ? [] : [exactSimulatorSpec(settings)]),
    seed: ({ core }) => connectDemoExact(core),
    banner: ({ core, settings }) => [
      `Exact Online      ${settings.exact.baseUrl}   (local simulator; its state: ${settings.exact.baseUrl}/__sim/stats)`,
      `Conflicts         ${core.api.publicUrl}/admin/conflicts   (operator sign-in; decide them there or with POST /v1/sync/conflicts/<id>/resolve)`,
      `Exact divisions   GET ${core.api.publicUrl}/v1/exact/divisions   (operator key; schedules exact-sync-<division> in the Web UI)`,
    ],
  },
  liveBanner: ({ exact }) => `Exact Online      ${exact.baseUrl}   (connect: GET /v1/exact/connect with an operator key, or /admin/exact)`,
});

/** The routes' dependencies: one Exact access (OAuth, tokens, budget) per API process. */
const accessByContext = new WeakMap<object, ReturnType<typeof createExactAccess>>();
function routeDeps(ctx: ApiContext<CompanySyncSettings>): ExactRouteDeps {
  const key = ctx.prisma as object;
  let exact = accessByContext.get(key);
  if (!exact) {
    exact = createExactAccess({ prisma: ctx.prisma, logger: ctx.logger, settings: ctx.settings, encryptionKeys: ctx.core.codec.keys });
    accessByContext.set(key, exact);
  }
  return { prisma: ctx.prisma, starter: ctx.starter, settings: ctx.settings, webUiUrl: ctx.webUiUrl, exact };
}

/** The activities' dependencies, built once per worker process. */
function companySyncDeps(ctx: ModuleContext<CompanySyncSettings>): CompanySyncDeps & { exact: ExactRuntime } {
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
    startConflictWorkflow: async (conflict) => {
      await startConflictWorkflow(starter(), conflict, timings);
      await markConflictWorkflowStarted(prisma, conflict.id);
    },
    requestOutbound: async (companyId, by) => {
      await requestCompanySync(starter(), { companyId, by });
    },
    pendingOutbound: async (division) => {
      const held = await companiesInOpenConflicts(prisma);
      return (await pendingOutboundCompanies(prisma, { division })).map((p) => p.companyId).filter((id) => !held.has(id));
    },
    requestDivisionWork: async (division, kind, requestedBy) => {
      await requestDivisionWork(starter(), division, kind, requestedBy);
    },
  };
}
