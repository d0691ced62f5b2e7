/**
 * Runs the Mews simulator on its own:
 * `node --import tsx src/integrations/pms/mews/simulator/main.ts [--port 4610] [--host 127.0.0.1] [--log]`.
 * It starts empty; hotels are added through `POST /__sim/hotels` (demo mode's seed does so).
 */
import { parseArgs } from 'node:util';
import { createMewsSimulator, MEWS_SIMULATOR_DEFAULT_PORT } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.MEWS_SIMULATOR_PORT ?? String(MEWS_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await createMewsSimulator({ port, host: values.host, logRequests: values.log });
  console.log(`Mews simulator listening on ${sim.url} (Connector API under /api/connector/v1, controls under /__sim)`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
