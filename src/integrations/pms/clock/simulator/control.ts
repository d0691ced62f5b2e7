/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Clock PMS+: a
 * hotel is an account with its own API user (or one shared by a subscription's hotels),
 * reservations and guest edits are made as the hotel's staff make them, charges are those made
 * through `charges_by_source`, notes are the bookings' to-dos.
 */
import type { SimCharge, SimFaults, SimHotel, SimNote, SimReservationChange, SimReservationCreated } from '../../simulator-control';
import {
  badRequest,
  churnEveryMs,
  cleared,
  type ControlAnswer,
  object,
  parseGuestChange,
  parseHotelSpec,
  parseReservationChange,
  parseReservationSpec,
  requiredText,
  routeControl,
} from '../../simulator-kit/control';
import { found, partsHandlers, roomByNumber, sharedFaults } from '../../simulator-kit/control-records';
import { startChurn } from './churn';
import { addBooking, addGuest, assignRoom, changeStatus, createHotel, type HotelSpec, reschedule, touchBooking } from './hotel';
import type { Firewall, RequestLimits } from './limits';
import type { Account, ClockStore } from './store';
import { ClockError, type WireBookingStatus, type WireRoom } from './wire';

export type { ControlAnswer };

export interface ControlState {
  store: ClockStore;
  limits: RequestLimits;
  firewall: Firewall;
  faults: SimFaults;
}

/** The protocol's hotel, smaller than other vendors' (Clock's properties), with Clock's extensions. */
function hotelSpec(body: unknown): HotelSpec & { churn?: { everyMs: number } } {
  const spec = parseHotelSpec(body, { rooms: 2000, arrivalsPerDay: 500 });
  const b = object(body);
  const rights = b.rights;
  if (rights !== undefined && (!Array.isArray(rights) || rights.some((r) => typeof r !== 'string'))) throw badRequest('rights must be an array of strings');
  return {
    ...spec,
    // Clock extensions: hotels of one subscription sharing an API user (and its limit); a user's rights.
    ...(b.apiUser === undefined ? {} : { apiUser: requiredText(b.apiUser, 'apiUser') }),
    ...(b.apiKey === undefined ? {} : { apiKey: requiredText(b.apiKey, 'apiKey') }),
    ...(rights === undefined ? {} : { rights: rights as string[] }),
  };
}

/** Clock's ids are numbers: a path naming anything else names nothing. */
const numbered = <T>(records: Map<number, T>, id: string): T | undefined => (/^\d+$/.test(id) ? records.get(Number(id)) : undefined);

/** A room by the number staff know it by, its name. */
const roomOf = (account: Account, number: string): WireRoom => roomByNumber(account.rooms.values(), number, (r) => r.name);

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = hotelSpec(body);
  const { account, user } = createHotel(state.store, spec);
  if (churnEveryMs(spec) > 0) account.churn = startChurn(state.store, account, churnEveryMs(spec), spec.seed);
  const answer: SimHotel = {
    vendorPropertyId: String(account.id),
    credentials: { apiUser: user.name, apiKey: user.key, subscriptionId: String(account.subscriptionId), region: 'eu1' },
    timezone: account.timezone,
  };
  return { status: 201, body: answer };
}

function addReservation(state: ControlState, account: Account, body: unknown): ControlAnswer {
  const spec = parseReservationSpec(body);
  const room = spec.roomNumber === undefined ? null : roomOf(account, spec.roomNumber);
  const guest = addGuest(state.store, account, {
    firstName: spec.guest.firstName,
    lastName: spec.guest.lastName,
    email: spec.guest.email ?? null,
    phone: spec.guest.phone ?? null,
    language: spec.guest.language ?? null,
    // Clock has no messaging-consent field (accept_marketing_emails is marketing): `messagingConsent` is ignored.
  });
  const booking = addBooking(state.store, account, {
    arrival: spec.arrivalDate,
    departure: spec.departureDate,
    guestId: guest.id,
    roomId: room === null ? null : room.id,
    adults: spec.adults ?? 1,
    children: 0,
    status: 'expected',
  });
  const answer: SimReservationCreated = { reservationVendorId: String(booking.id), guestVendorId: String(guest.id), confirmationNumber: booking.number };
  return { status: 201, body: answer };
}

const STATUS: Record<NonNullable<SimReservationChange['status']>, WireBookingStatus> = { confirmed: 'expected', cancelled: 'canceled', checked_in: 'checked_in' };

function changeReservation(state: ControlState, account: Account, id: string, body: unknown): void {
  const booking = found(numbered(account.bookings, id), `no reservation ${id}`);
  const change = parseReservationChange(body);
  const room = change.roomNumber === undefined || change.roomNumber === null ? change.roomNumber : roomOf(account, change.roomNumber);
  reschedule(booking, change.arrivalDate, change.departureDate);
  if (room !== undefined) assignRoom(booking, room);
  if (change.adults !== undefined) booking.adults = change.adults;
  if (change.status !== undefined) changeStatus(state.store, booking, STATUS[change.status]);
  touchBooking(state.store, booking);
}

function changeGuest(state: ControlState, account: Account, id: string, body: unknown): void {
  const guest = found(numbered(state.store.subscriptionOf(account).guests, id), `no guest ${id}`);
  const change = parseGuestChange(body);
  // Staff can empty a field: an empty string clears it.
  const fields = { first_name: cleared(change.firstName), last_name: cleared(change.lastName), e_mail: cleared(change.email), phone_number: cleared(change.phone), language: cleared(change.language) };
  for (const [field, v] of Object.entries(fields)) if (v !== undefined) (guest as unknown as Record<string, unknown>)[field] = v;
  guest.updated_at = state.store.touch(`guest:${guest.id}`);
}

function charges(account: Account): SimCharge[] {
  return [...account.charges.values()].map((c) => ({
    vendorId: String(c.id),
    reservationVendorId: String(c.source_id),
    // Clock keeps no caller reference on a charge: what the caller wants found is in its text.
    reference: null,
    amount: (c.gross_value_cents / 100).toFixed(2),
    currency: c.currency,
    description: c.text,
  }));
}

function notes(account: Account): SimNote[] {
  return [...account.todos.entries()].map(([id, t]) => ({ vendorId: String(id), reservationVendorId: String(t.bookingId), text: t.todo.text }));
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  return routeControl(
    {
      addHotel: (b) => addHotel(state, b),
      ...partsHandlers({ forget: [state.store, state.limits, state.firewall], limits: state.limits, faults: sharedFaults(state.faults) }),
      hotel: (id) => found(numbered(state.store.accounts, id), `no hotel ${id}`),
      addReservation: (account, b) => addReservation(state, account, b),
      changeReservation: (account, id, b) => changeReservation(state, account, id, b),
      changeGuest: (account, id, b) => changeGuest(state, account, id, b),
      charges,
      notes,
      isCallerError: (error) => error instanceof ClockError,
    },
    method,
    path,
    body,
  );
}
