/**
 * Runs the Mews simulator on its own:
 * `node --import tsx src/integrations/pms/mews/simulator/main.ts [--port 4610] [--host 127.0.0.1] [--log]`.
 * It starts empty; hotels are added through `POST /__sim/hotels` (demo mode's seed does so).
 */
import { runStandalone } from '../../simulator-kit/standalone';
import { createMewsSimulator, MEWS_SIMULATOR_DEFAULT_PORT } from './index';

runStandalone({
  defaultPort: MEWS_SIMULATOR_DEFAULT_PORT,
  portVariable: 'MEWS_SIMULATOR_PORT',
  start: (options) => createMewsSimulator(options),
  announce: (url) => `Mews simulator listening on ${url} (Connector API under /api/connector/v1, controls under /__sim)`,
});
