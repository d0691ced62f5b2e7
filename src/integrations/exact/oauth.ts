/**
 * Exact Online's OAuth 2.0 (authorization code): the authorize URL, the token endpoint, connecting an Exact
 * account, and the token manager every Exact call asks for its access token.
 *
 * Exact's rules (../shared vendor notes §1.3), each a requirement here:
 * - access tokens live 10 minutes; `expires_in` arrives as a JSON string;
 * - refresh tokens are single-use and rotate: refreshing twice with the same one breaks the connection, so exactly
 *   one refresh runs at a time across every worker process (a lease on the connection's row, see
 *   src/db/company-sync/exact-connections.ts) and the new pair is persisted before the new access token is used;
 * - no refresh before 570 s after the last token answer (`TooEarlyToRefreshTokens`), at most 200 token calls a
 *   day: the manager refreshes when fewer than 30 s are left, which for a 600-second token is exactly the guard,
 *   and otherwise waits for the guard rather than calling early;
 * - a refresh token that is invalid or expired (`invalid_grant`, `invalid_request`) will never work again: the
 *   connection is marked `needs_reauth` (visible, alerting through `onNeedsReauth`) instead of retried forever.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import { consumeExactAuthRequest } from '../../db/company-sync/auth-requests';
import {
  createExactConnection,
  type ExactConnectionInfo,
  type ExactTokenSet,
  getExactConnection,
  markExactNeedsReauth,
  readExactLeaseState,
  readExactTokenState,
  reauthorizeExactConnection,
  releaseExactRefreshLease,
  saveExactRefreshedTokens,
  takeExactRefreshLease,
} from '../../db/company-sync/exact-connections';
import type { SecretSealer } from '../../db/sealed-secrets';
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors';
import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../logger';
import { VendorHttpClient } from '../http';
import { ExactClient, type ExactTokenSource, staticTokenSource } from './client';
import { cancellation, delay, ExactAuthError, ExactUnavailable } from './errors';

export interface ExactOAuthConfig {
  /** Exact's host, e.g. https://start.exactonline.nl (or the simulator's URL). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Relay's callback, as registered with the Exact app. */
  redirectUri: string;
}

/** Access tokens are refreshed when fewer than this many ms are left. */
export const EXACT_REFRESH_MARGIN_MS = 30_000;
/** Exact refuses a refresh earlier than this after its last token answer. */
export const EXACT_REFRESH_GUARD_MS = 570_000;
/** How long a refresh lease lasts: well past the token call's timeout, short enough to recover after a crash. */
export const EXACT_REFRESH_LEASE_MS = 120_000;
export const EXACT_TOKEN_TIMEOUT_MS = 30_000;

/** Exact's authorize page for `state` (the operator signs in there and is sent back to `redirectUri`). */
export function authorizeUrl(config: ExactOAuthConfig, state: string, options: { forceLogin?: boolean } = {}): string {
  const url = new URL('/api/oauth2/auth', config.baseUrl);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', config.redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('state', state);
  url.searchParams.set('force_login', options.forceLogin ? '1' : '0');
  return url.toString();
}

/**
 * The authorization code as the token endpoint needs it: decoded exactly once. Exact's codes hold `!` (and `+`,
 * `/`), which arrive percent-encoded (`%21`); a web framework's query parser decodes them, a raw query string does
 * not. A code that still holds a percent escape was not decoded yet (Exact's codes hold no `%` of their own); one
 * without is used as it is, never decoded twice.
 */
export function authorizationCode(code: string): string {
  const trimmed = code.trim();
  if (!/%[0-9A-Fa-f]{2}/.test(trimmed)) return trimmed;
  try {
    return decodeURIComponent(trimmed);
  } catch {
    return trimmed;
  }
}

/** The token endpoint's refusal: RFC 6749 `{error, error_description}` and Exact's `Reason` header. */
export class ExactTokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string | undefined,
    /** Exact's `Reason` header, e.g. `TooEarlyToRefreshTokens: …`. */
    readonly reasonHeader: string | undefined,
  ) {
    super(`token endpoint: HTTP ${status} ${error}${description ? `: ${description}` : ''}${reasonHeader ? ` (${reasonHeader})` : ''}`);
    this.name = 'ExactTokenEndpointError';
  }

  /** Exact refused because the 570-second guard has not passed. */
  get tooEarly(): boolean {
    return /TooEarlyToRefreshTokens/i.test(this.reasonHeader ?? '') || /access_token not expired/i.test(this.description ?? '');
  }

  /** The refresh token (or code) will never work again. */
  get grantDead(): boolean {
    return this.error === 'invalid_grant' || this.error === 'invalid_request';
  }

  /** Relay's app credentials are wrong: no user action helps, the configuration must change. */
  get clientRefused(): boolean {
    return this.error === 'invalid_client' || this.error === 'unauthorized_client';
  }
}

