import type { ApiKey } from '../../../config';
import type { SecretSealer } from '../../../db/sealed-secrets';
import type { PrismaClient } from '../../../generated/prisma/client';
import type { Logger } from '../../../logger';
import type { PmsSettings } from '../../../modules/pms/config';
import type { StarterContext } from '../../../temporal/starters/context';

/** What every PMS router needs; the module builds it from its ApiContext. */
export interface PmsRouteDeps {
  prisma: PrismaClient;
  starter: StarterContext;
  settings: PmsSettings;
  /** The configured API keys: their property scopes (RELAY_API_KEY_PROPERTIES). */
  keys: readonly ApiKey[];
  /** Seals property credentials for their row. */
  sealer: SecretSealer;
  webUiUrl: (workflowId: string) => string;
  logger: Logger;
}
