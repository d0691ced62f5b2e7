/**
 * The simulated OHIP token service: OAuth clients of the enterprise, JWT-shaped access tokens
 * living `expires_in` seconds (3600, as OHIP's), no refresh tokens, and a control that expires
 * every token early (as a revoked client or a rotated key would).
 */
import { randomBytes } from 'node:crypto';

export interface SimClient {
  clientId: string;
  clientSecret: string;
  enterpriseId: string;
}

interface IssuedToken {
  clientId: string;
  enterpriseId: string;
  expiresAt: number;
}

export interface TokenStats {
  issued: number;
  /** Tokens presented to a data endpoint after they expired or were expired by the control. */
  refused: number;
}

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

export class TokenService {
  private readonly tokens = new Map<string, IssuedToken>();
  private stats: TokenStats = { issued: 0, refused: 0 };

  constructor(
    readonly clients: readonly SimClient[],
    private readonly lifetimeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The client whose `Authorization: Basic` this is, or undefined. */
  client(authorization: string | undefined): SimClient | undefined {
    const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const [id, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return this.clients.find((c) => c.clientId === id && c.clientSecret === secret);
  }

  issue(client: SimClient): { access_token: string; expires_in: number; token_type: string; oracle_tk_context: string } {
    const issuedAt = Math.floor(this.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'sim' }));
    const claims = base64url(JSON.stringify({ sub: client.clientId, iss: 'www.oracle.com', client_id: client.clientId, enterpriseId: client.enterpriseId, iat: issuedAt, exp: issuedAt + this.lifetimeSeconds, jti: randomBytes(8).toString('hex') }));
    const token = `${header}.${claims}.${base64url(randomBytes(32))}`;
    this.tokens.set(token, { clientId: client.clientId, enterpriseId: client.enterpriseId, expiresAt: this.now() + this.lifetimeSeconds * 1000 });
    this.stats.issued++;
    return { access_token: token, expires_in: this.lifetimeSeconds, token_type: 'Bearer', oracle_tk_context: 'client_credentials' };
  }

  /** The enterprise of a bearer token, whether or not it is still valid (the limiter counts refused calls too). */
  enterpriseOf(authorization: string | undefined): string | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    return token === undefined ? undefined : this.tokens.get(token)?.enterpriseId;
  }

  /** The valid token's record, or undefined (then the caller answers 401). */
  verify(authorization: string | undefined): IssuedToken | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const record = token === undefined ? undefined : this.tokens.get(token);
    if (record === undefined || record.expiresAt <= this.now()) {
      this.stats.refused++;
      return undefined;
    }
    return record;
  }

  /** Every token issued so far stops working now; returns how many were still valid. */
  expireAll(): number {
    let n = 0;
    const now = this.now();
    for (const record of this.tokens.values()) {
      if (record.expiresAt > now) n++;
      record.expiresAt = now;
    }
    return n;
  }

  tokenStats(): TokenStats {
    return { ...this.stats };
  }

  reset(): void {
    this.tokens.clear();
    this.stats = { issued: 0, refused: 0 };
  }
}