interface TokenBody {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

let processTokenCalls = 0;
/** Token-endpoint calls made by this process (Exact allows 200 per app and user a day). */
export const exactTokenCallCount = (): number => processTokenCalls;

/** The token endpoint: code exchange and refresh. */
export class ExactOAuthClient {
  private readonly http: VendorHttpClient;
  private calls = 0;

  constructor(
    readonly config: ExactOAuthConfig,
    options: { logger: Logger; timeoutMs?: number; dispatcher?: NonNullable<RequestInit['dispatcher']> },
  ) {
    this.http = new VendorHttpClient({
      vendor: 'exact-online',
      baseUrl: config.baseUrl,
      logger: options.logger,
      timeoutMs: options.timeoutMs ?? EXACT_TOKEN_TIMEOUT_MS,
      dispatcher: options.dispatcher,
      // Every answer comes back to `call`, which reads Exact's error body and Reason header itself.
      classify: () => ({ outcome: 'ok' }),
    });
  }

  /** Token calls made by this client. */
  get tokenCalls(): number {
    return this.calls;
  }

  /** Exchanges the callback's code (see {@link authorizationCode}) for the first pair. */
  exchangeCode(code: string, signal?: AbortSignal): Promise<ExactTokenSet> {
    return this.call({ grant_type: 'authorization_code', code: authorizationCode(code), redirect_uri: this.config.redirectUri }, signal);
  }

  /** Trades the refresh token for a new pair; Exact retires the one presented. */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<ExactTokenSet> {
    return this.call({ grant_type: 'refresh_token', refresh_token: refreshToken }, signal);
  }

  private async call(fields: Record<string, string>, signal?: AbortSignal): Promise<ExactTokenSet> {
    this.calls++;
    processTokenCalls++;
    let res;
    try {
      res = await this.http.request<string>({
        method: 'POST',
        path: '/api/oauth2/token',
        form: { ...fields, client_id: this.config.clientId, client_secret: this.config.clientSecret },
        headers: { accept: 'application/json' },
        parse: 'text',
        signal,
      });
    } catch (error) {
      if (error instanceof ApplicationFailure) {
        // The request may have reached Exact, which may have rotated the refresh token.
        throw new ExactUnavailable({ message: `token endpoint: ${error.message}`, ambiguous: true, cause: error });
      }
      throw error;
    }
    let body: TokenBody | undefined;
    try {
      body = JSON.parse(res.body) as TokenBody;
    } catch {
      body = undefined;
    }
    if (res.status >= 200 && res.status < 300 && body && typeof body.access_token === 'string' && typeof body.refresh_token === 'string') {
      const expires = Number(body.expires_in);
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        // A string in Exact's answer ("600"); 600 when unreadable (Exact's documented lifetime).
        expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 600,
      };
    }
    if (res.status >= 400 && res.status < 500 && body && typeof body.error === 'string') {
      throw new ExactTokenEndpointError(res.status, body.error, typeof body.error_description === 'string' ? body.error_description : undefined, res.headers.get('reason') ?? undefined);
    }
    throw new ExactUnavailable({ message: `token endpoint answered HTTP ${res.status} without tokens`, status: res.status, ambiguous: res.status >= 500 || res.status < 300 });
  }
}

export interface ExactTokenManagerOptions {
  prisma: PrismaClient;
  sealer: SecretSealer;
  oauth: ExactOAuthClient;
  logger: Logger;
  /** Called once per connection that turns `needs_reauth` (from the caller that marked it): raise the alert. */
  onNeedsReauth?: (connectionId: string, reason: string) => void | Promise<void>;
  /** Default {@link EXACT_REFRESH_LEASE_MS}. */
  leaseMs?: number;
  /** How often a caller waiting for another's refresh looks at the row. Default 100 ms. */
  pollMs?: number;
  /** The longest a caller waits for the 570-second guard before failing retryably. Default 600 s. */
  maxGuardWaitMs?: number;
  /** Exact's clock as this process sees it (epoch ms), for token lifetimes and the guard. Default `Date.now`. */
  clock?: () => number;
  /** Test seam: runs after this process took a refresh lease and before it calls the token endpoint. */
  afterLeaseTaken?: (connectionId: string) => void | Promise<void>;
}

