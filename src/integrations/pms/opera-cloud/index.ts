/**
 * Oracle OPERA Cloud through the Oracle Hospitality Integration Platform (OHIP REST, property
 * APIs 25.5.0.0). Relay polls: OHIP's Business Events arrive over a streaming subscription (one
 * consumer per app key and chain), which Relay does not use, so there is no webhook.
 */
import type { RateScope } from '../adapter';
import type { CapabilityTable } from '../operations';
import type { PmsVendorDefinition } from '../vendor';
import { OperaCloudAdapter } from './adapter';
import { type OperaCredentials, operaCredentials } from './credentials';
import { demoOperaSettings, loadOperaSettings, OPERA_SETTINGS_VARIABLES, type OperaSettings } from './settings';
import { OPERA_SIMULATOR_DEFAULT_PORT, OPERA_SIMULATOR_PORT_VARIABLE } from './simulator/demo';
import { startOperaSimulator } from './simulator/server';

/** The OHIP property API version of the specs this adapter and its simulator follow. */
export const OPERA_API_VERSION = '25.5.0.0';

/** OHIP delays (does not refuse) the 51st and later request within a second per environment. */
export const OPERA_RATE_LIMIT = { limit: 50, windowMs: 1000 } as const;

export const OPERA_CAPABILITIES: CapabilityTable = {
  getGuest: { supported: true, note: 'CRM profile: name, primary phone and e-mail, language, nationality, preferences, SMS opt-in' },
  getReservation: { supported: true },
  searchReservations: { supported: true, note: 'by confirmation number, surname or arrival dates; cancelled reservations included' },
  listArrivals: { supported: true, note: 'polled (Business Events streaming not used); the search returns no full guest, the profile is read separately' },
  postCharge: { supported: true, note: "needs an OPERA transaction code (the request's item code or the property's chargeTransactionCode); found again by postingReference" },
  postNote: { supported: true, note: 'an internal reservation comment of type RESERVATION, found again by a [relay:…] marker in its text' },
  updateGuest: { supported: true, note: 'name, phone, e-mail, language and TYPE:CODE preferences; clearing a phone, e-mail or language is not supported' },
  listRooms: { supported: true, note: 'housekeeping overview: room status and front-office occupancy' },
};

/** One OPERA environment is a gateway and an enterprise: every hotel in it shares its limit. */
export function operaRateScope(settings: Pick<OperaSettings, 'gatewayUrl' | 'enterpriseId'>): RateScope {
  return { key: `opera:env:${new URL(settings.gatewayUrl).host}:${settings.enterpriseId}`, ...OPERA_RATE_LIMIT };
}

export const operaCloudVendor: PmsVendorDefinition<OperaSettings, OperaCredentials> = {
  key: 'opera-cloud',
  displayName: 'Oracle OPERA Cloud',
  apiVersion: OPERA_API_VERSION,
  capabilities: OPERA_CAPABILITIES,
  settings: {
    variables: OPERA_SETTINGS_VARIABLES,
    load: loadOperaSettings,
    demo: demoOperaSettings,
  },
  credentials: operaCredentials,
  rateScope: (settings) => operaRateScope(settings),
  createAdapter: (ctx) => new OperaCloudAdapter(ctx),
  simulator: {
    entry: 'src/integrations/pms/opera-cloud/simulator/main.ts',
    defaultPort: OPERA_SIMULATOR_DEFAULT_PORT,
    portVariable: OPERA_SIMULATOR_PORT_VARIABLE,
    start: async (options) => {
      const sim = await startOperaSimulator({ port: options.port, logRequests: options.logRequests });
      return { url: sim.url, close: () => sim.close() };
    },
  },
};
