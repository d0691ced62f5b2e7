/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Clock PMS+: a
 * hotel is an account with its own API user (or one shared by a subscription's hotels),
 * reservations and guest edits are made as the hotel's staff make them, charges are those made
 * through `charges_by_source`, notes are the bookings' to-dos.
 */
import { IANAZone } from 'luxon';
import type { SimCharge, SimFaults, SimHotel, SimNote, SimReservationChange, SimReservationCreated } from '../../simulator-control';
import { startChurn } from './churn';
import { validateFaults } from './faults';
import { addBooking, addGuest, assignRoom, changeStatus, createHotel, type HotelSpec, reschedule, touchBooking } from './hotel';
import type { Firewall, RequestLimits } from './limits';
import type { Account, ClockStore } from './store';
import { ClockError, type WireBookingStatus, type WireRoom } from './wire';

export interface ControlState {
  store: ClockStore;
  limits: RequestLimits;
  firewall: Firewall;
  faults: SimFaults;
}

export interface ControlAnswer {
  status: number;
  body?: unknown;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const fail = (status: number, message: string) => new ControlError(status, message);

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fail(400, 'expected a JSON object');
  return body as Record<string, unknown>;
}

function int(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw fail(400, `${name} must be an integer in ${min}..${max}`);
  return value as number;
}

function text(value: unknown, name: string, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value.trim() === '')) throw fail(400, `${name} must be a string`);
  return value;
}

function hotelSpec(body: unknown): HotelSpec & { churn?: { everyMs: number } } {
  const b = object(body);
  const timezone = text(b.timezone, 'timezone', true)!;
  if (!IANAZone.isValidZone(timezone)) throw fail(400, `timezone is not an IANA zone: ${timezone}`);
  const country = text(b.country, 'country', true)!;
  if (!/^[A-Za-z]{2}$/.test(country)) throw fail(400, 'country must be ISO 3166-1 alpha-2');
  const rights = b.rights === undefined ? undefined : b.rights;
  if (rights !== undefined && (!Array.isArray(rights) || rights.some((r) => typeof r !== 'string'))) throw fail(400, 'rights must be an array of strings');
  return {
    name: text(b.name, 'name', true)!,
    timezone,
    country,
    rooms: int(b.rooms, 'rooms', 0, 2000),
    arrivalsPerDay: int(b.arrivalsPerDay, 'arrivalsPerDay', 0, 500),
    seed: int(b.seed, 'seed', 0, 2 ** 32 - 1),
    ...(b.churn === undefined ? {} : { churn: { everyMs: int(object(b.churn).everyMs, 'churn.everyMs', 0, 86_400_000) } }),
    // Clock extensions: hotels of one subscription sharing an API user (and its limit); a user's rights.
    ...(b.apiUser === undefined ? {} : { apiUser: text(b.apiUser, 'apiUser', true) }),
    ...(b.apiKey === undefined ? {} : { apiKey: text(b.apiKey, 'apiKey', true) }),
    ...(rights === undefined ? {} : { rights: rights as string[] }),
  };
}

function hotel(state: ControlState, id: string): Account {
  const account = /^\d+$/.test(id) ? state.store.accounts.get(Number(id)) : undefined;
  if (!account) throw fail(404, `no hotel ${id}`);
  return account;
}

function roomByNumber(account: Account, number: string): WireRoom {
  const room = [...account.rooms.values()].find((r) => r.name === number);
  if (!room) throw fail(400, `hotel has no room ${number}`);
  return room;
}

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = hotelSpec(body);
  const { account, user } = createHotel(state.store, spec);
  if (spec.churn && spec.churn.everyMs > 0) account.churn = startChurn(state.store, account, spec.churn.everyMs, spec.seed);
  const answer: SimHotel = {
    vendorPropertyId: String(account.id),
    credentials: { apiUser: user.name, apiKey: user.key, subscriptionId: String(account.subscriptionId), region: 'eu1' },
    timezone: account.timezone,
  };
  return { status: 201, body: answer };
}

function addReservation(state: ControlState, account: Account, body: unknown): ControlAnswer {
  const b = object(body);
  const g = object(b.guest);
  const arrival = text(b.arrivalDate, 'arrivalDate', true)!;
  const departure = text(b.departureDate, 'departureDate', true)!;
  const guest = addGuest(state.store, account, {
    firstName: text(g.firstName, 'guest.firstName'),
    lastName: text(g.lastName, 'guest.lastName', true)!,
    email: text(g.email, 'guest.email') ?? null,
    phone: text(g.phone, 'guest.phone') ?? null,
    language: text(g.language, 'guest.language') ?? null,
    // Clock has no messaging-consent field (accept_marketing_emails is marketing): `messagingConsent` is ignored.
  });
  const roomNumber = text(b.roomNumber, 'roomNumber');
  const booking = addBooking(state.store, account, {
    arrival,
    departure,
    guestId: guest.id,
    roomId: roomNumber === undefined ? null : roomByNumber(account, roomNumber).id,
    adults: b.adults === undefined ? 1 : int(b.adults, 'adults', 0, 50),
    children: 0,
    status: 'expected',
  });
  const answer: SimReservationCreated = { reservationVendorId: String(booking.id), guestVendorId: String(guest.id), confirmationNumber: booking.number };
  return { status: 201, body: answer };
}

