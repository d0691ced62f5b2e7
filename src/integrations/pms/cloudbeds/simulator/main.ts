/**
 * Runs the Cloudbeds simulator on its own:
 * `node --import tsx src/integrations/pms/cloudbeds/simulator/main.ts [--port 4630] [--host 127.0.0.1] [--log]`.
 * It starts empty; properties are added through `POST /__sim/hotels` (demo mode's seed does so).
 */
import { runStandalone } from '../../simulator-kit/standalone';
import { CLOUDBEDS_SIMULATOR_DEFAULT_PORT, CLOUDBEDS_SIMULATOR_PORT_VARIABLE } from './demo';
import { startCloudbedsSimulator } from './server';

runStandalone({
  defaultPort: CLOUDBEDS_SIMULATOR_DEFAULT_PORT,
  portVariable: CLOUDBEDS_SIMULATOR_PORT_VARIABLE,
  start: (options) => startCloudbedsSimulator(options),
  announce: (url) => `Cloudbeds simulator listening on ${url} (API under /api/v1.3, controls under /__sim)`,
});
