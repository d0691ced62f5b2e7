import type { ArrivalEventType } from '../../domain/pms/arrival-state';
import type { PrismaClient } from '../../generated/prisma/client';
import type { DateRange, PmsReservation } from '../../integrations/pms/model';
import { RESERVATION_RECORD_COLUMNS, reservationRecord } from './cache';

/**
 * The arrivals diff: reservations as the PMS lists them now, against the state last announced
 * for each, in one statement — the cache upserted, and for every reservation whose state hash
 * moved, an event under its deterministic key (vendor, hotel, reservation, arrival date, state
 * version). The property's diffs are serialised (an advisory lock), so a poll and a push that
 * see the same change announce it once, and a repeated poll announces nothing.
 */

export interface ArrivalState {
  reservation: PmsReservation;
  /** `arrivalStateHash(reservation)`. */
  stateHash: string;
}

export interface EmittedEvent {
  id: string;
  type: ArrivalEventType;
  reservationVendorId: string;
  eventKey: string;
}

export interface PropertyRef {
  id: string;
  vendor: string;
  vendorPropertyId: string;
}

type EventRow = { id: bigint; type: ArrivalEventType; reservation_vendor_id: string; event_key: string };

export async function applyArrivalStates(prisma: PrismaClient, property: PropertyRef, states: readonly ArrivalState[], syncedAt: Date): Promise<EmittedEvent[]> {
  if (states.length === 0) return [];
  const rows = [...new Map(states.map((s) => [s.reservation.vendorId, { ...reservationRecord(s.reservation), state_hash: s.stateHash }])).values()];
  const keyPrefix = `${property.vendor}:${property.vendorPropertyId}:`;
  const events = await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`pms_arrivals:${property.id}`}, 0))`;
    return tx.$queryRaw<EventRow[]>`
      WITH input AS (
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(${RESERVATION_RECORD_COLUMNS}, state_hash text)
      ),
      old AS (
        SELECT r.vendor_id, r.announced_hash, r.announced_status FROM pms_reservations r JOIN input i ON i.vendor_id = r.vendor_id
        WHERE r.property_id = ${property.id}::uuid
      ),
      upserted AS (
        INSERT INTO pms_reservations AS r (id, property_id, vendor_id, confirmation_number, status, arrival_date, departure_date, guest_vendor_id,
                                           room_vendor_id, room_number, adults, children, vendor_updated_at, synced_at, updated_at,
                                           announced_hash, announced_status, announced_version, announced_at)
        SELECT gen_random_uuid(), ${property.id}::uuid, i.vendor_id, i.confirmation_number, i.status, i.arrival_date, i.departure_date, i.guest_vendor_id,
               i.room_vendor_id, i.room_number, i.adults, i.children, i.vendor_updated_at, ${syncedAt}, ${syncedAt}, i.state_hash, i.status, 1, ${syncedAt}
        FROM input i
        ON CONFLICT (property_id, vendor_id) DO UPDATE SET
          confirmation_number = EXCLUDED.confirmation_number, status = EXCLUDED.status, arrival_date = EXCLUDED.arrival_date,
          departure_date = EXCLUDED.departure_date, guest_vendor_id = EXCLUDED.guest_vendor_id, room_vendor_id = EXCLUDED.room_vendor_id,
          room_number = EXCLUDED.room_number, adults = EXCLUDED.adults, children = EXCLUDED.children,
          vendor_updated_at = EXCLUDED.vendor_updated_at, synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at,
          announced_hash = EXCLUDED.announced_hash, announced_status = EXCLUDED.announced_status,
          announced_version = r.announced_version + (r.announced_hash IS DISTINCT FROM EXCLUDED.announced_hash)::int,
          announced_at = CASE WHEN r.announced_hash IS DISTINCT FROM EXCLUDED.announced_hash THEN EXCLUDED.announced_at ELSE r.announced_at END
        RETURNING r.vendor_id, r.confirmation_number, r.status, r.arrival_date, r.departure_date, r.guest_vendor_id, r.room_number,
                  r.adults, r.children, r.announced_version
      ),
      changes AS (
        SELECT u.*,
          CASE
            WHEN o.announced_hash IS NOT DISTINCT FROM i.state_hash THEN NULL
            -- A reservation first seen cancelled was never announced: nothing to cancel.
            WHEN u.status = 'cancelled' THEN CASE WHEN o.announced_hash IS NULL OR o.announced_status = 'cancelled' THEN NULL ELSE 'arrival.cancelled' END
            -- Never announced, or reinstated after a cancellation.
            WHEN o.announced_hash IS NULL OR o.announced_status = 'cancelled' THEN 'arrival.new'
            ELSE 'arrival.changed'
          END AS type
        FROM upserted u JOIN input i ON i.vendor_id = u.vendor_id LEFT JOIN old o ON o.vendor_id = u.vendor_id
      )
      INSERT INTO pms_events (event_key, type, property_id, vendor, reservation_vendor_id, arrival_date, state_version, payload)
      SELECT ${keyPrefix}::text || c.vendor_id || ':' || to_char(c.arrival_date, 'YYYY-MM-DD') || ':' || c.announced_version,
             c.type, ${property.id}::uuid, ${property.vendor}::text, c.vendor_id, c.arrival_date, c.announced_version,
             jsonb_build_object('propertyId', ${property.id}::text, 'vendor', ${property.vendor}::text, 'reservationVendorId', c.vendor_id,
               'confirmationNumber', c.confirmation_number, 'status', c.status, 'arrivalDate', to_char(c.arrival_date, 'YYYY-MM-DD'),
               'departureDate', to_char(c.departure_date, 'YYYY-MM-DD'), 'guestVendorId', c.guest_vendor_id, 'roomNumber', c.room_number,
               'adults', c.adults, 'children', c.children, 'stateVersion', c.announced_version)
      FROM changes c WHERE c.type IS NOT NULL
      ON CONFLICT (event_key) DO NOTHING
      RETURNING id, type, reservation_vendor_id, event_key`;
    // A large hotel's diff, or one waiting for another run's diff of the same property, outlasts Prisma's 5 s default.
  }, { maxWait: 10_000, timeout: 60_000 });
  return events.map((e) => ({ id: e.id.toString(), type: e.type, reservationVendorId: e.reservation_vendor_id, eventKey: e.event_key }));
}

/**
 * Reservations announced as arriving in `range` that the listing no longer shows: cancelled,
 * moved, or gone. The poll looks each one up to know which.
 */
export async function vanishedArrivals(prisma: PrismaClient, propertyId: string, range: DateRange, listed: readonly string[]): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ vendor_id: string }>>`
    SELECT vendor_id FROM pms_reservations
    WHERE property_id = ${propertyId}::uuid AND arrival_date BETWEEN ${range.from}::date AND ${range.to}::date
      AND announced_version > 0 AND announced_status <> 'cancelled' AND NOT (vendor_id = ANY(${[...listed]}::text[]))`;
  return rows.map((r) => r.vendor_id);
}

/** Reservations announced before, whatever their date now (a push about one that moved away is still a change). */
export async function announcedAmong(prisma: PrismaClient, propertyId: string, vendorIds: readonly string[]): Promise<Set<string>> {
  if (vendorIds.length === 0) return new Set();
  const rows = await prisma.$queryRaw<Array<{ vendor_id: string }>>`
    SELECT vendor_id FROM pms_reservations WHERE property_id = ${propertyId}::uuid AND announced_version > 0 AND vendor_id = ANY(${[...vendorIds]}::text[])`;
  return new Set(rows.map((r) => r.vendor_id));
}
