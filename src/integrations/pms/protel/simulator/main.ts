/**
 * Runs the protel I/O simulator on its own:
 * `node --import tsx src/integrations/pms/protel/simulator/main.ts [--port 4640] [--host 127.0.0.1] [--log]`.
 * It starts without hotels: `POST /__sim/hotels` creates them and answers each hotel's token.
 */
import { runStandalone } from '../../simulator-kit/standalone';
import { PROTEL_SIMULATOR_DEFAULT_PORT, PROTEL_SIMULATOR_PORT_VARIABLE, PROTEL_SYNC_PATH } from './demo';
import { startProtelSimulator } from './server';

runStandalone({
  defaultPort: PROTEL_SIMULATOR_DEFAULT_PORT,
  portVariable: PROTEL_SIMULATOR_PORT_VARIABLE,
  start: (options) => startProtelSimulator(options),
  announce: (url) => `protel I/O simulator listening on ${url} (SOAP endpoint ${url}${PROTEL_SYNC_PATH}); control API ${url}/__sim`,
});
