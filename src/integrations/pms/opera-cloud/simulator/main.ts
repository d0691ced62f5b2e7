/**
 * Runs the OPERA Cloud simulator on its own:
 * `node --import tsx src/integrations/pms/opera-cloud/simulator/main.ts [--port 4620] [--host 127.0.0.1] [--log]`.
 * It starts empty: hotels are created through `POST /__sim/hotels` (demo mode's seed does so).
 * Clients authenticate with the public demo client, app key and enterprise in demo.ts.
 */
import { parseArgs } from 'node:util';
import { OPERA_DEMO, OPERA_SIMULATOR_DEFAULT_PORT, OPERA_SIMULATOR_PORT_VARIABLE } from './demo';
import { startOperaSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env[OPERA_SIMULATOR_PORT_VARIABLE] ?? String(OPERA_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await startOperaSimulator({ port, host: values.host, logRequests: values.log });
  console.log(`OPERA Cloud simulator listening on ${sim.url} (client ${OPERA_DEMO.clientId}, enterprise ${OPERA_DEMO.enterpriseId}); control API ${sim.url}/__sim`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
