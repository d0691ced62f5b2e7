import type { GuestPhone } from '../../domain/pms/guest-phone';
import { Prisma, type PmsGuest as GuestRow, type PmsReservation as ReservationRow, type PmsRoom as RoomRow, type PrismaClient } from '../../generated/prisma/client';
import type { PmsGuest, PmsReservation, PmsRoom, ReservationQuery } from '../../integrations/pms/model';

/**
 * The read-through cache of a property's guests, reservations and rooms in the common model.
 * Writes are set-based (one statement per batch, whatever its size); `synced_at` says when the
 * PMS last showed each row, which the read path compares with the data type's TTL.
 */

type Db = Pick<PrismaClient, '$executeRaw' | '$queryRaw'>;

/** A guest as the PMS showed it, with its phone read with the hotel's country. */
export interface GuestToCache {
  guest: PmsGuest;
  phone: GuestPhone;
}

/** The last of each vendor id: one statement cannot upsert a row twice. */
const lastOfEach = <T>(items: readonly T[], key: (item: T) => string): T[] => [...new Map(items.map((i) => [key(i), i])).values()];

export async function upsertGuests(db: Db, propertyId: string, guests: readonly GuestToCache[], syncedAt: Date): Promise<void> {
  if (guests.length === 0) return;
  const rows = lastOfEach(guests, (g) => g.guest.vendorId).map(({ guest, phone }) => ({
    vendor_id: guest.vendorId,
    first_name: guest.firstName,
    last_name: guest.lastName,
    email: guest.email,
    phone_raw: phone.raw,
    phone_e164: phone.e164,
    phone_problem: phone.problem,
    language: guest.language,
    nationality: guest.nationality,
    preferences: guest.preferences,
    messaging_consent: guest.messagingConsent,
    vendor_version: guest.version,
  }));
  await db.$executeRaw`
    INSERT INTO pms_guests AS g (id, property_id, vendor_id, first_name, last_name, email, phone_raw, phone_e164, phone_invalid, phone_problem,
                                 language, nationality, preferences, messaging_consent, vendor_version, synced_at, updated_at)
    SELECT gen_random_uuid(), ${propertyId}::uuid, x.vendor_id, x.first_name, x.last_name, x.email, x.phone_raw, x.phone_e164, x.phone_problem IS NOT NULL,
           x.phone_problem, x.language, x.nationality, ARRAY(SELECT jsonb_array_elements_text(COALESCE(x.preferences, '[]'::jsonb))), x.messaging_consent,
           x.vendor_version, ${syncedAt}, ${syncedAt}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(vendor_id text, first_name text, last_name text, email text, phone_raw text, phone_e164 text,
         phone_problem text, language text, nationality text, preferences jsonb, messaging_consent boolean, vendor_version text)
    ON CONFLICT (property_id, vendor_id) DO UPDATE SET
      first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, email = EXCLUDED.email, phone_raw = EXCLUDED.phone_raw,
      phone_e164 = EXCLUDED.phone_e164, phone_invalid = EXCLUDED.phone_invalid, phone_problem = EXCLUDED.phone_problem,
      language = EXCLUDED.language, nationality = EXCLUDED.nationality, preferences = EXCLUDED.preferences,
      messaging_consent = EXCLUDED.messaging_consent, vendor_version = EXCLUDED.vendor_version,
      synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at`;
}

/** A reservation's cache columns as JSON rows for `jsonb_to_recordset` (the announced state is the arrivals diff's). */
export const reservationRecord = (r: PmsReservation) => ({
  vendor_id: r.vendorId,
  confirmation_number: r.confirmationNumber,
  status: r.status,
  arrival_date: r.arrivalDate,
  departure_date: r.departureDate,
  guest_vendor_id: r.guestVendorId,
  room_vendor_id: r.roomVendorId,
  room_number: r.roomNumber,
  adults: r.adults,
  children: r.children,
  vendor_updated_at: r.updatedAt,
});

export const RESERVATION_RECORD_COLUMNS = Prisma.sql`vendor_id text, confirmation_number text, status text, arrival_date date, departure_date date,
  guest_vendor_id text, room_vendor_id text, room_number text, adults int, children int, vendor_updated_at timestamptz`;

/** Caches reservations read one by one or found by a search; their announced arrival state is left alone. */
export async function upsertReservations(db: Db, propertyId: string, reservations: readonly PmsReservation[], syncedAt: Date): Promise<void> {
  if (reservations.length === 0) return;
  const rows = lastOfEach(reservations, (r) => r.vendorId).map(reservationRecord);
  await db.$executeRaw`
    INSERT INTO pms_reservations AS r (id, property_id, vendor_id, confirmation_number, status, arrival_date, departure_date, guest_vendor_id,
                                       room_vendor_id, room_number, adults, children, vendor_updated_at, synced_at, updated_at)
    SELECT gen_random_uuid(), ${propertyId}::uuid, x.vendor_id, x.confirmation_number, x.status, x.arrival_date, x.departure_date, x.guest_vendor_id,
           x.room_vendor_id, x.room_number, x.adults, x.children, x.vendor_updated_at, ${syncedAt}, ${syncedAt}
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(${RESERVATION_RECORD_COLUMNS})
    ON CONFLICT (property_id, vendor_id) DO UPDATE SET
      confirmation_number = EXCLUDED.confirmation_number, status = EXCLUDED.status, arrival_date = EXCLUDED.arrival_date,
      departure_date = EXCLUDED.departure_date, guest_vendor_id = EXCLUDED.guest_vendor_id, room_vendor_id = EXCLUDED.room_vendor_id,
      room_number = EXCLUDED.room_number, adults = EXCLUDED.adults, children = EXCLUDED.children,
      vendor_updated_at = EXCLUDED.vendor_updated_at, synced_at = EXCLUDED.synced_at, updated_at = EXCLUDED.updated_at`;
}

