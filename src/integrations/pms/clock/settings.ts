/**
 * Clock PMS+ settings that belong to Relay as one integration. Clock has no integration-level
 * secret: each hotel creates an API user (name and key) for Relay, stored as the property's
 * credentials. So the integration is switched on explicitly, and the host pattern may be moved
 * (Clock's sandbox, or the simulator).
 */
import { ConfigError } from '../../../config';

export interface ClockSettings {
  /**
   * Where the API lives, without a trailing slash; `{region}` is replaced by the property's
   * region (`eu1`, `us2`, ...). Production: `https://sky-{region}.clock-software.com`.
   */
  baseUrl: string;
}

export const CLOCK_SETTINGS_VARIABLES = ['PMS_CLOCK_ENABLED', 'PMS_CLOCK_BASE_URL'] as const;

export const CLOCK_PRODUCTION_URL = 'https://sky-{region}.clock-software.com';

const YES = new Set(['true', '1', 'yes', 'on']);
const NO = new Set(['false', '0', 'no', 'off', '']);

/** The API's host for a property's region. */
export function clockBaseUrl(settings: ClockSettings, region: string): string {
  return settings.baseUrl.replaceAll('{region}', region);
}

/** Null unless PMS_CLOCK_ENABLED is on: Clock is then disabled in production and simulated in development. */
export function loadClockSettings(env: NodeJS.ProcessEnv): ClockSettings | null {
  const enabled = (env.PMS_CLOCK_ENABLED ?? '').trim().toLowerCase();
  if (NO.has(enabled)) return null;
  if (!YES.has(enabled)) throw new ConfigError([`PMS_CLOCK_ENABLED must be true or false, got ${env.PMS_CLOCK_ENABLED}`]);
  const baseUrl = (env.PMS_CLOCK_BASE_URL?.trim() || CLOCK_PRODUCTION_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(clockBaseUrl({ baseUrl }, 'eu1'));
  } catch {
    throw new ConfigError([`PMS_CLOCK_BASE_URL is not a URL: ${baseUrl}`]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(['PMS_CLOCK_BASE_URL must be an http(s) URL']);
  if (url.pathname !== '/' || url.search !== '') throw new ConfigError(['PMS_CLOCK_BASE_URL is the host only (the API paths start with /pms_api)']);
  return { baseUrl };
}

export function demoClockSettings(simulatorUrl: string): ClockSettings {
  return { baseUrl: simulatorUrl.replace(/\/+$/, '') };
}
