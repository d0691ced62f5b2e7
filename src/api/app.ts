import { randomUUID } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { Config } from '../config';
import { NotFoundError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { LoadedModule } from '../modules/module';
import { resolveTaskQueues } from '../temporal/task-queues';
import { authenticate } from './auth';
import { jsonBody, MB } from './body';
import { errorHandler } from './error-handler';
import type { ApiMetrics } from './metrics';
import { createRegistry, generateDocument } from './openapi';
import { rateLimits } from './rate-limit';
import { auditRouter, registerAuditOpenApi } from './routes/audit';
import { codecRouter, registerCodecOpenApi } from './routes/codec';
import { healthRouter, registerHealthOpenApi, type ReadinessChecks } from './routes/health';
import { signInRouter } from './routes/sign-in';
import { disabledModuleRouters } from './disabled-modules';
import { operatorSessions } from './session';

export interface AppDeps {
  config: Config;
  logger: Logger;
  temporal: Client;
  codec: PayloadCodec;
  metrics: ApiMetrics;
  readiness: ReadinessChecks;
  prisma: PrismaClient;
  /** The loaded integration modules: each enabled one mounts its routes, a disabled one answers 503. */
  modules: readonly LoadedModule[];
  /** Overrides task queue names by key (tests run isolated workers). */
  taskQueues?: Partial<Record<string, string>>;
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
  registerCodecOpenApi(registry);
  registerAuditOpenApi(registry);
  for (const m of deps.modules) m.registerOpenApi(registry);
  const openapi = generateDocument(registry, config.api.publicUrl);

  // Public: health probes and the API description (it holds no data).
  const uiBase = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/`;
  const moduleDeps = {
    prisma: deps.prisma,
    logger,
    temporal: deps.temporal,
    starter: { client: deps.temporal, taskQueues: resolveTaskQueues(deps.modules, deps.taskQueues) },
    webUiUrl: (id: string) => uiBase + encodeURIComponent(id),
    crashPoint: deps.crashPoint,
  };
  const readiness = { ...deps.readiness, ...Object.assign({}, ...deps.modules.map((m) => m.enabled?.readiness(moduleDeps) ?? {})) };
  for (const m of deps.modules) m.enabled?.metrics(deps.metrics.registry, moduleDeps);
  const disabled = disabledModuleRouters(deps.modules);

  app.use(healthRouter(readiness, logger, deps.modules));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi));

  // Vendor callbacks authenticate by signature (each router checks its own) and are never
  // rate limited: keep them above the limiters and API-key authentication below.
  // A disabled module's callbacks refuse every request: nothing may act on a forged one.
  for (const m of deps.modules) {
    for (const { vendor, router } of m.enabled?.webhookRouters(moduleDeps) ?? []) app.use(`/v1/webhooks/${vendor}`, router);
  }
  app.use(disabled.webhooks);

  // Everything from here on is for Relay's own callers (API keys, signed-in operators) and
  // rate limited per address and per key.
  const limits = rateLimits(config.rateLimit);
  const sessions = operatorSessions(config);
  app.use(signInRouter({ sessions, keys: config.api.keys, publicUrl: config.api.publicUrl, webUiUrl: config.temporal.uiUrl, rateLimit: limits.perAddress }));
  // The codec route does its own auth: it must answer CORS preflights from the Web UI.
  app.use(codecRouter({ codec: deps.codec, keys: config.api.keys, corsOrigins: config.codec.corsOrigins, sessions, rateLimits: limits }));
  // Modules' browser pages (OAuth callbacks, admin pages) authenticate themselves: operator session or OAuth state.
  for (const m of deps.modules) for (const router of m.enabled?.browserRouters({ ...moduleDeps, sessions, rateLimit: limits.perAddress }) ?? []) app.use(router);

  app.use(limits.perAddress, authenticate(config.api.keys), limits.perKey, ...jsonBody(MB));
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use(auditRouter({ prisma: deps.prisma }));
  for (const m of deps.modules) for (const router of m.enabled?.routers(moduleDeps) ?? []) app.use(router);
  app.use(disabled.routes);

  app.use((req) => {
    throw new NotFoundError(`No route ${req.method} ${req.path}`);
  });
  app.use(errorHandler(logger));
  return app;
}