/** What an Exact client asks for its bearer token. */
export type { ExactTokenSource } from './client';

interface Cached {
  token: string;
  expiresAt: number;
  generation: number;
}

const TOO_EARLY_RETRIES = 3;
/** Reads of the row one `accessToken` makes at most (each wait between them is bounded). */
const MAX_ROUNDS = 20;

/**
 * Access tokens per connection, refreshed under the lease. Callers in one process share one refresh (and one
 * cached token); callers in other processes wait on the row until the generation changes.
 */
export class ExactTokenManager {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly instance = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private leases = 0;
  private refreshes = 0;
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly maxGuardWaitMs: number;

  constructor(private readonly options: ExactTokenManagerOptions) {
    this.clock = options.clock ?? Date.now;
    this.leaseMs = options.leaseMs ?? EXACT_REFRESH_LEASE_MS;
    this.pollMs = options.pollMs ?? 100;
    this.maxGuardWaitMs = options.maxGuardWaitMs ?? 600_000;
  }

  /** Refreshes this manager completed (each one token call that rotated the pair). */
  get refreshCount(): number {
    return this.refreshes;
  }

  /** A token source for an ExactClient of this connection. */
  tokenSource(connectionId: string): ExactTokenSource {
    return { accessToken: (options) => this.accessToken(connectionId, options) };
  }

  /**
   * A valid access token of the connection. `rejected`: Exact answered 401 to this token, so it is not used
   * again (a newer one is, or the connection refreshes — not before the 570-second guard).
   */
  async accessToken(connectionId: string, options: { signal?: AbortSignal; rejected?: string } = {}): Promise<string> {
    for (let round = 0; round < 3; round++) {
      const cached = this.cache.get(connectionId);
      if (cached && cached.token !== options.rejected && cached.expiresAt - this.clock() > EXACT_REFRESH_MARGIN_MS) return cached.token;
      let flight = this.inflight.get(connectionId);
      if (!flight) {
        flight = this.obtain(connectionId, options.rejected).finally(() => this.inflight.delete(connectionId));
        this.inflight.set(connectionId, flight);
      }
      const token = await raceSignal(flight, options.signal);
      // A flight started for another caller may not know this caller's token was rejected: go again.
      if (token !== options.rejected) return token;
    }
    throw new ExactAuthError({ reason: 'exact rejected every token it issued', needsReauth: false, connectionId });
  }

  private async obtain(connectionId: string, rejected: string | undefined): Promise<string> {
    const { prisma, sealer } = this.options;
    let tooEarly = 0;
    for (let round = 0; ; round++) {
      if (round >= MAX_ROUNDS) throw new ExactUnavailable({ message: 'could not obtain an access token (the refresh kept changing hands)', ambiguous: false });
      const state = await readExactTokenState(prisma, sealer, connectionId);
      if (!state) throw new ExactAuthError({ reason: 'connection not found', needsReauth: false, connectionId });
      if (state.status !== 'active') throw new ExactAuthError({ reason: state.statusReason ?? 'needs_reauth', needsReauth: true, connectionId });
      const now = this.clock();
      const expiresAt = state.accessExpiresAt?.getTime() ?? 0;
      if (state.accessToken !== null && state.accessToken !== rejected && expiresAt - now > EXACT_REFRESH_MARGIN_MS) {
        this.cache.set(connectionId, { token: state.accessToken, expiresAt, generation: state.generation });
        return state.accessToken;
      }

      // A refresh is due. Never before the guard: wait for it (outside the lease) rather than call early.
      const guardAt = (state.tokenIssuedAt?.getTime() ?? 0) + EXACT_REFRESH_GUARD_MS;
      if (now < guardAt) {
        await this.waitForGuard(connectionId, guardAt - now);
        continue;
      }

      const holder = `${this.instance}:${++this.leases}`;
      const lease = await takeExactRefreshLease(prisma, sealer, connectionId, holder, state.generation, this.leaseMs);
      if (!lease) {
        // Another caller refreshes (or just did): wait for its new generation, or for its lease to run out.
        await this.waitForOtherRefresh(connectionId, state.generation);
        continue;
      }

      const outcome = await this.refreshHeld(connectionId, lease, tooEarly);
      if (outcome.kind === 'token') return outcome.token;
      if (outcome.kind === 'too-early') tooEarly++;
    }
  }

