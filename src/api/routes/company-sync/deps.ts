import type { PrismaClient } from '../../../generated/prisma/client';
import type { CompanySyncSettings } from '../../../modules/company-sync/config';
import type { StarterContext } from '../../../temporal/starters/context';

/** What every company-sync router needs; the module builds it from its ApiContext. */
export interface CompanySyncRouteDeps {
  prisma: PrismaClient;
  /** The Temporal client and this deployment's task queue names. */
  starter: StarterContext;
  settings: CompanySyncSettings;
  /** The Web UI page of a workflow (shown next to conflicts and divisions). */
  webUiUrl: (workflowId: string) => string;
}
