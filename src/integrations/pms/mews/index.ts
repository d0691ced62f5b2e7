/**
 * Mews (Connector API) as a Relay PMS vendor: settings, property credentials, the limit scope,
 * the adapter, the General webhook and the local simulator.
 */
import type { PmsVendorDefinition } from '../vendor';
import { MewsAdapter } from './adapter';
import { mewsRateScope } from './auth';
import { MEWS_API_VERSION, MEWS_CAPABILITIES } from './capabilities';
import { type MewsCredentials, mewsCredentials } from './credentials';
import { demoMewsSettings, loadMewsSettings, MEWS_SETTINGS_VARIABLES, type MewsSettings } from './settings';
import { createMewsSimulator, MEWS_SIMULATOR_DEFAULT_PORT } from './simulator';
import { mewsWebhook } from './webhook';

export const mewsVendor: PmsVendorDefinition<MewsSettings, MewsCredentials> = {
  key: 'mews',
  displayName: 'Mews',
  apiVersion: MEWS_API_VERSION,
  capabilities: MEWS_CAPABILITIES,
  settings: {
    variables: MEWS_SETTINGS_VARIABLES,
    load: loadMewsSettings,
    demo: demoMewsSettings,
  },
  credentials: mewsCredentials,
  rateScope: (_settings, property) => mewsRateScope(property.credentials),
  createAdapter: (ctx) => new MewsAdapter(ctx),
  webhook: mewsWebhook,
  simulator: {
    entry: 'src/integrations/pms/mews/simulator/main.ts',
    defaultPort: MEWS_SIMULATOR_DEFAULT_PORT,
    portVariable: 'MEWS_SIMULATOR_PORT',
    async start(options) {
      const sim = await createMewsSimulator({ port: options.port, logRequests: options.logRequests });
      return { url: sim.url, close: () => sim.close() };
    },
  },
};

export type { MewsCredentials } from './credentials';
export type { MewsSettings } from './settings';
