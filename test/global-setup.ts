import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { migrateDeploy } from '../scripts/lib/prisma-cli';
import { freePort, startDevServer, temporalCli, waitForTemporal } from '../scripts/lib/temporal-dev-server';
import { ensureSearchAttributes } from '../src/temporal/search-attributes';
import { createDatabase, randomDatabaseName } from './helpers/postgres';
import { TEST_NAMESPACE, type TestRun } from './helpers/test-run';

/**
 * Once per jest run: a real Temporal dev server on a free port and a fresh PostgreSQL
 * database migrated from empty by the real Prisma CLI. Test files read the addresses
 * from the environment.
 *
 * RELAY_TEST_TEMPORAL_ADDRESS names a running server to use instead of a dev server (its
 * namespace `default` must exist): `npm run test:server` sets it to a full Temporal server.
 */
export default async function globalSetup(): Promise<void> {
  const external = process.env.RELAY_TEST_TEMPORAL_ADDRESS;
  let address: string;
  let server: TestRun['server'];
  if (external) {
    address = external;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'relay-test-'));
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    server = startDevServer(temporalCli(), { port, namespace: TEST_NAMESPACE, logFile: path.join(dir, 'temporal.log') });
  }

  const databaseName = randomDatabaseName('relay_test');
  const databaseUrl = await createDatabase(databaseName);
  const run: TestRun = { server, databaseName };
  (globalThis as { relayTestRun?: TestRun }).relayTestRun = run;

  migrateDeploy(databaseUrl);
  await waitForTemporal(address, 90_000, () => server !== undefined && server.exitCode !== null);
  const connection = await Connection.connect({ address });
  await ensureSearchAttributes(connection, TEST_NAMESPACE);
  await connection.close();

  process.env.TEMPORAL_ADDRESS = address;
  process.env.TEMPORAL_NAMESPACE = TEST_NAMESPACE;
  process.env.DATABASE_URL = databaseUrl;
}