  /** The lease holder's part: call the token endpoint, persist the new pair first, then hand out the token. */
  private async refreshHeld(
    connectionId: string,
    lease: Awaited<ReturnType<typeof takeExactRefreshLease>> & object,
    tooEarly: number,
  ): Promise<{ kind: 'token'; token: string } | { kind: 'again' } | { kind: 'too-early' }> {
    const { prisma, oauth, logger } = this.options;
    await this.options.afterLeaseTaken?.(connectionId);
    // The row as the lease returned it is authoritative: check the guard again.
    const guardAt = (lease.tokenIssuedAt?.getTime() ?? 0) + EXACT_REFRESH_GUARD_MS;
    if (this.clock() < guardAt) {
      await releaseExactRefreshLease(prisma, connectionId, lease.holder);
      return { kind: 'again' };
    }

    let tokens: ExactTokenSet;
    try {
      tokens = await oauth.refresh(lease.refreshToken);
    } catch (error) {
      if (!(error instanceof ExactTokenEndpointError)) {
        // No answer, or not one we can read: Exact may or may not have rotated. Give the lease back; the next
        // attempt finds out (a dead grant is marked then).
        await releaseExactRefreshLease(prisma, connectionId, lease.holder).catch(() => undefined);
        throw error;
      }
      return this.onRefreshRefused(connectionId, lease, error, tooEarly);
    }
    // Persist first: a crash from here on must not lose the only refresh token that works.
    const issuedAt = this.clock();
    const saved = await this.persist(connectionId, lease, tokens, issuedAt);
    if (!saved) return { kind: 'again' };
    this.refreshes++;
    this.cache.set(connectionId, { token: tokens.accessToken, expiresAt: issuedAt + tokens.expiresInSeconds * 1000, generation: lease.generation + 1 });
    logger.info({ connectionId, generation: lease.generation + 1 }, 'exact tokens refreshed');
    return { kind: 'token', token: tokens.accessToken };
  }

  private async persist(connectionId: string, lease: Awaited<ReturnType<typeof takeExactRefreshLease>> & object, tokens: ExactTokenSet, issuedAt: number): Promise<boolean> {
    const { prisma, sealer, logger } = this.options;
    // The database may blip right now; the pair must not be dropped for that, so try a few times.
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await saveExactRefreshedTokens(prisma, sealer, connectionId, lease, tokens, issuedAt);
        if (result.leaseLost) logger.error({ connectionId, saved: result.saved }, 'exact refresh lease ran out before the new tokens were saved');
        return result.saved;
      } catch (error) {
        if (attempt >= 5) throw error;
        logger.warn({ connectionId, attempt }, 'saving refreshed exact tokens failed; trying again');
        await delay(200 * attempt);
      }
    }
  }

  private async onRefreshRefused(
    connectionId: string,
    lease: Awaited<ReturnType<typeof takeExactRefreshLease>> & object,
    error: ExactTokenEndpointError,
    tooEarly: number,
  ): Promise<{ kind: 'again' } | { kind: 'too-early' }> {
    const { prisma, logger } = this.options;
    if (error.tooEarly) {
      // Exact counts the guard from its own clock; ours said it had passed. The refresh token is still good.
      await releaseExactRefreshLease(prisma, connectionId, lease.holder);
      if (tooEarly + 1 >= TOO_EARLY_RETRIES) {
        throw new ExactAuthError({ reason: 'TooEarlyToRefreshTokens', needsReauth: false, retryable: true, delayMs: 30_000, connectionId });
      }
      const waitMs = Math.min(60_000, Math.max(5_000, (lease.tokenIssuedAt?.getTime() ?? 0) + EXACT_REFRESH_GUARD_MS - this.clock()));
      logger.warn({ connectionId, waitMs }, 'exact said it is too early to refresh; waiting');
      await delay(waitMs);
      return { kind: 'too-early' };
    }
    if (error.grantDead) {
      const reason = `${error.error}: ${error.description ?? 'refresh refused'}`.slice(0, 300);
      const marked = await markExactNeedsReauth(prisma, connectionId, reason, lease.generation);
      if (!marked) {
        // Someone else saved a newer pair (our lease had run out): use theirs.
        await releaseExactRefreshLease(prisma, connectionId, lease.holder);
        return { kind: 'again' };
      }
      this.cache.delete(connectionId);
      logger.error({ connectionId, reason }, 'exact connection needs re-authorising');
      try {
        await this.options.onNeedsReauth?.(connectionId, reason);
      } catch (hookError) {
        logger.error({ connectionId, err: hookError }, 'the needs_reauth alert failed');
      }
      throw new ExactAuthError({ reason, needsReauth: true, connectionId });
    }
    await releaseExactRefreshLease(prisma, connectionId, lease.holder);
    if (error.clientRefused) {
      throw new ExactAuthError({ reason: error.error, needsReauth: false, connectionId, message: `the token endpoint refused Relay's app credentials (${error.error})` });
    }
    // Anything else (e.g. the 200 token calls a day spent): retry later, not now.
    throw new ExactAuthError({ reason: error.error, needsReauth: false, retryable: true, delayMs: 15 * 60_000, connectionId, message: error.message });
  }

  private async waitForGuard(connectionId: string, waitMs: number): Promise<void> {
    if (waitMs > this.maxGuardWaitMs) {
      throw new ExactAuthError({ reason: 'refresh guard', needsReauth: false, retryable: true, delayMs: waitMs, connectionId, message: `no refresh allowed for ${Math.ceil(waitMs / 1000)} s` });
    }
    this.options.logger.info({ connectionId, waitMs }, 'waiting for exact’s refresh guard');
    await delay(waitMs);
  }

  private async waitForOtherRefresh(connectionId: string, seenGeneration: number): Promise<void> {
    // The holder's lease outlives its token call; past both, something is wrong.
    const deadline = Date.now() + this.leaseMs + EXACT_TOKEN_TIMEOUT_MS;
    for (;;) {
      if (Date.now() > deadline) throw new ExactUnavailable({ message: 'another worker’s token refresh did not finish in time', ambiguous: false });
      await delay(this.pollMs);
      const lease = await readExactLeaseState(this.options.prisma, connectionId);
      if (!lease || lease.generation !== seenGeneration || lease.status !== 'active' || lease.leaseFree) return;
    }
  }
}

