import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Connection } from '@temporalio/client';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../logger';
import type { LoadedModule } from '../../modules/module';
import { z } from '../openapi';

/** A dependency probe resolves when the dependency answers and rejects otherwise. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

/** What the API depends on: PostgreSQL and the Temporal frontend. */
export function dependencyChecks(prisma: Pick<PrismaClient, '$queryRaw'>, temporal: Connection): ReadinessChecks {
  return {
    database: () => prisma.$queryRaw`SELECT 1`,
    temporal: () => temporal.healthService.check({}),
  };
}

const READINESS_TIMEOUT_MS = 2_000;

const Readiness = z
  .object({
    status: z.enum(['ready', 'unavailable']),
    checks: z.record(z.string(), z.enum(['ok', 'down'])),
    integrations: z.record(z.string(), z.enum(['live', 'demo', 'disabled'])).openapi({
      description: 'Each integration module: live (credentials), demo (local simulators) or disabled (no credentials in production)',
    }),
  })
  .openapi('Readiness');

/** A disabled integration does not make Relay unready: it is reported, and its routes answer 503. */
export function healthRouter(checks: ReadinessChecks, logger: Logger, modules: readonly Pick<LoadedModule, 'name' | 'state'>[] = []): Router {
  const integrations = Object.fromEntries(modules.map((m) => [m.name, m.state.mode]));
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), READINESS_TIMEOUT_MS);
          return [name, 'ok'] as const;
        } catch (err) {
          logger.warn({ err, dependency: name }, 'readiness check failed');
          return [name, 'down'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results), integrations });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function registerHealthOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process is up',
    responses: { 200: { description: 'Alive' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL and Temporal answer; which integrations are live, demo or disabled',
    responses: {
      200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
      503: { description: 'A dependency is down', content: { 'application/json': { schema: Readiness } } },
    },
  });
}
