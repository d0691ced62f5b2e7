/**
 * Who a request is: a property-level API key (`x-api-key: cbat_...`) is its one property; an
 * OAuth access token (`Authorization: Bearer ...`) is the client it was issued to and the
 * property the refresh token was granted for. Access tokens are issued by `access_token` with
 * `grant_type=refresh_token` and live `expires_in` seconds; refresh tokens do not rotate.
 */
import { randomBytes } from 'node:crypto';
import type { Property, SimStore } from './store';

export interface SimClient {
  clientId: string;
  clientSecret: string;
}

export type Caller = { kind: 'key'; property: Property; apiKey: string } | { kind: 'token'; property: Property; clientId: string };

interface IssuedToken {
  clientId: string;
  propertyID: string;
  expiresAt: number;
}

export class TokenService {
  private readonly tokens = new Map<string, IssuedToken>();
  /** Access tokens issued (tests). */
  issued = 0;

  constructor(
    private readonly clients: SimClient[],
    private readonly lifetimeSeconds: number,
  ) {}

  client(clientId: string, clientSecret: string): SimClient | undefined {
    return this.clients.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
  }

  clientById(clientId: string): SimClient | undefined {
    return this.clients.find((c) => c.clientId === clientId);
  }

  issue(clientId: string, property: Property, now = Date.now()): { access_token: string; expires_in: number } {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, propertyID: property.propertyID, expiresAt: now + this.lifetimeSeconds * 1000 });
    this.issued++;
    return { access_token: token, expires_in: this.lifetimeSeconds };
  }

  /** The caller behind the request's credential headers, or null when they name nobody. */
  caller(store: SimStore, headers: { apiKey?: string; authorization?: string }, now = Date.now()): Caller | null {
    if (headers.apiKey) {
      const property = store.byKey(headers.apiKey);
      return property ? { kind: 'key', property, apiKey: headers.apiKey } : null;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    const issued = bearer === undefined ? undefined : this.tokens.get(bearer);
    if (!issued || issued.expiresAt <= now) return null;
    const property = store.properties.get(issued.propertyID);
    return property ? { kind: 'token', property, clientId: issued.clientId } : null;
  }

  /** Every access token stops working now (the next call gets 401). */
  expireAll(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  reset(): void {
    this.tokens.clear();
    this.issued = 0;
  }
}