/** The promise, or a rejection as soon as `signal` aborts (the shared work goes on for the other callers). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancellation(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancellation(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export interface ConnectExactDeps {
  prisma: PrismaClient;
  sealer: SecretSealer;
  oauth: ExactOAuthClient;
  logger: Logger;
  /** Default `Date.now` (see ExactTokenManagerOptions.clock). */
  clock?: () => number;
}

export interface ExactConnected {
  connection: ExactConnectionInfo;
  /** An existing connection was authorised again (asked for, or the same Exact user connected again). */
  reauthorised: boolean;
  /** Who started the authorisation (the operator's identity, for the audit). */
  requestedBy: string;
  /** The Exact user's current division: the one to list `system/Divisions` from. */
  currentDivision: number | null;
}

/**
 * Completes the authorize redirect: consumes the `state` (once, unexpired), exchanges the code (decoded once)
 * for the first pair, reads who authorised (`current/Me`), and creates the connection — or re-authorises the one
 * the request named, or the one this Exact user already has. A re-authorisation by another Exact user than the
 * connection's is refused (its divisions and cursors belong to that user's access).
 */
export async function connectExactAccount(deps: ConnectExactDeps, input: { state: string; code: string; signal?: AbortSignal }): Promise<ExactConnected> {
  const { prisma, sealer, oauth, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const request = await consumeExactAuthRequest(prisma, input.state);
  if (!request) throw new UnprocessableError('the authorisation request is unknown, used or expired: start connecting again');
  const tokens = await oauth.exchangeCode(input.code, input.signal);
  const issuedAtMs = clock();
  const client = new ExactClient({ baseUrl: oauth.config.baseUrl, tokens: staticTokenSource(tokens.accessToken), logger });
  const me = await client.currentMe({ signal: input.signal });

  let existing: ExactConnectionInfo | null = null;
  if (request.connectionId) {
    existing = await getExactConnection(prisma, request.connectionId);
    if (!existing) throw new NotFoundError('the connection to re-authorise no longer exists');
    if (existing.exactUserId && existing.exactUserId !== me.userId) {
      throw new ConflictError('the connection belongs to another Exact user: sign in at Exact as that user to re-authorise it');
    }
  } else {
    const same = await prisma.exactConnection.findFirst({ where: { exactUserId: me.userId, baseUrl: oauth.config.baseUrl }, select: { id: true }, orderBy: { createdAt: 'asc' } });
    existing = same ? await getExactConnection(prisma, same.id) : null;
  }
  const connection = existing
    ? await reauthorizeExactConnection(prisma, sealer, existing.id, { exactUserId: me.userId, tokens, issuedAtMs })
    : await createExactConnection(prisma, sealer, { baseUrl: oauth.config.baseUrl, exactUserId: me.userId, tokens, issuedAtMs });
  logger.info({ connectionId: connection.id, reauthorised: existing !== null }, 'exact account connected');
  return { connection, reauthorised: existing !== null, requestedBy: request.requestedBy, currentDivision: me.currentDivision };
}
