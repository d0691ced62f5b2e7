/**
 * Exact Online connections (one per authorising Exact user) and their tokens, sealed at rest (AES-256-GCM, bound
 * to the row and to which token it is: `exact_connection:<id>:access|refresh`).
 *
 * Exact's refresh tokens are single-use and rotate: two refreshes with the same one break the connection. So a
 * refresh runs under a LEASE held on the connection's row, taken and given back by plain autocommit statements:
 * a session advisory lock would stay with a pooled connection after its holder moved on, and a lock inside a
 * Prisma `$transaction` dies with the transaction's 5-second timeout while the token call may take longer. The
 * lease names its holder and expires on its own (2 minutes by default, well past the token call's 30-second
 * timeout), so a holder that crashed frees it, and a holder that wakes after losing it cannot overwrite a newer
 * pair: every token change bumps `token_generation`, and writes are guarded by the generation they started from.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';
import type { SecretSealer } from '../sealed-secrets';

export type ExactConnectionStatus = 'active' | 'needs_reauth';

/** The context a connection's token is sealed for. */
export const exactTokenContext = (connectionId: string, kind: 'access' | 'refresh') => `exact_connection:${connectionId}:${kind}`;

/** What the token endpoint answered. */
export interface ExactTokenSet {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
}

/** A connection without its tokens, for the API and operators. */
export interface ExactConnectionInfo {
  id: string;
  baseUrl: string;
  status: ExactConnectionStatus;
  statusReason: string | null;
  exactUserId: string | null;
  accessExpiresAt: Date | null;
  tokenIssuedAt: Date | null;
  tokenGeneration: number;
  createdAt: Date;
  updatedAt: Date;
}

