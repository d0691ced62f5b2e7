import 'dotenv/config';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../config';
import { createPrismaClient } from '../db/prisma';
import { createLogger } from '../logger';
import { RELAY_MODULES } from '../modules';
import { loadModules } from '../modules/load';
import { logModuleStates } from '../modules/log-states';
import { createTemporalClient } from '../temporal/client';
import { EncryptionCodec } from '../temporal/encryption-codec';
import { createApp } from './app';
import { createApiMetrics } from './metrics';
import { dependencyChecks } from './routes/health';

/** API process entry point. */
async function main(): Promise<void> {
  const config = loadConfig();
  const modules = loadModules(RELAY_MODULES, config);
  const logger = createLogger({ level: config.logLevel, name: 'relay-api', format: config.logFormat });
  logModuleStates(logger, config, modules);
  const prisma = createPrismaClient(config.databaseUrl);
  const { client: temporal, connection } = createTemporalClient(config);

  const app = createApp({
    config,
    logger,
    temporal,
    codec: new EncryptionCodec(config.codec.keys),
    metrics: createApiMetrics(),
    readiness: dependencyChecks(prisma, connection),
    prisma,
    modules,
    crashPoint: testCrashPoint(config.env),
  });

  const server = app.listen(config.api.port, config.api.host, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port, docs: `${config.api.publicUrl}/docs` }, 'api listening');
  });
  // An idle keep-alive connection is closed by the client, never under it: clients (Node's fetch
  // after 4 s, load balancers after 60 s) reuse a socket the server would otherwise close as the
  // next request is sent ("other side closed").
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('error', (err) => {
    logger.fatal({ err }, 'api could not listen');
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api stopping');
    // Stop accepting, let in-flight requests finish, then release connections.
    server.close(() => {
      void Promise.allSettled([prisma.$disconnect(), connection.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * Test hook: RELAY_TEST_CRASH_AFTER=<point> kills the process with SIGKILL at that point of a
 * request (e.g. `dossier-status-started`: after the workflow start, before the answer), as a
 * crash would. Honoured only when NODE_ENV=test; see test/dossier-crash.test.ts.
 */
function testCrashPoint(env: string): ((name: string) => void) | undefined {
  const point = env === 'test' ? process.env.RELAY_TEST_CRASH_AFTER : undefined;
  if (!point) return undefined;
  return (name) => {
    if (name === point) process.kill(process.pid, 'SIGKILL');
  };
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
