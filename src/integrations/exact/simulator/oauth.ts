/**
 * Exact Online's OAuth 2.0 authorization-code flow as the simulator enforces it:
 * - `GET /api/oauth2/auth` logs the (only) simulated user in at once and redirects back with a code that holds a
 *   `!` (and often `+`/`/`), so it arrives percent-encoded; the code is valid 3 minutes and single-use.
 * - `POST /api/oauth2/token` (form-encoded) answers `{access_token, token_type:"Bearer", expires_in:"600",
 *   refresh_token}` — `expires_in` a string. Access tokens live 10 minutes.
 * - Refresh tokens rotate: each refresh returns a new one and retires the old. Presenting a retired refresh
 *   token answers invalid_grant AND breaks the connection (the grant): no refresh works any more, the user has to
 *   authorise again. Access tokens already issued keep working until they expire.
 * - No refresh before 570 s after the grant's last token answer: 400 access_denied "Rate limit exceeded:
 *   access_token not expired" with a `Reason: TooEarlyToRefreshTokens: …` header; the refresh token stays valid.
 * - A refresh token expires 30 days after it was issued (400 invalid_request).
 * - At most `tokenCallsPerDay` token calls per app and user per UTC day.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SimClock } from './clock';
import type { ExactLimits } from './limits';

export interface SimUser {
  id: string;
  userName: string;
  fullName: string;
  firstName: string;
  lastName: string;
  email: string;
  languageCode: string;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; empty: any http(s) URI is accepted. */
  redirectUris: string[];
}

export interface TokenLifetimes {
  accessTokenSeconds: number;
  /** No refresh before this many seconds after the last token answer. */
  refreshGuardSeconds: number;
  codeSeconds: number;
  refreshTokenDays: number;
}

export const defaultLifetimes = (): TokenLifetimes => ({ accessTokenSeconds: 600, refreshGuardSeconds: 570, codeSeconds: 180, refreshTokenDays: 30 });

interface AuthCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  expiresAt: number;
  used: boolean;
}

export interface Grant {
  id: string;
  clientId: string;
  userId: string;
  createdAt: number;
  /** The one refresh token that works now. */
  refreshToken: string;
  refreshExpiresAt: number;
  /** When the token endpoint last answered this grant with tokens (the 570-second guard counts from here). */
  lastIssuedAt: number;
  refreshes: number;
  /** Why the grant no longer refreshes (refresh token reused), or null. */
  brokenReason: string | null;
}

