import { createHash } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type WorkflowExecutionStatusName } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { DossierStatusRequest } from '../../domain/dossiers';
import type { DeliveryPolicy } from '../../domain/notifications';
import { BusinessStatus, relaySearchAttributes } from '../../domain/search-attributes';
import { WorkflowIds } from '../../domain/workflow-ids';
import { ConflictError, NotFoundError } from '../../errors';
import type { DossierStatusChange, PrismaClient } from '../../generated/prisma/client';
import { dossierStatusWorkflow } from '../../workflows/notifications/dossier-status';
import { taskQueueOf } from '../task-queues';
import type { StarterContext } from './context';

export interface DossierStatusStarterContext extends StarterContext {
  prisma: PrismaClient;
  policy: DeliveryPolicy;
}

export interface AcceptedDossierChange {
  /** False when the change id was seen before: nothing new was started. */
  created: boolean;
  workflowId: string;
  /** The recorded change, once the workflow's first activity wrote it. */
  recorded: DossierStatusChange | null;
  /** The workflow's execution status, when it was looked up (a repeat whose change is not recorded yet). */
  workflowStatus?: WorkflowExecutionStatusName;
}

/**
 * Accepts a dossier status change exactly once per change id, without a dual write: the
 * API writes nothing itself. It starts the workflow (deterministic id) whose first
 * activity records the change, so a crash right after the start loses nothing (the
 * workflow carries on) and a retry finds the workflow instead of starting a second one.
 * The change id lives on in PostgreSQL (the change row), so a repeat is recognised even
 * after Temporal's retention deleted the workflow's history.
 *
 * Conflict policy FAIL rather than USE_EXISTING: both refuse a second run, but only FAIL
 * tells the caller that the workflow already existed (a repeat answers 200, not 202).
 */
export async function acceptDossierStatusChange(ctx: DossierStatusStarterContext, change: DossierStatusRequest): Promise<AcceptedDossierChange> {
  const workflowId = WorkflowIds.dossierStatus(change.dossierId, change.changeId);
  const recorded = await findRecordedChange(ctx.prisma, change);
  if (recorded) return { created: false, workflowId, recorded };

  const dossier = await ctx.prisma.dossier.findUnique({ where: { id: change.dossierId }, select: { id: true } });
  if (!dossier) throw new NotFoundError(`No dossier ${change.dossierId}`);

  const fingerprint = changeFingerprint(change);
  try {
    await ctx.client.workflow.start(dossierStatusWorkflow, {
      taskQueue: taskQueueOf(ctx.taskQueues, 'notifications'),
      workflowId,
      args: [{ change, policy: ctx.policy }],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Encrypted like every payload: a repeat is compared with the first request; the status is shown until recorded.
      memo: { fingerprint, status: change.status },
      typedSearchAttributes: relaySearchAttributes({ integration: 'notifications', entity: 'dossier', entityId: change.dossierId, status: BusinessStatus.running }),
    });
    return { created: true, workflowId, recorded: null };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }

  // Seen before (a retry after a lost answer, or a concurrent duplicate).
  const description = await ctx.client.workflow.getHandle(workflowId).describe();
  if (description.memo?.fingerprint !== fingerprint) {
    throw new ConflictError(`Change id ${change.changeId} was already used for another status change of dossier ${change.dossierId}`, { changeId: change.changeId });
  }
  return { created: false, workflowId, recorded: await findRecordedChange(ctx.prisma, change), workflowStatus: description.status.name };
}

/** The change row of this change id, or null; a row for another dossier or status is a conflict. */
async function findRecordedChange(prisma: PrismaClient, change: DossierStatusRequest): Promise<DossierStatusChange | null> {
  const row = await prisma.dossierStatusChange.findUnique({ where: { id: change.changeId } });
  if (row && (row.dossierId !== change.dossierId || row.status !== change.status)) {
    throw new ConflictError(`Change id ${change.changeId} was already used for another status change`, { changeId: change.changeId });
  }
  return row;
}

/**
 * What makes two requests the same change. Not the note: the change row does not keep it, so
 * a repeat could not be compared on it once the history is gone; the first note wins.
 */
function changeFingerprint(change: DossierStatusRequest): string {
  const { dossierId, changeId, status } = change;
  return createHash('sha256').update(JSON.stringify([dossierId, changeId, status])).digest('hex');
}
