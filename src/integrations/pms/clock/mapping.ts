/**
 * Clock PMS+ records (as the pms_api returns them) and their mapping to Relay's common model.
 * Only the fields Relay reads are checked; Clock adds fields (and each account its custom ones)
 * and they pass unseen. Field names: Clock's field dictionary (developers.clock-software.com)
 * for bookings, guests, booking_guests and charges; the Postman collection for rooms, room types
 * and to-dos.
 */
import { z } from 'zod';
import type { PmsGuest, PmsReservation, PmsRoom, ReservationStatus, RoomStatus } from '../model';

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(Number);
const optionalId = id.nullish();
const optionalText = z.string().nullish();
const count = z.number().int().nonnegative().nullish();

export const clockBooking = z.object({
  id,
  number: z.union([z.string(), z.number()]).transform(String),
  arrival: z.string(),
  departure: z.string(),
  status: z.string(),
  adults: count,
  children: count,
  arrival_room_id: optionalId,
  current_room_id: optionalId,
  updated_at: optionalText,
});
export type ClockBooking = z.infer<typeof clockBooking>;

export const clockGuest = z.object({
  id,
  first_name: optionalText,
  last_name: optionalText,
  e_mail: optionalText,
  phone_number: optionalText,
  language: optionalText,
  country: optionalText,
  updated_at: z.string().min(1),
  deleted_at: optionalText,
});
export type ClockGuest = z.infer<typeof clockGuest>;

export const clockBookingGuest = z.object({
  guest_id: id,
  main_booking_guest: z.boolean().nullish(),
  guest: clockGuest.nullish(),
});
export type ClockBookingGuest = z.infer<typeof clockBookingGuest>;

export const clockRoom = z.object({
  id,
  name: z.union([z.string(), z.number()]).transform(String),
  room_type_id: optionalId,
  housekeeping_status: optionalText,
  floor: z.union([z.string(), z.number()]).nullish(),
  is_virtual: z.boolean().nullish(),
  active_from: optionalText,
  active_to: optionalText,
});
export type ClockRoom = z.infer<typeof clockRoom>;

export const clockRoomType = z.object({ id, name: z.string() });

export const clockCharge = z.object({
  id,
  text: optionalText,
  price_cents: z.number().int(),
  qty: z.number().nullish(),
  currency: z.string(),
  created_at: optionalText,
});
export type ClockCharge = z.infer<typeof clockCharge>;

export const clockToDo = z.object({ id, text: optionalText });

export class ClockMappingError extends Error {
  override readonly name = 'ClockMappingError';
}

/** Parses what Clock returned, so that a changed answer fails loudly instead of mapping to nonsense. */
export function parseOne<T>(schema: z.ZodType<T>, item: unknown, what: string): T {
  const parsed = schema.safeParse(item);
  if (!parsed.success) throw new ClockMappingError(`${what}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function parseList<T>(schema: z.ZodType<T>, items: unknown, what: string): T[] {
  if (!Array.isArray(items)) throw new ClockMappingError(`${what}: expected a list`);
  return items.map((item, i) => parseOne(schema, item, `${what} #${i + 1}`));
}

// --- bookings ------------------------------------------------------------------------------------

const STATUSES: Record<string, ReservationStatus> = {
  expected: 'confirmed',
  checked_in: 'checked_in',
  checked_out: 'checked_out',
  canceled: 'cancelled',
  no_show: 'no_show',
};

export function reservationStatus(status: string): ReservationStatus {
  const mapped = STATUSES[status];
  if (mapped === undefined) throw new ClockMappingError(`unknown booking status ${status}`);
  return mapped;
}

/** The main guest of a booking: the one Clock marks main, else the first. */
export function mainGuest(guests: ClockBookingGuest[]): ClockBookingGuest | undefined {
  return guests.find((g) => g.main_booking_guest === true) ?? guests[0];
}

export function toReservation(b: ClockBooking, guests: ClockBookingGuest[], roomNames: ReadonlyMap<number, string>): PmsReservation {
  const roomId = b.current_room_id ?? b.arrival_room_id ?? null;
  return {
    vendorId: String(b.id),
    confirmationNumber: b.number,
    status: reservationStatus(b.status),
    arrivalDate: b.arrival,
    departureDate: b.departure,
    guestVendorId: mainGuest(guests) ? String(mainGuest(guests)!.guest_id) : null,
    roomVendorId: roomId === null ? null : String(roomId),
    roomNumber: roomId === null ? null : (roomNames.get(roomId) ?? null),
    adults: b.adults ?? 0,
    children: b.children ?? 0,
    updatedAt: b.updated_at ?? null,
  };
}

// --- guests --------------------------------------------------------------------------------------

const blank = (v: string | null | undefined) => (v === null || v === undefined || v.trim() === '' ? null : v.trim());

/** A language as the hotel recorded it ("en", "EN", "en-GB", "English"?) as ISO 639-1 where it is one. */
export function languageCode(language: string | null | undefined): string | null {
  const match = /^([A-Za-z]{2})(?:[-_][A-Za-z]{2})?$/.exec(language?.trim() ?? '');
  return match ? match[1]!.toLowerCase() : null;
}

export function toGuest(g: ClockGuest): PmsGuest {
  const country = blank(g.country);
  return {
    vendorId: String(g.id),
    firstName: blank(g.first_name),
    lastName: blank(g.last_name) ?? '',
    email: blank(g.e_mail),
    phone: blank(g.phone_number),
    language: languageCode(g.language),
    // The guest's country (of address): the nearest Clock has to a nationality.
    nationality: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : null,
    // Clock's guest profile has no preference list.
    preferences: [],
    // accept_marketing_emails is consent to marketing, not to service messages.
    messagingConsent: null,
    version: g.updated_at,
  };
}

// --- rooms ---------------------------------------------------------------------------------------

/** Clock's legacy housekeeping statuses: "" is clean and ready; the others are not ready for a guest. */
export function roomStatus(status: string | null | undefined): RoomStatus {
  switch ((status ?? '').trim().toLowerCase()) {
    case '':
    case 'clean':
      return 'clean';
    case 'inspect':
    case 'progress':
    case 'dirty':
    case 'checked out':
      return 'dirty';
    default:
      throw new ClockMappingError(`unknown housekeeping status ${status}`);
  }
}

/** A physical room in use on `today` (virtual rooms combine others and are left out). */
export function isRoomInUse(r: ClockRoom, today: string): boolean {
  if (r.is_virtual) return false;
  if (r.active_from && r.active_from.slice(0, 10) > today) return false;
  return !(r.active_to && r.active_to.slice(0, 10) < today);
}

export function toRoom(r: ClockRoom, typeNames: ReadonlyMap<number, string>): PmsRoom {
  return {
    vendorId: String(r.id),
    number: r.name,
    status: roomStatus(r.housekeeping_status),
    // Clock's room list says nothing about occupancy.
    occupied: null,
    roomType: r.room_type_id === null || r.room_type_id === undefined ? null : (typeNames.get(r.room_type_id) ?? null),
    floor: r.floor === null || r.floor === undefined || String(r.floor).trim() === '' ? null : String(r.floor),
  };
}

// --- money ---------------------------------------------------------------------------------------

/** Cents as a decimal text ("1250" → "12.50"), without float arithmetic. */
export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A charge's amount as posted: its price times its quantity (before any tax Clock adds). */
export function chargeAmountCents(c: ClockCharge): number {
  return Math.round(c.price_cents * (c.qty ?? 1));
}
