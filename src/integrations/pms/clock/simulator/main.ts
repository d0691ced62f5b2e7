/**
 * Runs the Clock PMS+ simulator on its own:
 * `node --import tsx src/integrations/pms/clock/simulator/main.ts [--port 4650] [--host 127.0.0.1] [--log]`.
 * It starts empty; hotels (accounts with their API users) are added through `POST /__sim/hotels`.
 */
import { runStandalone } from '../../simulator-kit/standalone';
import { CLOCK_SIMULATOR_DEFAULT_PORT, CLOCK_SIMULATOR_PORT_VARIABLE, createClockSimulator } from './index';

runStandalone({
  defaultPort: CLOCK_SIMULATOR_DEFAULT_PORT,
  portVariable: CLOCK_SIMULATOR_PORT_VARIABLE,
  start: (options) => createClockSimulator(options),
  announce: (url) => `Clock PMS+ simulator listening on ${url} (pms_api under /pms_api/{subscription}/{account}, controls under /__sim)`,
});
