/**
 * Where Cloudbeds counts its limit (developers.cloudbeds.com FAQ): a property-level API key may
 * send 5 requests per second, a technology partner 10. Cloudbeds suspends the credentials that
 * exceed it, so the scope is the credential: the API key itself, or Relay's OAuth client, whose
 * one limit every hotel connected through it shares.
 */
import { createHash } from 'node:crypto';
import type { RateScope } from '../adapter';
import { type CloudbedsCredentials, isApiKey } from './credentials';
import type { CloudbedsSettings } from './settings';

export const CLOUDBEDS_KEY_LIMIT = { limit: 5, windowMs: 1000 } as const;
export const CLOUDBEDS_PARTNER_LIMIT = { limit: 10, windowMs: 1000 } as const;

/** A stable, non-secret name for a key (logs, limiter keys): the first 16 hex digits of its SHA-256. */
export function keyFingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16);
}

export function cloudbedsRateScope(settings: Pick<CloudbedsSettings, 'oauth'>, credentials: CloudbedsCredentials): RateScope {
  if (isApiKey(credentials)) return { key: `cloudbeds:key:${keyFingerprint(credentials.apiKey)}`, ...CLOUDBEDS_KEY_LIMIT };
  // Without a client the property cannot connect at all; its scope is its own token then.
  const client = settings.oauth?.clientId ?? `unconfigured:${keyFingerprint(credentials.refreshToken)}`;
  return { key: `cloudbeds:client:${client}`, ...CLOUDBEDS_PARTNER_LIMIT };
}
