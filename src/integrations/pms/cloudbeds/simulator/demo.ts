/**
 * The simulator's public demo values: its OAuth client, the webhook secret demo mode uses and its
 * port. They guard nothing but a local simulator.
 */
export const CLOUDBEDS_DEMO = {
  clientId: 'live1_relay_demo_client',
  clientSecret: 'relay-demo-cloudbeds-client-secret',
  webhookToken: 'relay-demo-cloudbeds-webhook-token',
} as const;

export const CLOUDBEDS_SIMULATOR_DEFAULT_PORT = 4630;
export const CLOUDBEDS_SIMULATOR_PORT_VARIABLE = 'CLOUDBEDS_SIMULATOR_PORT';
