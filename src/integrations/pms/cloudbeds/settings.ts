/**
 * Cloudbeds settings that belong to Relay as one integration: where the API lives, Relay's OAuth
 * client (for hotels connected by consent; hotels that hand Relay an API key need none) and the
 * secret Relay puts in the webhook address it subscribes. A hotel's own key or refresh token is a
 * property credential (credentials.ts).
 */
import { ConfigError } from '../../../config';
import { CLOUDBEDS_DEMO } from './simulator/demo';

export interface CloudbedsOAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface CloudbedsSettings {
  /** https://api.cloudbeds.com, or the simulator. No trailing slash; `/api/v1.3/...` is appended. */
  baseUrl: string;
  /** Relay's OAuth 2 client; null: only API-key properties can be connected. */
  oauth: CloudbedsOAuthClient | null;
  /** The secret in the webhook address Relay registers with `postWebhook`; null: pushes are refused. */
  webhookToken: string | null;
}

export const CLOUDBEDS_SETTINGS_VARIABLES = [
  'PMS_CLOUDBEDS_ENABLED',
  'PMS_CLOUDBEDS_BASE_URL',
  'PMS_CLOUDBEDS_CLIENT_ID',
  'PMS_CLOUDBEDS_CLIENT_SECRET',
  'PMS_CLOUDBEDS_WEBHOOK_TOKEN',
] as const;

export const CLOUDBEDS_PRODUCTION_URL = 'https://api.cloudbeds.com';

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Null unless `PMS_CLOUDBEDS_ENABLED=true` or an OAuth client is set: API keys are per hotel, so
 * nothing else says Cloudbeds is wanted. Then it is disabled in production and simulated in
 * development. A client id without its secret (or the reverse), or a bad URL: a ConfigError.
 */
export function loadCloudbedsSettings(env: NodeJS.ProcessEnv): CloudbedsSettings | null {
  const enabled = present(env.PMS_CLOUDBEDS_ENABLED);
  const clientId = present(env.PMS_CLOUDBEDS_CLIENT_ID);
  const clientSecret = present(env.PMS_CLOUDBEDS_CLIENT_SECRET);
  const problems: string[] = [];
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') problems.push('PMS_CLOUDBEDS_ENABLED must be true or false');
  if ((clientId === undefined) !== (clientSecret === undefined)) problems.push('PMS_CLOUDBEDS_CLIENT_ID and PMS_CLOUDBEDS_CLIENT_SECRET are set together (Relay’s OAuth client)');
  const baseUrl = present(env.PMS_CLOUDBEDS_BASE_URL) ?? CLOUDBEDS_PRODUCTION_URL;
  if (!isHttpUrl(baseUrl)) problems.push('PMS_CLOUDBEDS_BASE_URL must be an http(s) URL');
  if (problems.length > 0) throw new ConfigError(problems);
  if (enabled !== 'true' && clientId === undefined) return null;
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    oauth: clientId && clientSecret ? { clientId, clientSecret } : null,
    webhookToken: present(env.PMS_CLOUDBEDS_WEBHOOK_TOKEN) ?? null,
  };
}

/** The simulator with its public demo OAuth client: demo mode needs no secret. */
export function demoCloudbedsSettings(simulatorUrl: string): CloudbedsSettings {
  return {
    baseUrl: simulatorUrl.replace(/\/+$/, ''),
    oauth: { clientId: CLOUDBEDS_DEMO.clientId, clientSecret: CLOUDBEDS_DEMO.clientSecret },
    webhookToken: CLOUDBEDS_DEMO.webhookToken,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