export interface AccessToken {
  grantId: string;
  userId: string;
  clientId: string;
  expiresAt: number;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

export type AuthorizeAnswer = { redirect: string } | { status: number; html: string };

export type Authentication =
  | { ok: true; userId: string; clientId: string; grantId: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired'; userId?: string; clientId?: string };

export interface OAuthSnapshot {
  grants: Grant[];
  refreshTokens: Array<[string, { grantId: string; current: boolean }]>;
  accessTokens: Array<[string, AccessToken]>;
}

export interface TokenStats {
  calls: number;
  byGrantType: Record<string, number>;
  /** Answers by outcome: issued, invalid_grant, too_early, invalid_client, … */
  byOutcome: Record<string, number>;
  grants: number;
  brokenGrants: number;
}

const b64 = (n: number) => randomBytes(n).toString('base64').replace(/=+$/, '');
const b64url = (n: number) => randomBytes(n).toString('base64url');

function tokenError(error: string, description: string, headers: Record<string, string> = {}): TokenAnswer {
  return { status: 400, body: { error, error_description: description }, headers };
}

const DAY = 24 * 60 * 60 * 1000;

export class OAuthServer {
  private codes = new Map<string, AuthCode>();
  private grants = new Map<string, Grant>();
  private refreshIndex = new Map<string, { grantId: string; current: boolean }>();
  private accessTokens = new Map<string, AccessToken>();
  private tokenCallsByDay = new Map<string, { day: number; calls: number }>();
  private stats: TokenStats = { calls: 0, byGrantType: {}, byOutcome: {}, grants: 0, brokenGrants: 0 };
  /** Bumped by every change worth saving (tokens issued, a grant broken, tokens expired). */
  changes = 0;
  /** What the simulated user answers on the authorize page. */
  decision: 'approve' | 'deny' = 'approve';

  constructor(
    private readonly clock: SimClock,
    private readonly client: OAuthClient,
    readonly user: SimUser,
    private readonly limits: () => ExactLimits,
    readonly lifetimes: TokenLifetimes,
  ) {}

  // --- authorize -------------------------------------------------------------------------------------------------

  authorize(query: URLSearchParams): AuthorizeAnswer {
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    const page = (status: number, text: string) => ({ status, html: `<!DOCTYPE html><html><body><h1>Exact Online</h1><p>${text}</p></body></html>` });
    if (clientId === null || clientId !== this.client.clientId) return page(400, 'The client_id is unknown.');
    if (redirectUri === null) return page(400, 'The redirect_uri is missing.');
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      return page(400, 'The redirect_uri is not a valid URL.');
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return page(400, 'The redirect_uri must be http or https.');
    if (this.client.redirectUris.length > 0 && !this.client.redirectUris.includes(redirectUri)) return page(400, 'The redirect_uri does not match the application.');
    const state = query.get('state');
    if (state !== null) target.searchParams.set('state', state);
    if (query.get('response_type') !== 'code') {
      target.searchParams.set('error', 'unsupported_response_type');
      return { redirect: target.toString() };
    }
    if (this.decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
      return { redirect: target.toString() };
    }
    // Exact's codes contain '!' (and base64's '+' and '/'): they arrive percent-encoded and must be decoded once.
    const code = `stampNL001.${b64url(18)}!IAAAA${b64(48)}`;
    this.codes.set(code, { clientId, redirectUri, userId: this.user.id, expiresAt: this.clock.now() + this.lifetimes.codeSeconds * 1000, used: false });
    // The code goes first, as Exact puts it.
    const params = new URLSearchParams(target.search);
    params.delete('state');
    const out = new URL(target.toString());
    out.search = '';
    out.searchParams.set('code', code);
    for (const [k, v] of params) out.searchParams.append(k, v);
    if (state !== null) out.searchParams.set('state', state);
    return { redirect: out.toString() };
  }

  // --- token -----------------------------------------------------------------------------------------------------

  private count(outcome: string, grantType: string): void {
    this.stats.byOutcome[outcome] = (this.stats.byOutcome[outcome] ?? 0) + 1;
    this.stats.byGrantType[grantType] = (this.stats.byGrantType[grantType] ?? 0) + 1;
  }

  /** Whether one more token call is allowed today for this app and user (and counts it). */
  private takeTokenCall(userId: string): boolean {
    const limit = this.limits().tokenCallsPerDay;
    const now = this.clock.now();
    const day = now - (now % DAY);
    const key = `${this.client.clientId}:${userId}`;
    let entry = this.tokenCallsByDay.get(key);
    if (entry === undefined || entry.day !== day) {
      entry = { day, calls: 0 };
      this.tokenCallsByDay.set(key, entry);
    }
    entry.calls++;
    return limit === 0 || entry.calls <= limit;
  }

  private issue(grant: Grant): TokenAnswer {
    const now = this.clock.now();
    const accessToken = `stampNL001.${b64url(96)}`;
    this.accessTokens.set(accessToken, {
      grantId: grant.id,
      userId: grant.userId,
      clientId: grant.clientId,
      expiresAt: now + this.lifetimes.accessTokenSeconds * 1000,
    });
    grant.lastIssuedAt = now;
    this.changes++;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        // A string, as Exact sends it.
        expires_in: String(this.lifetimes.accessTokenSeconds),
        refresh_token: grant.refreshToken,
      },
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    };
  }

