import { createPmsActivities } from '../../activities/pms';
import { createPmsRuntime } from '../../activities/pms/adapter-runtime';
import { PMS_API_PATHS, pmsApiRouters, pmsWebhookRouter, registerPmsOpenApi } from '../../api/routes/pms';
import type { PmsRouteDeps } from '../../api/routes/pms';
import { PmsRateLimiter } from '../../db/pms/rate-limit';
import { createSecretSealer } from '../../db/sealed-secrets';
import { ConfigError } from '../../config';
import { PMS_VENDORS } from '../../integrations/pms/registry';
import type { AnyPmsVendor } from '../../integrations/pms/vendor';
import type { NotificationStarterContext } from '../../temporal/starters/notification';
import { loadNotificationSettings } from '../notifications/config';
import { type ApiContext, type ModuleContext, type RelayModule, defineModule } from '../module';
import { type PmsSettings, loadPmsSettings, pmsVariables, vendorState } from './config';
import { pmsBanner, pmsSimulatorSpecs, seedPmsDemo } from './demo';
import { registerPmsMetrics } from './metrics';
import { pmsScheduleReconcileSchedule } from './schedules';

export const PMS_QUEUE = 'pms';
/** Its Temporal task queue in production. */
export const PMS_TASK_QUEUE = 'relay-pms';

/**
 * Hotel property management systems (ADR 004): one interface over every registered vendor
 * (src/integrations/pms/registry.ts), a PostgreSQL read-through cache, write-through writes
 * with an audit trail, and an arrivals schedule per property feeding welcome messages through
 * the notifications feature. Every workflow of it runs on `relay-pms`; each vendor's limit is
 * held at the vendor's own scope in PostgreSQL, shared by all workers.
 */
export function createPmsModule(vendors: readonly AnyPmsVendor[] = PMS_VENDORS): RelayModule {
  return defineModule<PmsSettings>({
    name: 'pms',
    variables: pmsVariables(vendors),
    config: loadPmsSettings(vendors),
    queues: [
      {
        key: PMS_QUEUE,
        name: PMS_TASK_QUEUE,
        activities: (ctx) => createPmsActivities(activityDeps(ctx)),
        // Vendor limits are paced in PostgreSQL at each vendor's scope; these only bound the worker.
        limits: { maxConcurrentActivityTaskExecutions: 50, maxConcurrentWorkflowTaskExecutions: 50, maxCachedWorkflows: 1_000 },
      },
    ],
    api: {
      paths: PMS_API_PATHS,
      routers: (ctx) => pmsApiRouters({ ...routeDeps(ctx), publicUrl: ctx.core.api.publicUrl }),
      openApi: registerPmsOpenApi,
    },
    webhooks: vendors
      .filter((v) => v.webhook)
      .map((v) => ({
        vendor: v.key,
        router: (ctx: ApiContext<PmsSettings>) => pmsWebhookRouter({ prisma: ctx.prisma, starter: ctx.starter, logger: ctx.logger, vendor: vendorState(ctx.settings, v.key)! }),
      })),
    schedules: ({ taskQueues }) => [pmsScheduleReconcileSchedule(taskQueues)],
    metrics: (registry, { prisma }) => registerPmsMetrics(registry, prisma),
    demo: {
      simulators: pmsSimulatorSpecs,
      seed: ({ core, settings }) => seedPmsDemo(core, settings),
      banner: ({ core, settings, keyName }) => pmsBanner(core, settings, keyName),
    },
    liveBanner: (settings) =>
      `PMS               ${settings.vendors.map((v) => `${v.definition.key} ${v.enabled ? 'live' : 'not configured'}`).join(', ')}   (properties: /v1/properties)`,
  });
}

export const pmsModule = createPmsModule();

function routeDeps(ctx: ApiContext<PmsSettings>): PmsRouteDeps {
  return { prisma: ctx.prisma, starter: ctx.starter, settings: ctx.settings, keys: ctx.core.api.keys, sealer: createSecretSealer(ctx.core.codec.keys), webUiUrl: ctx.webUiUrl, logger: ctx.logger };
}

/** The activities' dependencies, built once per worker process. */
function activityDeps(ctx: ModuleContext<PmsSettings>) {
  const { prisma, logger, settings, core, temporal, taskQueues } = ctx;
  const runtime = createPmsRuntime({ prisma, logger, settings, sealer: createSecretSealer(core.codec.keys), limiter: new PmsRateLimiter({ prisma, logger }) });
  // Welcome messages and subscribers' webhooks go out with the notifications feature's policy,
  // unless that module is disabled here (production without Twilio): then none are started.
  let starter: NotificationStarterContext | undefined;
  try {
    const section = loadNotificationSettings(process.env, core);
    const enabled = section.mode === 'live' || core.demo.allowed;
    const policy = section.mode === 'live' ? section.settings.policy : section.demo.policy;
    if (enabled && temporal && taskQueues) starter = { client: temporal, taskQueues, prisma, policy };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  const temporalStarter = temporal && taskQueues ? { client: temporal, taskQueues } : undefined;
  return { prisma, logger, settings, runtime, notifications: () => starter, starter: () => temporalStarter };
}
