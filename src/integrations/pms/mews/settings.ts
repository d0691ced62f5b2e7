/**
 * Mews settings that belong to Relay as one integration (not to a hotel): where the Connector
 * API lives, Relay's ClientToken, and the secret Mews adds to its webhook URL. A hotel's own
 * AccessToken is a property credential (see `credentials.ts`).
 */
import { ConfigError } from '../../../config';
import { version } from '../../../../package.json';

export interface MewsSettings {
  /** https://api.mews.com in production, https://api.mews-demo.com for Mews' demo, or the simulator. No trailing slash. */
  baseUrl: string;
  /** Identifies Relay as a Mews integration; issued by Mews on certification. */
  clientToken: string;
  /** The secret Mews appends to the webhook URL; null: no webhook is accepted. */
  webhookToken: string | null;
  /** `Client` in every request body: name and version, as Mews asks. */
  client: string;
}

export const MEWS_SETTINGS_VARIABLES = ['PMS_MEWS_BASE_URL', 'PMS_MEWS_CLIENT_TOKEN', 'PMS_MEWS_WEBHOOK_TOKEN'] as const;

export const MEWS_PRODUCTION_URL = 'https://api.mews.com';

/** Mews' public demo ClientToken (guidelines/environments.md); the simulator accepts it too. */
export const MEWS_DEMO_CLIENT_TOKEN = 'E0D439EE522F44368DC78E1BFB03710C-D24FB11DBE31D4621C4817E028D9E1D';

/** The webhook secret demo mode uses; it only ever guards a local simulator's pushes. */
export const MEWS_DEMO_WEBHOOK_TOKEN = 'relay-demo-mews-webhook-token';

export const MEWS_CLIENT_NAME = `Relay ${version}`;

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Null without a ClientToken: Mews is then disabled in production and simulated in development. */
export function loadMewsSettings(env: NodeJS.ProcessEnv): MewsSettings | null {
  const clientToken = present(env.PMS_MEWS_CLIENT_TOKEN);
  if (clientToken === undefined) return null;
  const baseUrl = present(env.PMS_MEWS_BASE_URL) ?? MEWS_PRODUCTION_URL;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError([`PMS_MEWS_BASE_URL is not a URL: ${baseUrl}`]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(['PMS_MEWS_BASE_URL must be an http(s) URL']);
  return { baseUrl: baseUrl.replace(/\/+$/, ''), clientToken, webhookToken: present(env.PMS_MEWS_WEBHOOK_TOKEN) ?? null, client: MEWS_CLIENT_NAME };
}

export function demoMewsSettings(simulatorUrl: string): MewsSettings {
  return { baseUrl: simulatorUrl.replace(/\/+$/, ''), clientToken: MEWS_DEMO_CLIENT_TOKEN, webhookToken: MEWS_DEMO_WEBHOOK_TOKEN, client: MEWS_CLIENT_NAME };
}