  private newRefreshToken(grant: Grant): void {
    const token = `Gcp7!IAAAA${b64(96)}`;
    grant.refreshToken = token;
    grant.refreshExpiresAt = this.clock.now() + this.lifetimes.refreshTokenDays * DAY;
    this.refreshIndex.set(token, { grantId: grant.id, current: true });
  }

  /** The token endpoint; `form` is the decoded form body, `basic` client credentials from an Authorization header. */
  token(form: Record<string, string>, basic?: { clientId: string; clientSecret: string }): TokenAnswer {
    this.stats.calls++;
    const grantType = form.grant_type ?? '';
    const clientId = form.client_id ?? basic?.clientId;
    const clientSecret = form.client_secret ?? basic?.clientSecret;
    if (clientId !== this.client.clientId || clientSecret !== this.client.clientSecret) {
      this.count('invalid_client', grantType);
      return tokenError('invalid_client', 'The client credentials are invalid.');
    }
    if (grantType === 'authorization_code') return this.exchangeCode(form);
    if (grantType === 'refresh_token') return this.refresh(form);
    this.count('unsupported_grant_type', grantType);
    return tokenError('unsupported_grant_type', `The grant type '${grantType}' is not supported.`);
  }

  private exchangeCode(form: Record<string, string>): TokenAnswer {
    const grantType = 'authorization_code';
    const code = form.code;
    const entry = code === undefined ? undefined : this.codes.get(code);
    if (!this.takeTokenCall(entry?.userId ?? this.user.id)) {
      this.count('token_limit', grantType);
      return tokenError('access_denied', 'Rate limit exceeded: too many token requests today.');
    }
    if (entry === undefined) {
      this.count('invalid_grant', grantType);
      // A code still %21-encoded (not decoded by the client) lands here too.
      return tokenError('invalid_grant', 'The authorization code is invalid.');
    }
    if (entry.used) {
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The authorization code has already been used.');
    }
    if (entry.expiresAt <= this.clock.now()) {
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The authorization code has expired.');
    }
    if (form.redirect_uri !== entry.redirectUri) {
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The redirect_uri does not match the one the code was issued for.');
    }
    entry.used = true;
    const grant: Grant = {
      id: randomUUID(),
      clientId: entry.clientId,
      userId: entry.userId,
      createdAt: this.clock.now(),
      refreshToken: '',
      refreshExpiresAt: 0,
      lastIssuedAt: 0,
      refreshes: 0,
      brokenReason: null,
    };
    this.newRefreshToken(grant);
    this.grants.set(grant.id, grant);
    this.stats.grants++;
    this.count('issued', grantType);
    return this.issue(grant);
  }

  private refresh(form: Record<string, string>): TokenAnswer {
    const grantType = 'refresh_token';
    const presented = form.refresh_token;
    const entry = presented === undefined ? undefined : this.refreshIndex.get(presented);
    const grant = entry === undefined ? undefined : this.grants.get(entry.grantId);
    if (!this.takeTokenCall(grant?.userId ?? this.user.id)) {
      this.count('token_limit', grantType);
      return tokenError('access_denied', 'Rate limit exceeded: too many token requests today.');
    }
    if (entry === undefined || grant === undefined) {
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The refresh token is invalid.');
    }
    if (!entry.current) {
      // A retired refresh token came back: someone refreshed twice with the same token. Exact breaks the connection.
      if (grant.brokenReason === null) {
        grant.brokenReason = 'a refresh token was used after it had been replaced';
        this.changes++;
        this.stats.brokenGrants++;
        this.refreshIndex.set(grant.refreshToken, { grantId: grant.id, current: false });
      }
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The refresh token has already been used; the authorisation is revoked. Authorise again.');
    }
    if (grant.brokenReason !== null) {
      this.count('invalid_grant', grantType);
      return tokenError('invalid_grant', 'The authorisation is revoked. Authorise again.');
    }
    const now = this.clock.now();
    if (grant.refreshExpiresAt <= now) {
      this.count('expired_refresh_token', grantType);
      return tokenError(
        'invalid_request',
        `The refresh token expired at ${new Date(grant.refreshExpiresAt).toISOString()} and it is now ${new Date(now).toISOString()}.`,
      );
    }
    const guardMs = this.lifetimes.refreshGuardSeconds * 1000;
    if (now - grant.lastIssuedAt < guardMs) {
      this.count('too_early', grantType);
      const waitS = Math.ceil((grant.lastIssuedAt + guardMs - now) / 1000);
      return tokenError('access_denied', 'Rate limit exceeded: access_token not expired', {
        Reason: `TooEarlyToRefreshTokens: the access token can be refreshed ${this.lifetimes.refreshGuardSeconds} seconds after it was issued (in ${waitS} s)`,
      });
    }
    this.refreshIndex.set(grant.refreshToken, { grantId: grant.id, current: false });
    this.newRefreshToken(grant);
    grant.refreshes++;
    this.count('issued', grantType);
    return this.issue(grant);
  }

