/**
 * Making a hotel (a Clock PMS+ account) and what its staff do in it: room types and rooms with
 * their housekeeping status, guest profiles in the subscription, bookings arriving on the hotel's
 * local days with their main guest and default folio, stays moved, rooms assigned, status changes.
 * Everything is drawn from the hotel's seed.
 */
import { DateTime } from 'luxon';
import { generateGuest } from './people';
import { mixSeed, type Random, seededRandom } from './random';
import type { Account, ApiUser, ClockStore } from './store';
import { badRequest, timestamp, type WireBooking, type WireBookingStatus, type WireGuest, type WireHousekeepingStatus, type WireRoom } from './wire';

export interface HotelSpec {
  name: string;
  timezone: string;
  country: string;
  rooms: number;
  arrivalsPerDay: number;
  seed: number;
  /** An API user shared with other hotels of one subscription (and its limit); a new user when absent. */
  apiUser?: string;
  apiKey?: string;
  /** The rights the hotel's new API user gets; every right when absent. */
  rights?: string[];
}

const ROOM_TYPES = ['Double', 'Twin', 'Single', 'Suite'] as const;
const STAFF = 'Front Desk';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The hotel's local calendar day `offset` days from today. */
export function localDay(account: Pick<Account, 'timezone'>, offset: number, now = Date.now()): string {
  return DateTime.fromMillis(now, { zone: account.timezone }).plus({ days: offset }).toISODate()!;
}

function checkDay(day: string, name: string): string {
  if (!DAY.test(day) || !DateTime.fromISO(day).isValid) throw badRequest(`${name} is not a date: ${day}`);
  return day;
}

/** The API user a new hotel is opened to: the shared one named in the spec, or a new one. */
function userFor(store: ClockStore, spec: HotelSpec, rng: Random, accountId: number): ApiUser {
  if (spec.apiUser !== undefined) {
    const existing = store.users.get(spec.apiUser);
    if (existing) {
      if (spec.apiKey !== undefined && spec.apiKey !== existing.key) throw badRequest(`API user ${spec.apiUser} exists with another key`);
      return existing;
    }
  }
  const subscriptionId = store.nextId('subscription');
  store.subscriptions.set(subscriptionId, { id: subscriptionId, guests: new Map() });
  const user: ApiUser = {
    name: spec.apiUser ?? `relay_api_${accountId}`,
    key: spec.apiKey ?? rng.hex(32),
    subscriptionId,
    accounts: new Set(),
    rights: spec.rights === undefined ? null : new Set(spec.rights),
  };
  store.users.set(user.name, user);
  return user;
}

export function createHotel(store: ClockStore, spec: HotelSpec): { account: Account; user: ApiUser } {
  const rng = seededRandom(mixSeed(spec.seed, store.hotelsCreated++));
  // The account id follows the seed: hotels seeded by runs that share one database do not collide.
  let id = 10_000 + (Math.abs(Math.trunc(spec.seed)) % 89_990_000);
  while (store.accounts.has(id)) id++;
  const user = userFor(store, spec, rng, id);
  const now = Date.now();
  const account: Account = {
    id,
    subscriptionId: user.subscriptionId,
    name: spec.name,
    timezone: spec.timezone,
    country: spec.country.toUpperCase(),
    createdAt: timestamp(now),
    rng,
    roomTypes: new Map(),
    rooms: new Map(),
    bookings: new Map(),
    bookingGuests: new Map(),
    folios: new Map(),
    charges: new Map(),
    todos: new Map(),
    nextNumber: rng.int(1000, 8000),
  };
  user.accounts.add(id);
  store.accounts.set(id, account);
  for (const [i, name] of ROOM_TYPES.entries()) {
    const typeId = store.nextId('roomType');
    account.roomTypes.set(typeId, {
      id: typeId,
      name,
      created_at: account.createdAt,
      updated_at: account.createdAt,
      location_id: null,
      operational_until: null,
      upgrade_index: i,
      beds_count: name === 'Single' ? 1 : 2,
      sort_order: i,
      is_virtual: false,
      components_room_type_ids: [],
    });
  }
  for (let i = 0; i < spec.rooms; i++) addRoom(store, account, i);
  seedStays(store, account, spec.arrivalsPerDay);
  return { account, user };
}

function addRoom(store: ClockStore, account: Account, index: number): WireRoom {
  const floor = 1 + Math.floor(index / 20);
  const roll = account.rng.next();
  const status: WireHousekeepingStatus = roll < 0.6 ? '' : roll < 0.75 ? 'dirty' : roll < 0.85 ? 'inspect' : roll < 0.93 ? 'progress' : 'checked out';
  const types = [...account.roomTypes.keys()];
  const room: WireRoom = {
    id: store.nextId('room'),
    name: String(floor * 100 + (index % 20) + 1),
    room_type_id: types[index % types.length]!,
    created_at: account.createdAt,
    updated_at: account.createdAt,
    description: null,
    sort_order: index,
    location_id: null,
    housekeeping_status: status,
    housekeeping_changed_at: account.createdAt,
    housekeeping_sector: null,
    active_from: null,
    active_to: null,
    floor: String(floor),
    is_virtual: false,
    room_status_allocations: [],
    component_room_ids: [],
  };
  account.rooms.set(room.id, room);
  return room;
}

