/**
 * protel (protel Air and on-premise through protel I/O) as a Relay PMS vendor: settings, the
 * hotel's bearer token as the property credential, the limit scope, the adapter and the local
 * simulator. Relay polls: protel I/O pushes through its asynchronous channel to a registered
 * partner endpoint, which Relay does not run, so there is no webhook.
 */
import { createHash } from 'node:crypto';
import type { RateScope } from '../adapter';
import type { PmsVendorDefinition } from '../vendor';
import { ProtelAdapter } from './adapter';
import { PROTEL_API_VERSION, PROTEL_CAPABILITIES } from './capabilities';
import { type ProtelCredentials, protelCredentials } from './credentials';
import { demoProtelSettings, loadProtelSettings, PROTEL_SETTINGS_VARIABLES, type ProtelSettings } from './settings';
import { PROTEL_SIMULATOR_DEFAULT_PORT, PROTEL_SIMULATOR_PORT_VARIABLE } from './simulator/demo';
import { startProtelSimulator } from './simulator/server';

/**
 * protel publishes no limit. Relay keeps a conservative one at the scope protel issues access
 * at, the hotel's token (one per service per hotel): 120 requests per minute, about one poll's
 * worth of messages every second on average while a short burst still passes.
 */
export const PROTEL_RATE_LIMIT = { limit: 120, windowMs: 60_000 } as const;

/** Per hotel token; the key carries a digest, never the token. */
export function protelRateScope(credentials: Pick<ProtelCredentials, 'token'>): RateScope {
  return { key: `protel:token:${createHash('sha256').update(credentials.token, 'utf8').digest('hex').slice(0, 24)}`, ...PROTEL_RATE_LIMIT };
}

export const protelVendor: PmsVendorDefinition<ProtelSettings, ProtelCredentials> = {
  key: 'protel',
  displayName: 'protel',
  apiVersion: PROTEL_API_VERSION,
  capabilities: PROTEL_CAPABILITIES,
  settings: {
    variables: PROTEL_SETTINGS_VARIABLES,
    load: loadProtelSettings,
    demo: demoProtelSettings,
  },
  credentials: protelCredentials,
  rateScope: (_settings, property) => protelRateScope(property.credentials),
  createAdapter: (ctx) => new ProtelAdapter(ctx),
  simulator: {
    entry: 'src/integrations/pms/protel/simulator/main.ts',
    defaultPort: PROTEL_SIMULATOR_DEFAULT_PORT,
    portVariable: PROTEL_SIMULATOR_PORT_VARIABLE,
    start: async (options) => {
      const sim = await startProtelSimulator({ port: options.port, logRequests: options.logRequests });
      return { url: sim.url, close: () => sim.close() };
    },
  },
};

export type { ProtelCredentials } from './credentials';
export type { ProtelSettings } from './settings';
