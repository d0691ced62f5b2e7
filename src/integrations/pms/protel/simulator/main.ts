/**
 * Runs the protel I/O simulator on its own:
 * `node --import tsx src/integrations/pms/protel/simulator/main.ts [--port 4640] [--host 127.0.0.1] [--log]`.
 * It starts without hotels: `POST /__sim/hotels` creates them and answers each hotel's token.
 */
import { parseArgs } from 'node:util';
import { PROTEL_SIMULATOR_DEFAULT_PORT, PROTEL_SIMULATOR_PORT_VARIABLE, PROTEL_SYNC_PATH } from './demo';
import { startProtelSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env[PROTEL_SIMULATOR_PORT_VARIABLE] ?? String(PROTEL_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await startProtelSimulator({ port, host: values.host, logRequests: values.log });
  console.log(`protel I/O simulator listening on ${sim.url} (SOAP endpoint ${sim.url}${PROTEL_SYNC_PATH}); control API ${sim.url}/__sim`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
