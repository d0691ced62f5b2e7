/**
 * Cloudbeds (API v1.3) as a Relay PMS vendor: settings, property credentials (an API key or an
 * OAuth refresh token), the limit scope, the adapter, the webhook hint and the local simulator.
 */
import type { PmsVendorDefinition } from '../vendor';
import { CloudbedsAdapter } from './adapter';
import { CLOUDBEDS_API_VERSION, CLOUDBEDS_CAPABILITIES } from './capabilities';
import { type CloudbedsCredentials, cloudbedsCredentials } from './credentials';
import { cloudbedsRateScope } from './limits';
import { CLOUDBEDS_SETTINGS_VARIABLES, type CloudbedsSettings, demoCloudbedsSettings, loadCloudbedsSettings } from './settings';
import { CLOUDBEDS_SIMULATOR_DEFAULT_PORT, CLOUDBEDS_SIMULATOR_PORT_VARIABLE } from './simulator/demo';
import { startCloudbedsSimulator } from './simulator/server';
import { cloudbedsWebhook } from './webhook';

export const cloudbedsVendor: PmsVendorDefinition<CloudbedsSettings, CloudbedsCredentials> = {
  key: 'cloudbeds',
  displayName: 'Cloudbeds',
  apiVersion: CLOUDBEDS_API_VERSION,
  capabilities: CLOUDBEDS_CAPABILITIES,
  settings: {
    variables: CLOUDBEDS_SETTINGS_VARIABLES,
    load: loadCloudbedsSettings,
    demo: demoCloudbedsSettings,
  },
  credentials: cloudbedsCredentials,
  rateScope: (settings, property) => cloudbedsRateScope(settings, property.credentials),
  createAdapter: (ctx) => new CloudbedsAdapter(ctx),
  webhook: cloudbedsWebhook,
  simulator: {
    entry: 'src/integrations/pms/cloudbeds/simulator/main.ts',
    defaultPort: CLOUDBEDS_SIMULATOR_DEFAULT_PORT,
    portVariable: CLOUDBEDS_SIMULATOR_PORT_VARIABLE,
    async start(options) {
      const sim = await startCloudbedsSimulator({ port: options.port, logRequests: options.logRequests });
      return { url: sim.url, close: () => sim.close() };
    },
  },
};

export type { CloudbedsCredentials } from './credentials';
export type { CloudbedsSettings } from './settings';
