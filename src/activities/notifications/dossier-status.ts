import { ApplicationFailure } from '@temporalio/activity';
import { ConcurrentChangeError, type RecordDossierChangeInput, recordDossierChangeOnce, subscriberId } from '../../db/notifications/dossiers';
import { subscribedEndpointIds } from '../../db/notifications/webhook-endpoints';
import { DOSSIER_STATUS_CHANGED_EVENT, type DossierSubscriberTarget, type RecordedDossierChange } from '../../domain/dossiers';
import { FailureType } from '../../domain/failure-types';
import { ConflictError, NotFoundError } from '../../errors';
import type { PrismaClient } from '../../generated/prisma/client';

export type { RecordDossierChangeInput } from '../../db/notifications/dossiers';

/**
 * The dossier status workflow's first step: records the change in PostgreSQL exactly once
 * (a retried activity, or a second run, gets what was recorded) and lists who hears of it.
 */
export async function recordDossierStatusChange(prisma: PrismaClient, input: RecordDossierChangeInput): Promise<RecordedDossierChange> {
  const recorded = await recordOrFail(prisma, input);
  // Endpoints subscribed to the event hear about every dossier, besides those listed on this one.
  const listed = new Set(recorded.subscribers.map((s) => s.id));
  const bySubscription = (await subscribedEndpointIds(prisma, DOSSIER_STATUS_CHANGED_EVENT))
    .map((endpointId): DossierSubscriberTarget => ({ id: subscriberId(input.dossierId, { channel: 'webhook', endpointId }), channel: 'webhook', endpointId }))
    .filter((s) => !listed.has(s.id));
  return { ...recorded, subscribers: [...recorded.subscribers, ...bySubscription] };
}

async function recordOrFail(prisma: PrismaClient, input: RecordDossierChangeInput): Promise<RecordedDossierChange> {
  try {
    return await recordDossierChangeOnce(prisma, input);
  } catch (err) {
    if (err instanceof NotFoundError) throw ApplicationFailure.nonRetryable(err.message, FailureType.NotFound);
    if (err instanceof ConflictError) throw ApplicationFailure.nonRetryable(err.message, FailureType.Conflict);
    // The retry reads the row the concurrent insert wrote and reports the conflict.
    if (err instanceof ConcurrentChangeError) throw ApplicationFailure.retryable(err.message, 'ConcurrentChange');
    throw err;
  }
}