/** Yesterday's arrivals in house, then today's to the day after tomorrow's expected, a few canceled. */
function seedStays(store: ClockStore, account: Account, perDay: number): void {
  const rooms = [...account.rooms.values()];
  let nextRoom = 0;
  for (let offset = -1; offset <= 2; offset++) {
    for (let i = 0; i < perDay; i++) {
      const guest = addGuest(store, account, generateGuest(account.rng, account.country));
      const roll = account.rng.next();
      const status: WireBookingStatus = offset < 0 ? 'checked_in' : roll < 0.08 ? 'canceled' : 'expected';
      const room = (offset <= 0 || account.rng.chance(0.5)) && rooms.length > 0 ? rooms[nextRoom++ % rooms.length]!.id : null;
      addBooking(store, account, {
        arrival: localDay(account, offset),
        departure: localDay(account, offset + account.rng.int(1, 4)),
        guestId: guest.id,
        roomId: room,
        adults: account.rng.int(1, 2),
        children: account.rng.chance(0.2) ? 1 : 0,
        status,
      });
    }
  }
}

export interface GuestInput {
  firstName?: string | null;
  lastName: string | null;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
  country?: string | null;
}

export function addGuest(store: ClockStore, account: Account, input: GuestInput): WireGuest {
  const id = store.nextId('guest');
  const now = store.touch(`guest:${id}`);
  const guest: WireGuest = {
    id,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    e_mail: input.email ?? null,
    accept_marketing_emails: account.rng.chance(0.3),
    person_title_id: null,
    family_id: null,
    accompany: null,
    first_name: input.firstName ?? null,
    middle_name: null,
    last_name: input.lastName,
    country: input.country ?? null,
    state: null,
    city: null,
    address: null,
    zip_code: null,
    phone_number: input.phone ?? null,
    fax_number: null,
    notes: null,
    level: null,
    age: null,
    language: input.language ?? null,
  };
  store.subscriptionOf(account).guests.set(id, guest);
  return guest;
}

export interface BookingInput {
  arrival: string;
  departure: string;
  guestId: number;
  roomId: number | null;
  adults: number;
  children: number;
  status: WireBookingStatus;
}

export function addBooking(store: ClockStore, account: Account, input: BookingInput): WireBooking {
  checkDay(input.arrival, 'arrival');
  checkDay(input.departure, 'departure');
  if (input.departure <= input.arrival) throw badRequest('departure must be after arrival');
  const id = store.nextId('booking');
  const now = store.touch(`booking:${id}`);
  const room = input.roomId === null ? undefined : account.rooms.get(input.roomId);
  const booking: WireBooking = {
    id,
    account_id: account.id,
    number: String(account.nextNumber++),
    arrival: input.arrival,
    departure: input.departure,
    arrival_time: null,
    departure_time: null,
    early_arrival: false,
    late_departure: false,
    transfer_arrival: null,
    transfer_departure: null,
    created_at: now,
    updated_at: now,
    user_created: STAFF,
    user_updated: STAFF,
    status: input.status,
    status_changed_at: now,
    adults: input.adults,
    children: input.children,
    company_id: null,
    block_id: null,
    source_of_business_company_id: null,
    arrival_room_type_id: room?.room_type_id ?? [...account.roomTypes.keys()][0]!,
    arrival_room_id: room?.id ?? null,
    current_room_id: room?.id ?? null,
    rate_id: null,
    reference_number: null,
    reference_date: null,
    is_guaranteed: true,
  };
  account.bookings.set(id, booking);
  account.folios.set(id, store.nextId('folio'));
  account.bookingGuests.set(id, [
    {
      id: store.nextId('bookingGuest'),
      booking_id: id,
      guest_id: input.guestId,
      main_booking_guest: true,
      registration_card_number: null,
      registration_card: true,
      created_at: now,
      updated_at: now,
      verified_at: null,
      verified_by_id: null,
      signature_id: null,
    },
  ]);
  return booking;
}

/** The staff move a stay to other days. */
export function reschedule(booking: WireBooking, arrival: string | undefined, departure: string | undefined): void {
  const from = arrival === undefined ? booking.arrival : checkDay(arrival, 'arrival');
  const to = departure === undefined ? booking.departure : checkDay(departure, 'departure');
  if (to <= from) throw badRequest('departure must be after arrival');
  booking.arrival = from;
  booking.departure = to;
}

/** The staff assign a room (or take it away). */
export function assignRoom(booking: WireBooking, room: WireRoom | null): void {
  booking.current_room_id = room?.id ?? null;
  if (booking.status === 'expected') booking.arrival_room_id = room?.id ?? null;
  if (room) booking.arrival_room_type_id = room.room_type_id;
}

export function changeStatus(store: ClockStore, booking: WireBooking, status: WireBookingStatus): void {
  if (booking.status === status) return;
  booking.status = status;
  booking.status_changed_at = store.touch(`booking-status:${booking.id}`);
}

/** Records a change of the booking by the staff. */
export function touchBooking(store: ClockStore, booking: WireBooking): void {
  booking.updated_at = store.touch(`booking:${booking.id}`);
  booking.user_updated = STAFF;
}
