import type { ArrivalEventType } from '../../domain/pms/arrival-state';
import type { PmsEvent, PrismaClient } from '../../generated/prisma/client';

/**
 * Arrival events after they are stored: what follows each one (a welcome message, the
 * subscribers' webhooks) is started by a dispatch that marks it done, so an event stored
 * by a run that died before dispatching is dispatched by the next one.
 */

export interface PendingEvent {
  id: string;
  type: ArrivalEventType;
  reservationVendorId: string;
  payload: Record<string, unknown>;
  guest: { firstName: string | null; lastName: string; phoneE164: string | null; messagingConsent: boolean | null } | null;
  /** Relay's consent record for the guest's number, if it has one. */
  consent: { optedOut: boolean } | null;
}

type PendingRow = {
  id: bigint;
  type: ArrivalEventType;
  reservation_vendor_id: string;
  payload: Record<string, unknown>;
  last_name: string | null;
  first_name: string | null;
  phone_e164: string | null;
  messaging_consent: boolean | null;
  opted_out: boolean | null;
};

/** Undispatched events of a property, oldest first, with the guest and consent a welcome message needs. */
export async function pendingEvents(prisma: PrismaClient, propertyId: string, limit = 200): Promise<PendingEvent[]> {
  const rows = await prisma.$queryRaw<PendingRow[]>`
    SELECT e.id, e.type, e.reservation_vendor_id, e.payload, g.first_name, g.last_name, g.phone_e164, g.messaging_consent, c.opted_out
    FROM pms_events e
    LEFT JOIN pms_reservations r ON r.property_id = e.property_id AND r.vendor_id = e.reservation_vendor_id
    LEFT JOIN pms_guests g ON g.property_id = e.property_id AND g.vendor_id = r.guest_vendor_id
    LEFT JOIN recipient_consent c ON c.recipient = g.phone_e164
    WHERE e.property_id = ${propertyId}::uuid AND e.dispatched_at IS NULL
    ORDER BY e.id
    LIMIT ${limit}`;
  return rows.map((r) => ({
    id: r.id.toString(),
    type: r.type,
    reservationVendorId: r.reservation_vendor_id,
    payload: r.payload,
    guest: r.last_name === null ? null : { firstName: r.first_name, lastName: r.last_name, phoneE164: r.phone_e164, messagingConsent: r.messaging_consent },
    consent: r.opted_out === null ? null : { optedOut: r.opted_out },
  }));
}

export async function markDispatched(prisma: PrismaClient, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await prisma.pmsEvent.updateMany({ where: { id: { in: ids.map(BigInt) }, dispatchedAt: null }, data: { dispatchedAt: new Date() } });
}

/** A property's events, newest first; `before`: the id of the last event of the previous page. */
export async function listEvents(prisma: PrismaClient, propertyId: string, options: { limit: number; before?: bigint; type?: ArrivalEventType }): Promise<PmsEvent[]> {
  return prisma.pmsEvent.findMany({
    where: { propertyId, ...(options.type && { type: options.type }), ...(options.before !== undefined && { id: { lt: options.before } }) },
    orderBy: { id: 'desc' },
    take: options.limit + 1,
  });
}