  // --- API authentication ----------------------------------------------------------------------------------------

  authenticate(authorization: string | undefined): Authentication {
    if (authorization === undefined) return { ok: false, reason: 'missing' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (m === null) return { ok: false, reason: 'missing' };
    const token = this.accessTokens.get(m[1]!);
    if (token === undefined) return { ok: false, reason: 'unknown' };
    if (token.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired', userId: token.userId, clientId: token.clientId };
    return { ok: true, userId: token.userId, clientId: token.clientId, grantId: token.grantId };
  }

  /** Every access token issued so far stops working now (refresh tokens keep working). */
  expireAccessTokens(): number {
    const now = this.clock.now();
    let n = 0;
    for (const t of this.accessTokens.values())
      if (t.expiresAt > now) {
        t.expiresAt = now;
        n++;
        this.changes++;
      }
    return n;
  }

  /**
   * A fresh grant for the simulated user without the browser step (tests and benches in the same process); the
   * answer is the token endpoint's body.
   */
  grantDirectly(): { access_token: string; token_type: string; expires_in: string; refresh_token: string } {
    const grant: Grant = {
      id: randomUUID(),
      clientId: this.client.clientId,
      userId: this.user.id,
      createdAt: this.clock.now(),
      refreshToken: '',
      refreshExpiresAt: 0,
      lastIssuedAt: 0,
      refreshes: 0,
      brokenReason: null,
    };
    this.newRefreshToken(grant);
    this.grants.set(grant.id, grant);
    this.stats.grants++;
    return this.issue(grant).body as { access_token: string; token_type: string; expires_in: string; refresh_token: string };
  }

  grantList(): Grant[] {
    return [...this.grants.values()].map((g) => ({ ...g, refreshToken: `${g.refreshToken.slice(0, 10)}…` }));
  }

  tokenStats(): TokenStats {
    return structuredClone(this.stats);
  }

  /** Grants and live tokens as JSON-safe data (a state file keeps connections working across restarts). */
  snapshot(): OAuthSnapshot {
    const now = this.clock.now();
    return {
      grants: [...this.grants.values()].map((g) => ({ ...g })),
      refreshTokens: [...this.refreshIndex],
      accessTokens: [...this.accessTokens].filter(([, t]) => t.expiresAt > now),
    };
  }

  restore(snapshot: OAuthSnapshot): void {
    this.clear();
    for (const g of snapshot.grants) this.grants.set(g.id, { ...g });
    for (const [token, entry] of snapshot.refreshTokens) this.refreshIndex.set(token, { ...entry });
    for (const [token, entry] of snapshot.accessTokens) this.accessTokens.set(token, { ...entry });
    this.stats.grants = this.grants.size;
    this.stats.brokenGrants = [...this.grants.values()].filter((g) => g.brokenReason !== null).length;
  }

  clear(): void {
    this.codes.clear();
    this.grants.clear();
    this.refreshIndex.clear();
    this.accessTokens.clear();
    this.tokenCallsByDay.clear();
    this.stats = { calls: 0, byGrantType: {}, byOutcome: {}, grants: 0, brokenGrants: 0 };
    this.decision = 'approve';
  }
}
