/**
 * Runs the Clock PMS+ simulator on its own:
 * `node --import tsx src/integrations/pms/clock/simulator/main.ts [--port 4650] [--host 127.0.0.1] [--log]`.
 * It starts empty; hotels (accounts with their API users) are added through `POST /__sim/hotels`.
 */
import { parseArgs } from 'node:util';
import { CLOCK_SIMULATOR_DEFAULT_PORT, CLOCK_SIMULATOR_PORT_VARIABLE, createClockSimulator } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env[CLOCK_SIMULATOR_PORT_VARIABLE] ?? String(CLOCK_SIMULATOR_DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      log: { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer in 0..65535, got ${values.port}`);
  const sim = await createClockSimulator({ port, host: values.host, logRequests: values.log });
  console.log(`Clock PMS+ simulator listening on ${sim.url} (pms_api under /pms_api/{subscription}/{account}, controls under /__sim)`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
