/**
 * Pending Exact Online authorisations: the OAuth `state` Relay sends to Exact's authorize page, who asked, and
 * which connection is being re-authorised (none for a new one). A state is random, valid for minutes and used
 * once: the callback consumes it in one statement, so a replayed or forged callback finds nothing.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../generated/prisma/client';

/** Long enough to sign in at Exact (Exact's code itself is valid 3 minutes after the redirect). */
export const EXACT_AUTH_REQUEST_TTL_MS = 15 * 60_000;

export interface ExactAuthRequestInfo {
  state: string;
  /** Set when re-authorising an existing connection. */
  connectionId: string | null;
  requestedBy: string;
  expiresAt: Date;
}

export async function createExactAuthRequest(
  prisma: PrismaClient,
  input: { requestedBy: string; connectionId?: string | null; ttlMs?: number },
): Promise<ExactAuthRequestInfo> {
  const state = randomBytes(32).toString('base64url');
  const row = await prisma.exactAuthRequest.create({
    data: { state, requestedBy: input.requestedBy, connectionId: input.connectionId ?? null, expiresAt: new Date(Date.now() + (input.ttlMs ?? EXACT_AUTH_REQUEST_TTL_MS)) },
  });
  return { state: row.state, connectionId: row.connectionId, requestedBy: row.requestedBy, expiresAt: row.expiresAt };
}

/** The request for `state`, removed so that it is used once; null when unknown, used or expired. */
export async function consumeExactAuthRequest(prisma: PrismaClient, state: string): Promise<ExactAuthRequestInfo | null> {
  const [row] = await prisma.$queryRaw<{ state: string; connection_id: string | null; requested_by: string; expires_at: Date }[]>`
    DELETE FROM exact_auth_requests WHERE state = ${state} RETURNING state, connection_id::text, requested_by, expires_at`;
  if (!row || row.expires_at.getTime() <= Date.now()) return null;
  return { state: row.state, connectionId: row.connection_id, requestedBy: row.requested_by, expiresAt: row.expires_at };
}

/** Removes expired requests (abandoned sign-ins); returns how many. */
export async function purgeExpiredExactAuthRequests(prisma: PrismaClient): Promise<number> {
  return prisma.$executeRaw`DELETE FROM exact_auth_requests WHERE expires_at < now()`;
}
