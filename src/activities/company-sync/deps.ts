import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../generated/prisma/client';
import type { ExactDeletedAccount, ExactSyncAccount } from '../../integrations/exact/mapping';
import type { Logger } from '../../logger';
import type { CompanySyncSettings } from '../../modules/company-sync/config';
import type { DivisionJobKind } from '../../workflows/company-sync/definitions';
import type { AlertRaiser } from './alerts';

/** What the inbound side needs from Exact for one division (ExactClient provides it). */
export interface DivisionExact {
  divisionMoveDate(): Promise<Date | null>;
  /** Exact's count of the division's accounts, for an import's progress bar. */
  countAccounts?(): Promise<number>;
  syncAccounts(cursor: bigint, next?: string): Promise<{ rows: ExactSyncAccount[]; next?: string }>;
  syncDeleted(cursor: bigint, next?: string): Promise<{ rows: ExactDeletedAccount[]; next?: string }>;
}

/** Everything the company sync's activities use, built once per worker (src/modules/company-sync). */
export interface CompanySyncDeps {
  prisma: PrismaClient;
  logger: Logger;
  settings: CompanySyncSettings;
  temporal?: Client;
  exactFor(division: number): Promise<DivisionExact>;
  startConflictWorkflow(conflict: { id: string; workflowId: string }): Promise<void>;
  requestOutbound(companyId: string, by: string): Promise<void>;
  /** Companies with edits not yet pushed to Exact (a crash between the API's write and its signal). */
  pendingOutbound(division: number): Promise<string[]>;
  requestDivisionWork(division: number, kind: DivisionJobKind, requestedBy: string): Promise<void>;
  alerts: AlertRaiser;
}
