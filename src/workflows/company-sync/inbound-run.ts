import { continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { InboundActivities } from '../../activities/company-sync/inbound';
import type { DivisionJobKind, InboundProgress, InboundRunSummary } from './definitions';
import { inboundProgressQuery } from './definitions';

/**
 * The page loop every inbound run shares (import, incremental, reconcile): one Sync API page
 * per activity, which applies each account in its own transaction and moves the stored cursor
 * past what it applied or quarantined; the loop follows `__next` until Exact gives none.
 * Pages never travel through history (only counts and the next link do), and the run
 * continues as new before its history grows large, carrying its place and its progress.
 */

const activities = proxyActivities<InboundActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: ['ExactAuthError', 'ExactRequestRejected'] },
});

export interface InboundRunInput {
  division: number;
  kind: DivisionJobKind;
  /** Carried over continue-as-new. */
  phase?: 'accounts' | 'deleted' | 'finish';
  next?: string;
  progress?: InboundProgress;
  startedAt?: string;
  /** Open quarantine entries when the run began (a run that grows it alerts). */
  quarantinedAtStart?: number;
}

const PAGES_PER_RUN = 200;

export async function runInbound(input: InboundRunInput, continueWith: (next: InboundRunInput) => Promise<never>): Promise<InboundRunSummary> {
  const { division, kind } = input;
  const startedAt = input.startedAt ?? new Date().toISOString();
  const progress: InboundProgress = input.progress ?? { division, kind, pages: 0, accounts: 0, created: 0, updated: 0, unchanged: 0, conflicts: 0, quarantined: 0, deleted: 0, cursor: '0', done: false };
  setHandler(inboundProgressQuery, () => progress);
  let phase = input.phase ?? 'accounts';
  let next = input.next;
  let pagesHere = 0;
  let quarantinedAtStart = input.quarantinedAtStart;

  if (!input.phase) {
    const begun = await activities.beginInboundRun({ division, kind });
    progress.expectedAccounts = begun.expectedAccounts;
    quarantinedAtStart = begun.quarantined;
    if (begun.budgetRetryAt) return partial(progress, begun.budgetRetryAt);
  }

  const shouldContinue = () => pagesHere >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested;

  while (phase === 'accounts') {
    if (shouldContinue()) return continueWith({ division, kind, phase, next, progress, startedAt, quarantinedAtStart });
    const page = await activities.applyAccountsPage({ division, kind, next, startedAt });
    pagesHere++;
    if (page.budgetRetryAt) return partial(progress, page.budgetRetryAt);
    progress.pages++;
    progress.accounts += page.accounts;
    progress.created += page.created;
    progress.updated += page.updated;
    progress.unchanged += page.unchanged;
    progress.conflicts += page.conflicts;
    progress.quarantined += page.quarantined;
    progress.cursor = page.cursor;
    next = page.next;
    if (!next) phase = kind === 'reconcile' ? 'finish' : 'deleted';
  }

  while (phase === 'deleted') {
    if (shouldContinue()) return continueWith({ division, kind, phase, next, progress, startedAt, quarantinedAtStart });
    const page = await activities.applyDeletedPage({ division, next });
    pagesHere++;
    if (page.budgetRetryAt) return partial(progress, page.budgetRetryAt);
    progress.deleted += page.deleted;
    next = page.next;
    if (!next) phase = 'finish';
  }

  const finished = await activities.finishInboundRun({ division, kind, startedAt, quarantinedAtStart });
  progress.deleted += finished.deleted;
  progress.quarantined = Math.max(0, progress.quarantined - finished.quarantineCleared);
  if (finished.budgetRetryAt) return partial(progress, finished.budgetRetryAt);
  progress.done = true;
  progress.outcome = 'completed';
  return summary(progress);
}

function partial(progress: InboundProgress, resumeAt: string): InboundRunSummary {
  progress.done = true;
  progress.outcome = 'partial';
  progress.resumeAt = resumeAt;
  return summary(progress);
}

function summary(p: InboundProgress): InboundRunSummary {
  return {
    kind: p.kind,
    workflowId: workflowInfo().workflowId,
    outcome: p.outcome ?? 'completed',
    pages: p.pages,
    accounts: p.accounts,
    created: p.created,
    updated: p.updated,
    unchanged: p.unchanged,
    conflicts: p.conflicts,
    quarantined: p.quarantined,
    deleted: p.deleted,
    cursor: p.cursor,
    resumeAt: p.resumeAt,
  };
}

/** Import: every account of the division from timestamp 1 (`exact-import-<division>`). */
export async function exactImportWorkflow(input: InboundRunInput): Promise<InboundRunSummary> {
  return runInbound({ ...input, kind: 'import' }, (next) => continueAsNew<typeof exactImportWorkflow>(next));
}

/** Incremental: what changed since the stored cursor, then deletions, then quarantined records due for a retry. */
export async function exactIncrementalWorkflow(input: InboundRunInput): Promise<InboundRunSummary> {
  return runInbound({ ...input, kind: 'incremental' }, (next) => continueAsNew<typeof exactIncrementalWorkflow>(next));
}

/** Reconciliation: the full set of Exact accounts against ours (drift, missed deletions); the cursor is left alone. */
export async function exactReconcileWorkflow(input: InboundRunInput): Promise<InboundRunSummary> {
  return runInbound({ ...input, kind: 'reconcile' }, (next) => continueAsNew<typeof exactReconcileWorkflow>(next));
}
