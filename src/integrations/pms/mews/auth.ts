/**
 * How Mews authenticates: no headers and no OAuth, but `ClientToken` (Relay as an integration),
 * `AccessToken` (the hotel) and `Client` (name and version) in the JSON body of every request.
 * Mews counts its limit per AccessToken, so that is the scope Relay's shared limiter uses.
 */
import { createHash } from 'node:crypto';
import type { RateScope } from '../adapter';
import type { MewsCredentials } from './credentials';
import type { MewsSettings } from './settings';

export interface MewsAuthBody {
  ClientToken: string;
  AccessToken: string;
  Client: string;
}

export function mewsAuthBody(settings: MewsSettings, credentials: MewsCredentials): MewsAuthBody {
  return { ClientToken: settings.clientToken, AccessToken: credentials.accessToken, Client: settings.client };
}

/** Mews' limit: 200 requests per AccessToken in 30 seconds, demo and production (guidelines/environments.md). */
export const MEWS_RATE_LIMIT = { limit: 200, windowMs: 30_000 } as const;

/** A stable, non-secret name for an AccessToken (logs, limiter keys): the first 16 hex digits of its SHA-256. */
export function accessTokenFingerprint(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'utf8').digest('hex').slice(0, 16);
}

export function mewsRateScope(credentials: Pick<MewsCredentials, 'accessToken'>): RateScope {
  return { key: `mews:token:${accessTokenFingerprint(credentials.accessToken)}`, ...MEWS_RATE_LIMIT };
}
