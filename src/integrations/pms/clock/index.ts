/**
 * Clock PMS+ as a Relay PMS vendor: settings, property credentials, the limit's scope (the API
 * user), the adapter and the local simulator. Relay polls: Clock's PUSH notifications go through
 * Amazon SNS to a subscription per API user, which Relay does not use (no webhook).
 */
import type { PmsVendorDefinition } from '../vendor';
import { ClockAdapter } from './adapter';
import { clockRateScope } from './auth';
import { CLOCK_API_VERSION, CLOCK_CAPABILITIES } from './capabilities';
import { type ClockCredentials, clockCredentials } from './credentials';
import { CLOCK_SETTINGS_VARIABLES, type ClockSettings, demoClockSettings, loadClockSettings } from './settings';
import { CLOCK_SIMULATOR_DEFAULT_PORT, CLOCK_SIMULATOR_PORT_VARIABLE, createClockSimulator } from './simulator';

export const clockVendor: PmsVendorDefinition<ClockSettings, ClockCredentials> = {
  key: 'clock',
  displayName: 'Clock PMS+',
  apiVersion: CLOCK_API_VERSION,
  capabilities: CLOCK_CAPABILITIES,
  settings: {
    variables: CLOCK_SETTINGS_VARIABLES,
    load: loadClockSettings,
    demo: demoClockSettings,
  },
  credentials: clockCredentials,
  rateScope: (settings, property) => clockRateScope(settings, property.credentials),
  createAdapter: (ctx) => new ClockAdapter(ctx),
  simulator: {
    entry: 'src/integrations/pms/clock/simulator/main.ts',
    defaultPort: CLOCK_SIMULATOR_DEFAULT_PORT,
    portVariable: CLOCK_SIMULATOR_PORT_VARIABLE,
    async start(options) {
      const sim = await createClockSimulator({ port: options.port, logRequests: options.logRequests });
      return { url: sim.url, close: () => sim.close() };
    },
  },
};

export type { ClockCredentials } from './credentials';
export type { ClockSettings } from './settings';
