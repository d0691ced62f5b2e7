import { createHash } from 'node:crypto';
import { type DossierStatusRequest, type DossierSubscriberTarget, type RecordedDossierChange, SUBSCRIBER_ID_LENGTH } from '../../domain/dossiers';
import { ConflictError, NotFoundError, RelayError } from '../../errors';
import { Prisma, type PrismaClient } from '../../generated/prisma/client';

export type RecordDossierChangeInput = Omit<DossierStatusRequest, 'note'>;

export type SubscriberSpec = { channel: 'sms' | 'whatsapp'; recipient: string } | { channel: 'webhook'; endpointId: string };

/**
 * A subscriber's id derives from what it is: the same entry in a later PUT keeps its id, an
 * endpoint subscribed to the event gets the id it would have on the dossier (one message,
 * not two), and notification ids (hence workflow ids, which are not encrypted) never carry
 * a phone number.
 */
export function subscriberId(dossierId: string, s: SubscriberSpec): string {
  const target = s.channel === 'webhook' ? s.endpointId : s.recipient;
  return createHash('sha256').update(`${dossierId}\n${s.channel}\n${target}`).digest('hex').slice(0, SUBSCRIBER_ID_LENGTH);
}

/** The same change id was inserted concurrently (for another dossier): reading again tells which. */
export class ConcurrentChangeError extends RelayError {
  readonly code = 'concurrent_change';
}

/**
 * Records a status change exactly once: the change row's id is the client's change id, so a
 * second call finds it and returns what was recorded instead of writing again. The dossier
 * row is locked for the transaction: concurrent changes of one dossier commit one after
 * another, and each records the status the previous one left as `previousStatus`.
 */
export async function recordDossierChangeOnce(prisma: PrismaClient, input: RecordDossierChangeInput): Promise<RecordedDossierChange> {
  try {
    return await prisma.$transaction(
      async (tx) => {
        const [dossier] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM dossier WHERE id = ${input.dossierId} FOR UPDATE`;
        if (!dossier) throw new NotFoundError(`No dossier ${input.dossierId}`);

        let change = await tx.dossierStatusChange.findUnique({ where: { id: input.changeId } });
        const alreadyRecorded = change !== null;
        if (change && (change.dossierId !== input.dossierId || change.status !== input.status)) {
          throw new ConflictError(`Change id ${input.changeId} was already used for another status change`);
        }
        if (!change) {
          change = await tx.dossierStatusChange.create({
            data: { id: input.changeId, dossierId: input.dossierId, status: input.status, previousStatus: dossier.status, requestedBy: input.requestedBy },
          });
          await tx.dossier.update({ where: { id: input.dossierId }, data: { status: input.status } });
        }
        const subscribers = await tx.dossierSubscriber.findMany({ where: { dossierId: input.dossierId }, orderBy: { id: 'asc' } });
        return {
          changeId: change.id,
          status: change.status,
          previousStatus: change.previousStatus,
          changedAt: change.createdAt.toISOString(),
          alreadyRecorded,
          subscribers: subscribers.flatMap(toTarget),
        };
      },
      // Waiting for the dossier's row lock counts towards the timeout: leave room for a queue of changes.
      { maxWait: 10_000, timeout: 20_000 },
    );
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new ConcurrentChangeError(`Change id ${input.changeId} was inserted concurrently`);
    }
    throw err;
  }
}

function toTarget(row: { id: string; channel: string; recipient: string | null; endpointId: string | null }): DossierSubscriberTarget[] {
  if (row.channel === 'webhook' && row.endpointId) return [{ id: row.id, channel: 'webhook', endpointId: row.endpointId }];
  if ((row.channel === 'sms' || row.channel === 'whatsapp') && row.recipient) return [{ id: row.id, channel: row.channel, recipient: row.recipient }];
  return [];
}
