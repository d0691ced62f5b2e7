/**
 * Runs the OPERA Cloud simulator on its own:
 * `node --import tsx src/integrations/pms/opera-cloud/simulator/main.ts [--port 4620] [--host 127.0.0.1] [--log]`.
 * It starts empty: hotels are created through `POST /__sim/hotels` (demo mode's seed does so).
 * Clients authenticate with the public demo client, app key and enterprise in demo.ts.
 */
import { runStandalone } from '../../simulator-kit/standalone';
import { OPERA_DEMO, OPERA_SIMULATOR_DEFAULT_PORT, OPERA_SIMULATOR_PORT_VARIABLE } from './demo';
import { startOperaSimulator } from './server';

runStandalone({
  defaultPort: OPERA_SIMULATOR_DEFAULT_PORT,
  portVariable: OPERA_SIMULATOR_PORT_VARIABLE,
  start: (options) => startOperaSimulator(options),
  announce: (url) => `OPERA Cloud simulator listening on ${url} (client ${OPERA_DEMO.clientId}, enterprise ${OPERA_DEMO.enterpriseId}); control API ${url}/__sim`,
});
