/**
 * protel settings that belong to Relay as one integration: the protel I/O endpoint for
 * synchronous messages and the `Target` header that routes them (protel Air, on-premise, or the
 * alias for both). Everything hotel-specific, the hotel's bearer token first, is a property
 * credential: protel issues one token per service per hotel, so there is no integration-wide
 * secret, and the endpoint is what switches protel on.
 */
import { ConfigError } from '../../../config';
import { PROTEL_SYNC_PATH } from './simulator/demo';
import { DEFAULT_TARGET, TARGETS } from './wire';

export interface ProtelSettings {
  /** The full URL of protel I/O's synchronous SOAP endpoint (or the simulator's). */
  endpointUrl: string;
  /** `Target` header element: `io.protel.air`, `io.protel.onpremise` or `io.protel.pms`. */
  target: string;
}

export const PROTEL_SETTINGS_VARIABLES = ['PMS_PROTEL_URL', 'PMS_PROTEL_TARGET'] as const;

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Null without an endpoint: protel is then disabled in production and simulated in development. */
export function loadProtelSettings(env: NodeJS.ProcessEnv): ProtelSettings | null {
  const url = present(env.PMS_PROTEL_URL);
  const target = present(env.PMS_PROTEL_TARGET);
  if (url === undefined) {
    if (target !== undefined) throw new ConfigError(['PMS_PROTEL_URL is required when PMS_PROTEL_TARGET is set']);
    return null;
  }
  const problems: string[] = [];
  if (!isHttpUrl(url)) problems.push('PMS_PROTEL_URL must be an http(s) URL (protel I/O’s synchronous endpoint)');
  if (target !== undefined && !(TARGETS as readonly string[]).includes(target)) problems.push(`PMS_PROTEL_TARGET must be one of ${TARGETS.join(', ')}`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { endpointUrl: url, target: target ?? DEFAULT_TARGET };
}

export function demoProtelSettings(simulatorUrl: string): ProtelSettings {
  return { endpointUrl: `${simulatorUrl.replace(/\/+$/, '')}${PROTEL_SYNC_PATH}`, target: DEFAULT_TARGET };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
