/**
 * Making a property and its records: rooms of two types (some blocked), guests with a language
 * custom field, and reservations — yesterday's arrivals checked in, today's to the day after
 * tomorrow's expected (a few cancelled or not yet confirmed). Everything follows from the seed.
 */
import { DateTime } from 'luxon';
import { generateGuest } from './people';
import { mixSeed, type Random, seededRandom } from './random';
import type { Guest, Property, Reservation, Room, SimStore, Status } from './store';

export interface PropertySpec {
  name: string;
  timezone: string;
  country: string;
  rooms: number;
  arrivalsPerDay: number;
  seed: number;
  currency: string;
}

export const LANGUAGE_FIELD = 'language';
const ROOM_TYPES = [
  { id: '501', name: 'Double Room' },
  { id: '502', name: 'Twin Room' },
];

/** The property's local calendar day `offset` days from today. */
export function localDay(p: Pick<Property, 'timezone'>, offset: number, now = Date.now()): string {
  return DateTime.fromMillis(now, { zone: p.timezone }).plus({ days: offset }).toISODate()!;
}

/** An instant as Cloudbeds writes it: `YYYY-MM-DD HH:MM:SS` in the property's time. */
export function localTime(p: Pick<Property, 'timezone'>, at: number): string {
  return DateTime.fromMillis(at, { zone: p.timezone }).toFormat('yyyy-MM-dd HH:mm:ss');
}

function secret(rng: Random, n: number): string {
  return rng.token(n);
}

export function createProperty(store: SimStore, spec: PropertySpec): Property {
  const rng = seededRandom(mixSeed(spec.seed, store.hotelsCreated++));
  const p: Property = {
    propertyID: store.propertyIdFor(spec.seed),
    name: spec.name,
    timezone: spec.timezone,
    country: spec.country.toUpperCase(),
    currency: spec.currency,
    apiKey: `cbat_${secret(rng, 32)}`,
    refreshToken: `rt_${secret(rng, 40)}`,
    languageField: LANGUAGE_FIELD,
    rng,
    rooms: new Map(),
    guests: new Map(),
    reservations: new Map(),
    soldProducts: new Map(),
    references: new Map(),
    transactions: [],
    notes: [],
    cardCharges: [],
  };
  for (let i = 0; i < spec.rooms; i++) addRoom(store, p, i);
  store.add(p);
  seedStays(store, p, spec.arrivalsPerDay);
  return p;
}

function addRoom(store: SimStore, p: Property, index: number): void {
  const floor = 1 + Math.floor(index / 20);
  const type = ROOM_TYPES[index % ROOM_TYPES.length]!;
  const roll = p.rng.next();
  const room: Room = {
    roomID: `${store.nextId(6)}-0`,
    roomName: `${floor}${String((index % 20) + 1).padStart(2, '0')}`,
    roomTypeID: type.id,
    roomTypeName: type.name,
    roomCondition: roll < 0.5 ? 'clean' : roll < 0.85 ? 'dirty' : 'inspected',
    roomBlocked: p.rng.chance(0.05),
  };
  p.rooms.set(room.roomID, room);
}

function seedStays(store: SimStore, p: Property, perDay: number): void {
  const rooms = [...p.rooms.values()].filter((r) => !r.roomBlocked);
  let n = 0;
  for (const offset of [-1, 0, 1, 2]) {
    for (let i = 0; i < perDay; i++, n++) {
      const g = generateGuest(p.rng, p.country);
      const guest = addGuest(store, p, { ...g, customFields: g.language ? { [LANGUAGE_FIELD]: g.language } : {} });
      const status: Status = offset < 0 ? 'checked_in' : n % 11 === 5 ? 'canceled' : n % 13 === 7 ? 'not_confirmed' : 'confirmed';
      addReservation(store, p, {
        guestID: guest.guestID,
        startDate: localDay(p, offset),
        endDate: localDay(p, offset + p.rng.int(1, 4)),
        adults: p.rng.int(1, 2),
        children: p.rng.chance(0.2) ? 1 : 0,
        roomID: offset <= 0 && rooms.length > 0 ? rooms[n % rooms.length]!.roomID : null,
        status,
      });
    }
  }
}

export interface GuestInput {
  firstName?: string;
  lastName: string;
  email?: string;
  phone?: string;
  cellPhone?: string;
  country?: string;
  customFields?: Record<string, string>;
}

export function addGuest(store: SimStore, p: Property, input: GuestInput): Guest {
  const guest: Guest = {
    guestID: store.nextId(8),
    firstName: input.firstName ?? '',
    lastName: input.lastName,
    email: input.email ?? '',
    phone: input.phone ?? '',
    cellPhone: input.cellPhone ?? '',
    country: input.country ?? '',
    customFields: new Map(Object.entries(input.customFields ?? {})),
    modifiedAt: Date.now(),
  };
  p.guests.set(guest.guestID, guest);
  return guest;
}

export interface ReservationInput {
  guestID: string;
  startDate: string;
  endDate: string;
  adults: number;
  children: number;
  roomID: string | null;
  status: Status;
}

export function addReservation(store: SimStore, p: Property, input: ReservationInput): Reservation {
  if (input.endDate <= input.startDate) throw new RangeError('the check-out date must be after the check-in date');
  const now = Date.now();
  const room = input.roomID === null ? undefined : p.rooms.get(input.roomID);
  const reservation: Reservation = {
    reservationID: store.nextId(13),
    ...input,
    roomTypeID: room?.roomTypeID ?? ROOM_TYPES[0]!.id,
    createdAt: now,
    modifiedAt: now,
  };
  p.reservations.set(reservation.reservationID, reservation);
  return reservation;
}
