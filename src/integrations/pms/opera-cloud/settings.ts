/**
 * OPERA Cloud settings that belong to Relay as one OHIP integration: the environment's gateway,
 * the OAuth client of that environment, Relay's application key and the enterprise (chain) the
 * client belongs to. A hotel is only its hotel code (the property's `vendorPropertyId`).
 */
import { ConfigError } from '../../../config';
import { OPERA_DEMO } from './simulator/demo';

export interface OperaSettings {
  /** The gateway URL the OHIP Developer Portal lists for the environment (or the simulator). No trailing slash. */
  gatewayUrl: string;
  clientId: string;
  clientSecret: string;
  /** `x-app-key`: the application key registered in the Developer Portal (a UUID v4). */
  appKey: string;
  /** `enterpriseId` on the token request: the OPERA tenancy the client belongs to. */
  enterpriseId: string;
  /** `x-externalsystem`: Relay's external system code, so OPERA does not echo Relay's own changes back; null: not sent. */
  externalSystem: string | null;
}

export const OPERA_SETTINGS_VARIABLES = [
  'PMS_OPERA_GATEWAY_URL',
  'PMS_OPERA_CLIENT_ID',
  'PMS_OPERA_CLIENT_SECRET',
  'PMS_OPERA_APP_KEY',
  'PMS_OPERA_ENTERPRISE_ID',
  'PMS_OPERA_EXTERNAL_SYSTEM',
] as const;

const CREDENTIAL_VARIABLES = ['PMS_OPERA_CLIENT_ID', 'PMS_OPERA_CLIENT_SECRET', 'PMS_OPERA_APP_KEY'] as const;

/** The spec's `x-app-key` pattern (a UUID v4), compared without regard to case. */
const APP_KEY = /^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/i;
const ENTERPRISE_ID = /^[A-Z0-9]{1,8}$/;
/** The spec's `x-externalsystem` maxLength. */
const EXTERNAL_SYSTEM_MAX = 40;

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Null when none of the client id, client secret and app key is set: OPERA is then disabled in
 * production and simulated in development. Some of them, or a bad value: a ConfigError.
 */
export function loadOperaSettings(env: NodeJS.ProcessEnv): OperaSettings | null {
  const values = Object.fromEntries(OPERA_SETTINGS_VARIABLES.map((name) => [name, present(env[name])])) as Record<
    (typeof OPERA_SETTINGS_VARIABLES)[number],
    string | undefined
  >;
  if (CREDENTIAL_VARIABLES.every((name) => values[name] === undefined)) return null;

  const problems: string[] = [];
  for (const name of [...CREDENTIAL_VARIABLES, 'PMS_OPERA_GATEWAY_URL', 'PMS_OPERA_ENTERPRISE_ID'] as const) {
    if (values[name] === undefined) problems.push(`${name} is required when OPERA Cloud is configured`);
  }
  const gateway = values.PMS_OPERA_GATEWAY_URL;
  if (gateway !== undefined && !isHttpUrl(gateway)) problems.push('PMS_OPERA_GATEWAY_URL must be an http(s) URL');
  if (values.PMS_OPERA_APP_KEY !== undefined && !APP_KEY.test(values.PMS_OPERA_APP_KEY)) problems.push('PMS_OPERA_APP_KEY must be the application key (a UUID v4)');
  if (values.PMS_OPERA_ENTERPRISE_ID !== undefined && !ENTERPRISE_ID.test(values.PMS_OPERA_ENTERPRISE_ID)) {
    problems.push('PMS_OPERA_ENTERPRISE_ID must be 1 to 8 upper-case letters or digits');
  }
  const externalSystem = values.PMS_OPERA_EXTERNAL_SYSTEM;
  if (externalSystem !== undefined && externalSystem.length > EXTERNAL_SYSTEM_MAX) problems.push(`PMS_OPERA_EXTERNAL_SYSTEM has at most ${EXTERNAL_SYSTEM_MAX} characters`);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    gatewayUrl: gateway!.replace(/\/+$/, ''),
    clientId: values.PMS_OPERA_CLIENT_ID!,
    clientSecret: values.PMS_OPERA_CLIENT_SECRET!,
    appKey: values.PMS_OPERA_APP_KEY!,
    enterpriseId: values.PMS_OPERA_ENTERPRISE_ID!,
    externalSystem: externalSystem ?? null,
  };
}

/** The simulator's public demo client: demo mode needs no secret. */
export function demoOperaSettings(simulatorUrl: string): OperaSettings {
  return {
    gatewayUrl: simulatorUrl.replace(/\/+$/, ''),
    clientId: OPERA_DEMO.clientId,
    clientSecret: OPERA_DEMO.clientSecret,
    appKey: OPERA_DEMO.appKey,
    enterpriseId: OPERA_DEMO.enterpriseId,
    externalSystem: OPERA_DEMO.externalSystem,
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