const STATUS: Record<NonNullable<SimReservationChange['status']>, WireBookingStatus> = { confirmed: 'expected', cancelled: 'canceled', checked_in: 'checked_in' };

function changeReservation(state: ControlState, account: Account, id: string, body: unknown): ControlAnswer {
  const booking = /^\d+$/.test(id) ? account.bookings.get(Number(id)) : undefined;
  if (!booking) throw fail(404, `no reservation ${id}`);
  const b = object(body) as SimReservationChange & Record<string, unknown>;
  reschedule(booking, text(b.arrivalDate, 'arrivalDate'), text(b.departureDate, 'departureDate'));
  if (b.roomNumber !== undefined) assignRoom(booking, b.roomNumber === null ? null : roomByNumber(account, text(b.roomNumber, 'roomNumber')!));
  if (b.adults !== undefined) booking.adults = int(b.adults, 'adults', 0, 50);
  if (b.status !== undefined) {
    const next = STATUS[b.status];
    if (!next) throw fail(400, 'status must be confirmed, cancelled or checked_in');
    changeStatus(state.store, booking, next);
  }
  touchBooking(state.store, booking);
  return { status: 204 };
}

function changeGuest(state: ControlState, account: Account, id: string, body: unknown): ControlAnswer {
  const guest = /^\d+$/.test(id) ? state.store.subscriptionOf(account).guests.get(Number(id)) : undefined;
  if (!guest) throw fail(404, `no guest ${id}`);
  const b = object(body);
  // Staff can empty a field: an empty string clears it.
  const value = (v: unknown, name: string) => {
    const t = text(v, name);
    return t === undefined ? undefined : t === '' ? null : t;
  };
  const fields = { first_name: value(b.firstName, 'firstName'), last_name: value(b.lastName, 'lastName'), e_mail: value(b.email, 'email'), phone_number: value(b.phone, 'phone'), language: value(b.language, 'language') };
  for (const [field, v] of Object.entries(fields)) if (v !== undefined) (guest as unknown as Record<string, unknown>)[field] = v;
  guest.updated_at = state.store.touch(`guest:${guest.id}`);
  return { status: 204 };
}

function charges(account: Account): ControlAnswer {
  const list: SimCharge[] = [...account.charges.values()].map((c) => ({
    vendorId: String(c.id),
    reservationVendorId: String(c.source_id),
    // Clock keeps no caller reference on a charge: what the caller wants found is in its text.
    reference: null,
    amount: (c.gross_value_cents / 100).toFixed(2),
    currency: c.currency,
    description: c.text,
  }));
  return { status: 200, body: { charges: list } };
}

function notes(account: Account): ControlAnswer {
  const list: SimNote[] = [...account.todos.entries()].map(([id, t]) => ({ vendorId: String(id), reservationVendorId: String(t.bookingId), text: t.todo.text }));
  return { status: 200, body: { notes: list } };
}

function reset(state: ControlState): ControlAnswer {
  state.store.reset();
  state.limits.reset();
  state.firewall.reset();
  for (const key of Object.keys(state.faults)) delete (state.faults as Record<string, unknown>)[key];
  return { status: 204 };
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  try {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, hotelId, kind, id] = parts;
    if (method === 'POST' && parts.length === 1 && first === 'hotels') return addHotel(state, body);
    if (method === 'POST' && parts.length === 1 && first === 'reset') return reset(state);
    if (method === 'GET' && parts.length === 1 && first === 'stats') return { status: 200, body: state.limits.snapshot() };
    if (method === 'PUT' && parts.length === 1 && first === 'faults') {
      const next = validateFaults(body);
      for (const key of Object.keys(state.faults)) delete (state.faults as Record<string, unknown>)[key];
      Object.assign(state.faults, next);
      return { status: 204 };
    }
    if (first === 'hotels' && hotelId !== undefined) {
      const account = hotel(state, hotelId);
      if (method === 'POST' && parts.length === 3 && kind === 'reservations') return addReservation(state, account, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'reservations') return changeReservation(state, account, id!, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'guests') return changeGuest(state, account, id!, body);
      if (method === 'GET' && parts.length === 3 && kind === 'charges') return charges(account);
      if (method === 'GET' && parts.length === 3 && kind === 'notes') return notes(account);
    }
    return { status: 404, body: { error: `no control route ${method} /__sim${path}` } };
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof ClockError || error instanceof RangeError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
