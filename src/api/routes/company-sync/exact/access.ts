import type { EncryptionKey } from '../../../../config';
import { ExactRateBudget } from '../../../../db/company-sync/rate-budget';
import { createSecretSealer } from '../../../../db/sealed-secrets';
import type { PrismaClient } from '../../../../generated/prisma/client';
import { ExactAuthError, ExactClient, type ExactConnected, type ExactDivision, ExactOAuthClient, ExactTokenManager, authorizeUrl, connectExactAccount } from '../../../../integrations/exact';
import type { Logger } from '../../../../logger';
import type { CompanySyncSettings } from '../../../../modules/company-sync/config';
import type { ExactRuntime } from '../../../../modules/company-sync/exact-runtime';
import { NotFoundError } from '../../../../errors';

/**
 * What the connection routes need from Exact: the authorize URL, completing the redirect, and
 * the divisions a connection's user may access. Tests may hand in their own.
 */
export interface ExactAccess {
  /** Exact's authorize page for `state` (a fresh login when re-authorising). */
  authorizeUrl(state: string, options?: { forceLogin?: boolean }): string;
  /** Consumes the state, exchanges the code and stores (or re-authorises) the connection. */
  connect(input: { state: string; code: string }): Promise<ExactConnected>;
  /** `system/Divisions`, read in the user's current division (`current/Me`), counted on that division's budget. */
  listDivisions(connectionId: string): Promise<ExactDivision[]>;
}

export interface ExactAccessDeps {
  prisma: PrismaClient;
  logger: Logger;
  settings: CompanySyncSettings;
  /** PAYLOAD_ENCRYPTION_KEYS: the connections' tokens are sealed with them. */
  encryptionKeys: readonly EncryptionKey[];
  /** The process's Exact runtime (one token manager per process); built here when absent. */
  runtime?: Pick<ExactRuntime, 'oauth' | 'tokens'>;
}

export function createExactAccess(deps: ExactAccessDeps): ExactAccess {
  const { prisma, logger, settings } = deps;
  const sealer = createSecretSealer(deps.encryptionKeys);
  const oauth =
    deps.runtime?.oauth ??
    new ExactOAuthClient({ baseUrl: settings.exact.baseUrl, clientId: settings.exact.clientId, clientSecret: settings.exact.clientSecret, redirectUri: settings.exact.redirectUri }, { logger });
  const tokens = deps.runtime?.tokens ?? new ExactTokenManager({ prisma, sealer, oauth, logger });
  // The same budget in PostgreSQL as the workers', with a short horizon: a request does not wait a minute for it.
  const budget = new ExactRateBudget({ prisma, limits: { minuteLimit: settings.minuteLimit, dayLimit: settings.dayLimit }, logger, maxWaitMs: 5_000 });
  return {
    authorizeUrl: (state, options) => authorizeUrl(oauth.config, state, options),
    connect: (input) => connectExactAccount({ prisma, sealer, oauth, logger }, input),
    async listDivisions(connectionId) {
      const connection = await prisma.exactConnection.findUnique({ where: { id: connectionId }, select: { baseUrl: true, status: true, statusReason: true } });
      if (!connection) throw new NotFoundError(`No Exact connection ${connectionId}`);
      // A connection marked needs_reauth is not used, even while an access token of it still works.
      if (connection.status === 'needs_reauth') throw new ExactAuthError({ reason: connection.statusReason ?? 'needs_reauth', needsReauth: true, connectionId });
      const source = tokens.tokenSource(connectionId);
      const me = await new ExactClient({ baseUrl: connection.baseUrl, tokens: source, logger }).currentMe();
      if (me.currentDivision === null) return [];
      return new ExactClient({ baseUrl: connection.baseUrl, tokens: source, logger, division: me.currentDivision, budget }).listDivisions();
    },
  };
}
