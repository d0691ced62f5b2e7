/**
 * Runs the Cloudbeds simulator on its own:
 * `node --import tsx src/integrations/pms/cloudbeds/simulator/main.ts [--port 4630] [--host 127.0.0.1] [--log]`.
 * It starts empty; properties are added through `POST /__sim/hotels` (demo mode's seed does so).
 */
import { parseArgs } from 'node:util';
import { CLOUDBEDS_SIMULATOR_DEFAULT_PORT, CLOUDBEDS_SIMULATOR_PORT_VARIABLE } from './demo';
import { startCloudbedsSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env[CLOUDBEDS_SIMULATOR_PORT_VARIABLE] ?? String(CLOUDBEDS_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await startCloudbedsSimulator({ port, host: values.host, logRequests: values.log });
  console.log(`Cloudbeds simulator listening on ${sim.url} (API under /api/v1.3, controls under /__sim)`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
