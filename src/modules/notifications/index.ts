import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { createNotificationActivities } from '../../activities/notifications';
import { createNotificationDeps } from '../../activities/notifications/create-deps';
import { createSecretSealer } from '../../db/sealed-secrets';
import { notificationsRouter, registerNotificationsOpenApi, twilioWebhooksRouter } from '../../api/routes/notifications';
import { appointmentsRouter, registerAppointmentsOpenApi } from '../../api/routes/notifications/appointments';
import { dossiersRouter, registerDossiersOpenApi } from '../../api/routes/notifications/dossiers';
import { registerWebhookEndpointsOpenApi, webhookEndpointsRouter } from '../../api/routes/notifications/webhook-endpoints';
import { type ApiContext, defineModule } from '../module';
import { NOTIFICATION_VARIABLES, type NotificationSettings, loadNotificationSettings } from './config';
import { seedNotificationsDemo } from './demo';
import { registerNotificationMetrics } from './metrics';
import { notificationsPurgeSchedule } from './schedules';

export const NOTIFICATIONS_QUEUE = 'notifications';
/** Its Temporal task queue in production. */
export const NOTIFICATIONS_TASK_QUEUE = 'relay-notifications';

/**
 * Outbound notifications: WhatsApp and SMS through Twilio, signed webhooks, appointment
 * reminders and dossier status changes, each message one workflow on `relay-notifications`.
 */
export const notificationsModule = defineModule<NotificationSettings>({
  name: 'notifications',
  variables: NOTIFICATION_VARIABLES,
  config: loadNotificationSettings,
  queues: [
    {
      key: NOTIFICATIONS_QUEUE,
      name: NOTIFICATIONS_TASK_QUEUE,
      activities: ({ prisma, logger, settings, core, temporal }) =>
        createNotificationActivities(
          createNotificationDeps({
            prisma,
            logger,
            twilio: settings.twilio,
            callbackBaseUrl: settings.callbackBaseUrl,
            encryptionKeys: core.codec.keys,
            temporal,
            // Deliveries may reach loopback and private receivers only outside production (as endpoints may be registered).
            webhookEgress: { allowInternal: core.env !== 'production' },
          }),
        ),
      // Sends are local activities paced by the per-sender budget in PostgreSQL (shared by all
      // workers), not by a queue-wide limit, which cannot tell senders apart.
      limits: { maxConcurrentLocalActivityExecutions: 200, maxConcurrentActivityTaskExecutions: 100, maxConcurrentWorkflowTaskExecutions: 100 },
    },
  ],
  api: {
    paths: ['/v1/notifications', '/v1/consents', '/v1/appointments', '/v1/dossiers', '/v1/webhook-endpoints'],
    routers: (ctx) => {
      const common = { ...routeDeps(ctx), policy: ctx.settings.policy };
      return [
        notificationsRouter({ ...common, senders: ctx.settings.twilio.senders, maxScheduleAheadMs: ctx.settings.maxScheduleAheadMs }),
        appointmentsRouter({ ...common, senders: ctx.settings.twilio.senders, maxScheduleAheadMs: ctx.settings.maxScheduleAheadMs }),
        dossiersRouter({ ...common, crashPoint: ctx.crashPoint }),
        webhookEndpointsRouter({
          ...common,
          logger: ctx.logger,
          allowInternalUrls: ctx.core.env !== 'production',
          secrets: createSecretSealer(ctx.core.codec.keys),
        }),
      ];
    },
    openApi: (registry: OpenAPIRegistry) => {
      registerNotificationsOpenApi(registry);
      registerAppointmentsOpenApi(registry);
      registerDossiersOpenApi(registry);
      registerWebhookEndpointsOpenApi(registry);
    },
  },
  webhooks: [
    {
      vendor: 'twilio',
      router: (ctx) =>
        twilioWebhooksRouter({
          prisma: ctx.prisma,
          temporal: ctx.temporal,
          logger: ctx.logger,
          authToken: ctx.settings.twilio.authToken,
          publicBaseUrl: ctx.settings.callbackBaseUrl,
        }),
    },
  ],
  schedules: ({ settings, taskQueues }) => [notificationsPurgeSchedule(taskQueues, settings.retentionDays)],
  metrics: (registry, { prisma }) => registerNotificationMetrics(registry, prisma),
  demo: {
    simulators: ({ twilio }) =>
      twilio.mode === 'demo' && !twilio.simulatorExternal
        ? [
            {
              name: 'Twilio simulator',
              entry: 'src/integrations/twilio/simulator/main.ts',
              args: ['--port', String(twilio.simulatorPort)],
              port: twilio.simulatorPort,
              portHint: 'set TWILIO_SIMULATOR_PORT to another port',
              url: twilio.baseUrl,
            },
          ]
        : [],
    seed: async ({ settings, api }) => {
      // Inbound STOP/START from the simulator reach Relay as they would from Twilio.
      await fetch(`${settings.twilio.baseUrl}/__sim/inbound-webhook`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${settings.callbackBaseUrl}/v1/webhooks/twilio/inbound` }),
      }).catch(() => undefined);
      return seedNotificationsDemo(api);
    },
    banner: ({ core, settings, keyName }) => {
      const api = core.api.publicUrl;
      return [
        `Twilio            ${settings.twilio.baseUrl}   (local simulator; what it received: ${settings.twilio.baseUrl}/__sim/messages)`,
        '',
        `Send an SMS, then follow it (\`npm run keys\` lists the API keys; cancel the demo's scheduled message: DELETE ${api}/v1/notifications/<id>):`,
        `  KEY=$(npm run -s keys -- ${keyName})`,
        `  curl -s -X POST ${api}/v1/notifications -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \\`,
        `       -d '{"idempotencyKey":"my-first","channel":"sms","recipient":"${TWILIO_DEMO_RECIPIENT}","body":"Hello from Relay"}'`,
        `  curl -s ${api}/v1/notifications/my-first -H "Authorization: Bearer $KEY"`,
      ];
    },
  },
  liveBanner: ({ twilio }) => `Twilio            ${twilio.baseUrl}   (${twilio.senders.length} sender(s))`,
});

const TWILIO_DEMO_RECIPIENT = '+33612000001';

const routeDeps = (ctx: ApiContext<NotificationSettings>) => ({ starter: ctx.starter, prisma: ctx.prisma, webUiUrl: ctx.webUiUrl, phoneRegion: ctx.core.phone.defaultRegion });