const toInfo = (row: {
  id: string;
  baseUrl: string;
  status: string;
  statusReason: string | null;
  exactUserId: string | null;
  accessExpiresAt: Date | null;
  tokenIssuedAt: Date | null;
  tokenGeneration: number;
  createdAt: Date;
  updatedAt: Date;
}): ExactConnectionInfo => ({
  id: row.id,
  baseUrl: row.baseUrl,
  status: row.status === 'needs_reauth' ? 'needs_reauth' : 'active',
  statusReason: row.statusReason,
  exactUserId: row.exactUserId,
  accessExpiresAt: row.accessExpiresAt,
  tokenIssuedAt: row.tokenIssuedAt,
  tokenGeneration: row.tokenGeneration,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

const INFO_SELECT = {
  id: true,
  baseUrl: true,
  status: true,
  statusReason: true,
  exactUserId: true,
  accessExpiresAt: true,
  tokenIssuedAt: true,
  tokenGeneration: true,
  createdAt: true,
  updatedAt: true,
} as const;

export async function listExactConnections(prisma: PrismaClient): Promise<ExactConnectionInfo[]> {
  const rows = await prisma.exactConnection.findMany({ select: INFO_SELECT, orderBy: { createdAt: 'asc' } });
  return rows.map(toInfo);
}

export async function getExactConnection(prisma: PrismaClient, id: string): Promise<ExactConnectionInfo | null> {
  const row = await prisma.exactConnection.findUnique({ where: { id }, select: INFO_SELECT });
  return row ? toInfo(row) : null;
}

/** The token columns of a fresh pair: sealed, issued at `issuedAtMs` (the answer's arrival), generation bumped by the caller. */
function sealedTokens(sealer: SecretSealer, id: string, tokens: ExactTokenSet, issuedAtMs: number) {
  return {
    accessTokenSealed: sealer.seal(tokens.accessToken, exactTokenContext(id, 'access')),
    refreshTokenSealed: sealer.seal(tokens.refreshToken, exactTokenContext(id, 'refresh')),
    tokenIssuedAt: new Date(issuedAtMs),
    accessExpiresAt: new Date(issuedAtMs + tokens.expiresInSeconds * 1000),
  };
}

/** A new connection from an authorisation code's tokens. */
export async function createExactConnection(
  prisma: PrismaClient,
  sealer: SecretSealer,
  input: { baseUrl: string; exactUserId: string | null; tokens: ExactTokenSet; issuedAtMs: number },
): Promise<ExactConnectionInfo> {
  const id = randomUUID();
  const row = await prisma.exactConnection.create({
    data: { id, baseUrl: input.baseUrl, exactUserId: input.exactUserId, status: 'active', tokenGeneration: 1, ...sealedTokens(sealer, id, input.tokens, input.issuedAtMs) },
    select: INFO_SELECT,
  });
  return toInfo(row);
}

/**
 * A connection authorised again (after `needs_reauth`, or by choice): the new pair replaces the old, the status
 * is active again, a lease still held is void (its holder's generation is gone, so it cannot write).
 */
export async function reauthorizeExactConnection(
  prisma: PrismaClient,
  sealer: SecretSealer,
  id: string,
  input: { exactUserId: string | null; tokens: ExactTokenSet; issuedAtMs: number },
): Promise<ExactConnectionInfo> {
  const row = await prisma.exactConnection.update({
    where: { id },
    data: {
      ...sealedTokens(sealer, id, input.tokens, input.issuedAtMs),
      exactUserId: input.exactUserId ?? undefined,
      status: 'active',
      statusReason: null,
      refreshLeaseHolder: null,
      refreshLeaseUntil: null,
      tokenGeneration: { increment: 1 },
      updatedAt: new Date(),
    },
    select: INFO_SELECT,
  });
  return toInfo(row);
}

/** What a caller needs to decide whether to use the access token or refresh. */
export interface ExactTokenState {
  id: string;
  status: ExactConnectionStatus;
  statusReason: string | null;
  generation: number;
  /** Opened; null when there is none. */
  accessToken: string | null;
  accessExpiresAt: Date | null;
  /** When the token endpoint last answered: no refresh before 570 s after it. */
  tokenIssuedAt: Date | null;
}

export async function readExactTokenState(prisma: PrismaClient, sealer: SecretSealer, id: string): Promise<ExactTokenState | null> {
  const row = await prisma.exactConnection.findUnique({
    where: { id },
    select: { id: true, status: true, statusReason: true, tokenGeneration: true, accessTokenSealed: true, accessExpiresAt: true, tokenIssuedAt: true },
  });
  if (!row) return null;
  return {
    id: row.id,
    status: row.status === 'needs_reauth' ? 'needs_reauth' : 'active',
    statusReason: row.statusReason,
    generation: row.tokenGeneration,
    accessToken: row.accessTokenSealed === null ? null : sealer.open(row.accessTokenSealed, exactTokenContext(id, 'access')),
    accessExpiresAt: row.accessExpiresAt,
    tokenIssuedAt: row.tokenIssuedAt,
  };
}

/** The lease as a waiting caller polls it. */
export interface ExactLeaseState {
  generation: number;
  status: ExactConnectionStatus;
  /** Nobody holds the lease, or its holder's time is up (by the database's clock). */
  leaseFree: boolean;
}

export async function readExactLeaseState(prisma: PrismaClient, id: string): Promise<ExactLeaseState | null> {
  const [row] = await prisma.$queryRaw<{ token_generation: number; status: string; lease_free: boolean }[]>`
    SELECT token_generation, status, (refresh_lease_until IS NULL OR refresh_lease_until < now()) AS lease_free
    FROM exact_connections WHERE id = ${id}::uuid`;
  if (!row) return null;
  return { generation: Number(row.token_generation), status: row.status === 'needs_reauth' ? 'needs_reauth' : 'active', leaseFree: row.lease_free };
}

/** The holder's view of the row once it has the lease. */
export interface ExactRefreshLease {
  holder: string;
  generation: number;
  refreshToken: string;
  tokenIssuedAt: Date | null;
}

/**
 * Takes the refresh lease for `holder` when nobody holds it (or its holder's time is up) and the tokens are still
 * the generation the caller saw: one autocommit UPDATE, so exactly one caller across all processes gets it.
 */
export async function takeExactRefreshLease(
  prisma: PrismaClient,
  sealer: SecretSealer,
  id: string,
  holder: string,
  seenGeneration: number,
  leaseMs: number,
): Promise<ExactRefreshLease | null> {
  const [row] = await prisma.$queryRaw<{ refresh_token_sealed: string | null; token_issued_at: Date | null; token_generation: number }[]>`
    UPDATE exact_connections
       SET refresh_lease_holder = ${holder}, refresh_lease_until = now() + ${leaseMs}::float8 * interval '1 millisecond', updated_at = now()
     WHERE id = ${id}::uuid AND status = 'active'
       AND (refresh_lease_until IS NULL OR refresh_lease_until < now())
       AND token_generation = ${seenGeneration}::int
    RETURNING refresh_token_sealed, token_issued_at, token_generation`;
  if (!row) return null;
  if (row.refresh_token_sealed === null) {
    await releaseExactRefreshLease(prisma, id, holder);
    return null;
  }
  return {
    holder,
    generation: Number(row.token_generation),
    refreshToken: sealer.open(row.refresh_token_sealed, exactTokenContext(id, 'refresh')),
    tokenIssuedAt: row.token_issued_at,
  };
}

/** Gives the lease back (nothing changed: the call failed before Exact rotated, or was not made). */
export async function releaseExactRefreshLease(prisma: PrismaClient, id: string, holder: string): Promise<void> {
  await prisma.$executeRaw`UPDATE exact_connections SET refresh_lease_holder = NULL, refresh_lease_until = NULL, updated_at = now()
    WHERE id = ${id}::uuid AND refresh_lease_holder = ${holder}`;
}

/**
 * Persists the pair Exact just rotated to, and gives the lease back, in one UPDATE guarded by the holder's lease
 * and generation. Returns false when nothing was written.
 *
 * If the lease was lost meanwhile (the holder stalled past it) but no one has written a newer generation, the pair
 * is written anyway: Exact has already retired the old refresh token, so this pair is the only one that works, and
 * dropping it would lose the connection for certain.
 */
export async function saveExactRefreshedTokens(
  prisma: PrismaClient,
  sealer: SecretSealer,
  id: string,
  lease: ExactRefreshLease,
  tokens: ExactTokenSet,
  issuedAtMs: number,
): Promise<{ saved: boolean; leaseLost: boolean }> {
  const t = sealedTokens(sealer, id, tokens, issuedAtMs);
  const held = await prisma.$executeRaw`UPDATE exact_connections
       SET access_token_sealed = ${t.accessTokenSealed}, refresh_token_sealed = ${t.refreshTokenSealed},
           token_issued_at = ${t.tokenIssuedAt}, access_expires_at = ${t.accessExpiresAt},
           token_generation = token_generation + 1, refresh_lease_holder = NULL, refresh_lease_until = NULL, updated_at = now()
     WHERE id = ${id}::uuid AND refresh_lease_holder = ${lease.holder} AND token_generation = ${lease.generation}::int`;
  if (held === 1) return { saved: true, leaseLost: false };
  const lost = await prisma.$executeRaw`UPDATE exact_connections
       SET access_token_sealed = ${t.accessTokenSealed}, refresh_token_sealed = ${t.refreshTokenSealed},
           token_issued_at = ${t.tokenIssuedAt}, access_expires_at = ${t.accessExpiresAt},
           token_generation = token_generation + 1, updated_at = now()
     WHERE id = ${id}::uuid AND token_generation = ${lease.generation}::int`;
  return { saved: lost === 1, leaseLost: true };
}

/**
 * Marks the connection `needs_reauth` with the reason, unless its tokens changed since `seenGeneration` (another
 * holder refreshed meanwhile) or it is marked already. Returns whether this call marked it, so that exactly one
 * caller raises the alert.
 */
export async function markExactNeedsReauth(prisma: PrismaClient, id: string, reason: string, seenGeneration?: number): Promise<boolean> {
  const changed =
    seenGeneration === undefined
      ? await prisma.$executeRaw`UPDATE exact_connections SET status = 'needs_reauth', status_reason = ${reason},
          refresh_lease_holder = NULL, refresh_lease_until = NULL, updated_at = now()
        WHERE id = ${id}::uuid AND status = 'active'`
      : await prisma.$executeRaw`UPDATE exact_connections SET status = 'needs_reauth', status_reason = ${reason},
          refresh_lease_holder = NULL, refresh_lease_until = NULL, updated_at = now()
        WHERE id = ${id}::uuid AND status = 'active' AND token_generation = ${seenGeneration}::int`;
  return changed === 1;
}
