import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CompanyFields, SyncedField } from '../../domain/company-sync/company-fields';

/**
 * The company sync's workflow messages and their payloads, shared by the workflows, the API
 * and the starters. Workflow-safe: types and Temporal's definitions only.
 */

// ---- Division owner (exact-division-<division>) ---------------------------------------

export type DivisionJobKind = 'import' | 'incremental' | 'reconcile';

export interface DivisionWorkRequest {
  kind: DivisionJobKind;
  /** Who asked: `schedule:<id>`, an API key name, `operator:<name>`. */
  requestedBy: string;
}

/** Asks the division's owner for a run; a kind already waiting is not queued twice. */
export const requestDivisionWorkSignal = defineSignal<[DivisionWorkRequest]>('requestWork');

export interface InboundRunSummary {
  kind: DivisionJobKind;
  workflowId: string;
  /** `partial`: Exact's budget ran out; the cursor is saved and the run resumes at `resumeAt`. */
  outcome: 'completed' | 'partial' | 'failed';
  pages: number;
  accounts: number;
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  quarantined: number;
  deleted: number;
  cursor: string;
  resumeAt?: string;
  error?: string;
}

export interface DivisionState {
  division: number;
  running?: { kind: DivisionJobKind; workflowId: string; since: string };
  pending: DivisionJobKind[];
  /** When a run ended partial: it waits for Exact's budget until then. */
  waitingForBudgetUntil?: string;
  recent: InboundRunSummary[];
}

export const divisionStateQuery = defineQuery<DivisionState>('state');

// ---- Inbound runs (import / incremental / reconcile) ---------------------------------

export interface InboundProgress {
  division: number;
  kind: DivisionJobKind;
  pages: number;
  accounts: number;
  created: number;
  updated: number;
  unchanged: number;
  conflicts: number;
  quarantined: number;
  deleted: number;
  cursor: string;
  /** Exact's count of accounts in the division at the start (import only), for a progress bar. */
  expectedAccounts?: number;
  done: boolean;
  outcome?: InboundRunSummary['outcome'];
  resumeAt?: string;
}

export const inboundProgressQuery = defineQuery<InboundProgress>('progress');

// ---- Outbound (company-sync-<companyId>) ---------------------------------------------

export interface CompanyChanged {
  /** The company's version after the change. */
  version: number;
  by: string;
}

/** Another edit arrived: the running sync pushes again after its current attempt (coalescing). */
export const companyChangedSignal = defineSignal<[CompanyChanged]>('companyChanged');

export interface OutboundState {
  companyId: string;
  /** Highest company version the workflow was told about, and the last one pushed to Exact. */
  requestedVersion: number;
  pushedVersion?: number;
  status: 'syncing' | 'synced' | 'pending_review' | 'failed';
  exactGuid?: string;
  lastError?: string;
}

export const outboundStateQuery = defineQuery<OutboundState>('state');

// ---- Conflicts (sync-conflict-<exactGuid> / sync-conflict-company-<companyId>) --------

export type ConflictDecision =
  /** Link the Exact account to this existing company (and apply Exact's values by the merge rules). */
  | { action: 'link'; companyId: string }
  /** Create a new company from the Exact account and link it. */
  | { action: 'create' }
  /** Leave the account unlinked; later versions of it are not applied. */
  | { action: 'ignore' }
  /** Link to `companyId`, taking the chosen side for each listed field (unlisted fields keep ours). */
  | { action: 'merge'; companyId: string; fields: Partial<Record<SyncedField, 'relay' | 'exact'>> }
  /** Outbound ambiguity: link our company to one of the Exact accounts found. */
  | { action: 'link_exact'; exactGuid: string }
  /** Account deleted in Exact, company changed here since (`deleted_in_source`): keep ours, create a new account in Exact. */
  | { action: 'recreate' }
  /** Account deleted in Exact (`deleted_in_source`): delete the company here too (soft delete). */
  | { action: 'delete' };

export interface ResolveConflictRequest {
  decision: ConflictDecision;
  /** The operator's identity (API key name or signed-in operator), written to the audit log. */
  operator: string;
  note?: string;
}

export interface ConflictOutcome {
  conflictId: string;
  decision: ConflictDecision['action'];
  companyId: string | null;
  exactGuid: string | null;
  resolvedBy: string;
  resolvedAt: string;
}

/** The operator's decision; the validator rejects what cannot apply, so the API answers it at once. */
export const resolveConflictUpdate = defineUpdate<ConflictOutcome, [ResolveConflictRequest]>('resolve');

export interface ConflictState {
  conflictId: string;
  kind: string;
  status: 'open' | 'resolved';
  reminders: number;
  escalated: boolean;
  /** Companies an operator may link to (validator's view). */
  candidateCompanyIds: string[];
  candidateExactGuids: string[];
  outcome?: ConflictOutcome;
}

export const conflictStateQuery = defineQuery<ConflictState>('state');

/** Fresh details after Exact changed the account while the conflict waits (the validator's candidates follow). */
export const conflictRefreshedSignal = defineSignal<[{ candidateCompanyIds: string[]; candidateExactGuids: string[] }]>('refreshed');

export type { CompanyFields, SyncedField };
