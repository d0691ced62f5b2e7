import { createSecretSealer } from '../../db/sealed-secrets';
import { ExactRateBudget } from '../../db/company-sync/rate-budget';
import type { PrismaClient } from '../../generated/prisma/client';
import { ExactClient } from '../../integrations/exact/client';
import { ExactOAuthClient, ExactTokenManager } from '../../integrations/exact/oauth';
import type { Logger } from '../../logger';
import type { Config } from '../../config';
import type { DivisionExact } from '../../activities/company-sync/deps';
import type { CompanySyncSettings } from './config';

/**
 * One process's way to Exact: the OAuth client, the token manager (refresh lease in
 * PostgreSQL) and the shared per-division call budget, and a client per division on top.
 */
export interface ExactRuntime {
  oauth: ExactOAuthClient;
  tokens: ExactTokenManager;
  budget: ExactRateBudget;
  clientFor(division: number): Promise<ExactClient>;
  divisionExact(division: number): Promise<DivisionExact>;
}

export function createExactRuntime(deps: {
  prisma: PrismaClient;
  logger: Logger;
  core: Config;
  settings: CompanySyncSettings;
  onNeedsReauth?: (connectionId: string, reason: string) => void | Promise<void>;
}): ExactRuntime {
  const { prisma, logger, settings } = deps;
  const oauth = new ExactOAuthClient({ baseUrl: settings.exact.baseUrl, clientId: settings.exact.clientId, clientSecret: settings.exact.clientSecret, redirectUri: settings.exact.redirectUri }, { logger });
  const tokens = new ExactTokenManager({ prisma, sealer: createSecretSealer(deps.core.codec.keys), oauth, logger, onNeedsReauth: deps.onNeedsReauth });
  const budget = new ExactRateBudget({ prisma, limits: { minuteLimit: settings.minuteLimit, dayLimit: settings.dayLimit }, logger });

  async function clientFor(division: number): Promise<ExactClient> {
    const row = await prisma.exactDivision.findUnique({ where: { division }, include: { connection: { select: { id: true, baseUrl: true } } } });
    if (!row) throw new Error(`division ${division} is not selected for sync`);
    return new ExactClient({ baseUrl: row.connection.baseUrl, tokens: tokens.tokenSource(row.connection.id), logger, division, budget });
  }

  return {
    oauth,
    tokens,
    budget,
    clientFor,
    async divisionExact(division) {
      const client = await clientFor(division);
      return {
        async divisionMoveDate() {
          const divisions = await client.listDivisions();
          return divisions.find((d) => d.division === division)?.divisionMoveDate ?? null;
        },
        countAccounts: () => client.countAccounts(),
        syncAccounts: (cursor, next) => client.syncAccounts(cursor, next),
        syncDeleted: (cursor, next) => client.syncDeleted(cursor, next),
      };
    },
  };
}
