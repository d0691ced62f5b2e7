import { randomUUID } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import express, { type Express, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../config';
import { createSecretSealer } from '../db/sealed-secrets';
import { NotFoundError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { TwilioConfig } from '../integrations/twilio/config';
import type { Logger } from '../logger';
import { type TaskQueues, resolveTaskQueues } from '../temporal/task-queues';
import { authenticate } from './auth';
import { jsonBody, MB } from './body';
import { errorHandler } from './error-handler';
import type { ApiMetrics } from './metrics';
import { createRegistry, generateDocument } from './openapi';
import { rateLimits } from './rate-limit';
import { appointmentsRouter, registerAppointmentsOpenApi } from './routes/appointments';
import { codecRouter, registerCodecOpenApi } from './routes/codec';
import { dossiersRouter, registerDossiersOpenApi } from './routes/dossiers';
import { echoRouter, registerEchoOpenApi } from './routes/echo';
import { notificationsRouter, registerNotificationsOpenApi, twilioWebhooksRouter } from './routes/notifications';
import { healthRouter, registerHealthOpenApi, type ReadinessChecks } from './routes/health';
import { signInRouter } from './routes/sign-in';
import { registerWebhookEndpointsOpenApi, webhookEndpointsRouter } from './routes/webhook-endpoints';
import { operatorSessions } from './session';

export interface AppDeps {
  config: Config;
  logger: Logger;
  temporal: Client;
  codec: PayloadCodec;
  metrics: ApiMetrics;
  readiness: ReadinessChecks;
  prisma: PrismaClient;
  /** Twilio's section (live or demo): the API verifies its callbacks' signatures. */
  twilio: TwilioConfig;
  /** Vendor callback routes, mounted at /v1/webhooks: signature-authenticated, never rate limited. */
  webhooks?: Router;
  /** Overrides task queue names (tests run isolated workers). */
  taskQueues?: Partial<TaskQueues>;
  /** Test hook: kills the process at a named point of a request (server.ts arms it only when NODE_ENV=test). */
  crashPoint?: (name: string) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Builds the Express app; `server.ts` listens, tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use(
    pinoHttp({
      logger,
      // A caller's request id is kept so one story can be followed across systems.
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  app.use(deps.metrics.middleware);
  // No body parser here: bodies are read per router, after authentication (see body.ts).

  const registry = createRegistry();
  registerHealthOpenApi(registry);
  registerEchoOpenApi(registry);
  registerCodecOpenApi(registry);
  registerNotificationsOpenApi(registry);
  registerAppointmentsOpenApi(registry);
  registerDossiersOpenApi(registry);
  registerWebhookEndpointsOpenApi(registry);
  const openapi = generateDocument(registry, config.api.publicUrl);

  // Public: health probes and the API description (it holds no data).
  app.use(healthRouter(deps.readiness, logger));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  // Vendor callbacks authenticate by signature (each router checks its own) and are never
  // rate limited: keep them above the limiters and API-key authentication below.
  app.use(
    '/v1/webhooks',
    twilioWebhooksRouter({
      prisma: deps.prisma,
      temporal: deps.temporal,
      logger,
      authToken: deps.twilio.authToken,
      publicBaseUrl: config.notifications.callbackBaseUrl,
    }),
  );
  if (deps.webhooks) app.use('/v1/webhooks', deps.webhooks);

  // Everything from here on is for Relay's own callers (API keys, signed-in operators) and
  // rate limited per address and per key.
  const limits = rateLimits(config.rateLimit);
  const sessions = operatorSessions(config);
  app.use(signInRouter({ sessions, keys: config.api.keys, publicUrl: config.api.publicUrl, webUiUrl: config.temporal.uiUrl, rateLimit: limits.perAddress }));
  // The codec route does its own auth: it must answer CORS preflights from the Web UI.
  app.use(codecRouter({ codec: deps.codec, keys: config.api.keys, corsOrigins: config.codec.corsOrigins, sessions, rateLimits: limits }));

  app.use(limits.perAddress, authenticate(config.api.keys), limits.perKey, ...jsonBody(MB));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  const uiBase = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/`;
  const webUiUrl = (id: string) => uiBase + encodeURIComponent(id);
  const starter = { client: deps.temporal, taskQueues: resolveTaskQueues(deps.taskQueues) };
  app.use(echoRouter({ starter, webUiUrl }));
  app.use(notificationsRouter({ starter, prisma: deps.prisma, policy: config.notifications.policy, webUiUrl }));
  app.use(appointmentsRouter({ starter, prisma: deps.prisma, policy: config.notifications.policy, webUiUrl }));
  app.use(dossiersRouter({ starter, prisma: deps.prisma, policy: config.notifications.policy, webUiUrl, crashPoint: deps.crashPoint }));
  app.use(
    webhookEndpointsRouter({
      starter,
      prisma: deps.prisma,
      policy: config.notifications.policy,
      logger,
      allowInternalUrls: config.env !== 'production',
      secrets: createSecretSealer(config.codec.keys),
    }),
  );

  app.use((req) => {
    throw new NotFoundError(`No route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return app;
}
