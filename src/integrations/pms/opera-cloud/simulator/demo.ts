/**
 * The OPERA simulator's public demo values: the OAuth client, application key and enterprise
 * it accepts out of the box. They guard nothing but a local simulator, so they may be public;
 * demo mode points Relay's OPERA integration at the simulator with exactly these.
 */
export const OPERA_DEMO = {
  clientId: 'relay_demo_client',
  clientSecret: 'relay-demo-opera-client-secret',
  /** A UUID v4, as the Developer Portal issues application keys. */
  appKey: '6f1c2b7e-3a4d-4e8f-9b21-5c7d8e9f0a1b',
  enterpriseId: 'RELAYDEM',
  externalSystem: 'RELAY',
} as const;

export const OPERA_SIMULATOR_DEFAULT_PORT = 4620;
export const OPERA_SIMULATOR_PORT_VARIABLE = 'OPERA_SIMULATOR_PORT';
