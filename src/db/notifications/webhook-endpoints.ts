import { webhookPatternsFor } from '../../domain/notifications';
import type { PrismaClient, WebhookEndpoint } from '../../generated/prisma/client';
import type { Logger } from '../../logger';

/** Webhook endpoints: subscriptions, the failing streak that disables one, and the disabling itself. */

export const findWebhookEndpoint = (prisma: PrismaClient, id: string): Promise<WebhookEndpoint | null> => prisma.webhookEndpoint.findUnique({ where: { id } });

/** Ids of the active endpoints subscribed to `event` (exactly, by prefix `a.*`, or `*`). */
export async function subscribedEndpointIds(prisma: PrismaClient, event: string): Promise<string[]> {
  const rows = await prisma.webhookEndpoint.findMany({
    where: { status: 'active', events: { hasSome: webhookPatternsFor(event) } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => r.id);
}

/** A delivery failed: starts the endpoint's failing streak unless one runs; returns when it began. */
export async function recordEndpointFailure(prisma: PrismaClient, endpointId: string, now: Date): Promise<Date> {
  const streak = await prisma.$queryRaw<{ failing_since: Date }[]>`
    UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, ${now}), updated_at = ${now}
    WHERE id = ${endpointId} RETURNING failing_since`;
  return streak[0]?.failing_since ?? now;
}

/** A delivery succeeded: the failing streak, if any, is over. */
export async function clearEndpointFailure(prisma: PrismaClient, endpointId: string): Promise<void> {
  await prisma.webhookEndpoint.updateMany({ where: { id: endpointId, failingSince: { not: null } }, data: { failingSince: null } });
}

/**
 * Disables an active endpoint and reports it once (warning and audit row, in one
 * transaction with the change); a no-op when it is disabled already.
 */
export async function disableEndpoint(
  deps: { prisma: PrismaClient; logger: Logger },
  endpointId: string,
  reason: string,
  by: { actor: string; correlationId: string },
): Promise<boolean> {
  const now = new Date();
  const disabled = await deps.prisma.$transaction(async (tx) => {
    const changed = await tx.webhookEndpoint.updateMany({
      where: { id: endpointId, status: 'active' },
      data: { status: 'disabled', disabledReason: reason, updatedAt: now },
    });
    if (changed.count === 0) return false;
    await tx.auditLog.create({
      data: {
        actor: by.actor,
        action: 'webhook_endpoint.disabled',
        entity: 'webhook_endpoint',
        entityId: endpointId,
        before: { status: 'active' },
        after: { status: 'disabled', reason },
        correlationId: by.correlationId,
        idempotencyKey: `webhook_endpoint.disabled:${endpointId}:${now.toISOString()}`,
      },
    });
    return true;
  });
  if (disabled) deps.logger.warn({ endpointId, reason, by: by.actor }, 'webhook endpoint disabled');
  return disabled;
}