/** The room list as the PMS shows it now: rooms it no longer lists are dropped. */
export async function replaceRooms(prisma: PrismaClient, propertyId: string, rooms: readonly PmsRoom[], syncedAt: Date): Promise<void> {
  const rows = lastOfEach(rooms, (r) => r.vendorId).map((r) => ({
    vendor_id: r.vendorId,
    number: r.number,
    status: r.status,
    occupied: r.occupied,
    room_type: r.roomType,
    floor: r.floor,
  }));
  await prisma.$transaction([
    prisma.$executeRaw`
      INSERT INTO pms_rooms AS r (id, property_id, vendor_id, number, status, occupied, room_type, floor, synced_at)
      SELECT gen_random_uuid(), ${propertyId}::uuid, x.vendor_id, x.number, x.status, x.occupied, x.room_type, x.floor, ${syncedAt}
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(vendor_id text, number text, status text, occupied boolean, room_type text, floor text)
      ON CONFLICT (property_id, vendor_id) DO UPDATE SET
        number = EXCLUDED.number, status = EXCLUDED.status, occupied = EXCLUDED.occupied, room_type = EXCLUDED.room_type,
        floor = EXCLUDED.floor, synced_at = EXCLUDED.synced_at`,
    prisma.pmsRoom.deleteMany({ where: { propertyId, vendorId: { notIn: rows.map((r) => r.vendor_id) } } }),
    prisma.pmsProperty.update({ where: { id: propertyId }, data: { roomsSyncedAt: syncedAt } }),
  ]);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cached row by Relay's id or by the vendor's: callers may know either. */
const byRef = (propertyId: string, ref: string) => ({ propertyId, OR: [{ vendorId: ref }, ...(UUID.test(ref) ? [{ id: ref.toLowerCase() }] : [])] });

export async function findCachedGuest(prisma: PrismaClient, propertyId: string, ref: string): Promise<GuestRow | null> {
  const rows = await prisma.pmsGuest.findMany({ where: byRef(propertyId, ref), take: 2 });
  return rows.find((r) => r.vendorId === ref) ?? rows[0] ?? null;
}

export async function findCachedReservation(prisma: PrismaClient, propertyId: string, ref: string): Promise<ReservationRow | null> {
  const rows = await prisma.pmsReservation.findMany({ where: byRef(propertyId, ref), take: 2 });
  return rows.find((r) => r.vendorId === ref) ?? rows[0] ?? null;
}

const day = (value: string) => new Date(`${value}T00:00:00.000Z`);

/** The cached reservations a search matches (what a caller gets while the PMS is unreachable). */
export async function searchCachedReservations(prisma: PrismaClient, propertyId: string, query: ReservationQuery, limit = 200): Promise<ReservationRow[]> {
  const guestIds = query.lastName
    ? (await prisma.pmsGuest.findMany({ where: { propertyId, lastName: { equals: query.lastName, mode: 'insensitive' } }, select: { vendorId: true } })).map((g) => g.vendorId)
    : undefined;
  return prisma.pmsReservation.findMany({
    where: {
      propertyId,
      ...(query.confirmationNumber && { confirmationNumber: query.confirmationNumber }),
      ...(guestIds && { guestVendorId: { in: guestIds } }),
      ...((query.arrivalFrom || query.arrivalTo) && { arrivalDate: { ...(query.arrivalFrom && { gte: day(query.arrivalFrom) }), ...(query.arrivalTo && { lte: day(query.arrivalTo) }) } }),
    },
    orderBy: [{ arrivalDate: 'asc' }, { confirmationNumber: 'asc' }],
    take: limit,
  });
}

export async function listCachedRooms(prisma: PrismaClient, propertyId: string): Promise<RoomRow[]> {
  return prisma.pmsRoom.findMany({ where: { propertyId }, orderBy: [{ number: 'asc' }] });
}

/** `YYYY-MM-DD` of a DATE column. */
export const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/** A cached reservation back in the common model. */
export function reservationModel(row: ReservationRow): PmsReservation {
  return {
    vendorId: row.vendorId,
    confirmationNumber: row.confirmationNumber,
    status: row.status as PmsReservation['status'],
    arrivalDate: dayOf(row.arrivalDate),
    departureDate: dayOf(row.departureDate),
    guestVendorId: row.guestVendorId,
    roomVendorId: row.roomVendorId,
    roomNumber: row.roomNumber,
    adults: row.adults,
    children: row.children,
    updatedAt: row.vendorUpdatedAt?.toISOString() ?? null,
  };
}
