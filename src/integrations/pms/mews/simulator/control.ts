/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Mews: a hotel
 * is an enterprise with its own AccessToken; reservations and guest edits are made as the
 * hotel's staff would make them in Mews; charges are the order items Relay posted.
 */
import { IANAZone } from 'luxon';
import type {
  SimCharge,
  SimFaults,
  SimGuestChange,
  SimHotel,
  SimHotelSpec,
  SimNote,
  SimReservationChange,
  SimReservationCreated,
  SimReservationSpec,
} from '../../simulator-control';
import { startChurn } from './churn';
import { validateFaults } from './faults';
import { addCustomer, addReservation, applyState, createHotel, reschedule } from './hotel';
import type { RequestLimits } from './limits';
import { languageCode } from './people';
import type { Enterprise, SimStore } from './store';
import { MewsError, type WireReservation } from './wire';

export interface ControlState {
  store: SimStore;
  limits: RequestLimits;
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

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw fail(400, `${name} must be YYYY-MM-DD`);
  return value;
}

function hotelSpec(body: unknown): SimHotelSpec & { accessToken?: string } {
  const b = object(body);
  const timezone = text(b.timezone, 'timezone', true)!;
  if (!IANAZone.isValidZone(timezone)) throw fail(400, `timezone is not an IANA zone: ${timezone}`);
  const country = text(b.country, 'country', true)!;
  if (!/^[A-Za-z]{2}$/.test(country)) throw fail(400, 'country must be ISO 3166-1 alpha-2');
  const churn = b.churn === undefined ? undefined : { everyMs: int(object(b.churn).everyMs, 'churn.everyMs', 0, 86_400_000) };
  return {
    name: text(b.name, 'name', true)!,
    timezone,
    country,
    rooms: int(b.rooms, 'rooms', 0, 5000),
    arrivalsPerDay: int(b.arrivalsPerDay, 'arrivalsPerDay', 0, 1000),
    seed: int(b.seed, 'seed', 0, 2 ** 32 - 1),
    ...(churn ? { churn } : {}),
    // Simulator extension: hotels of one group sharing a portfolio AccessToken (and its limit).
    ...(b.accessToken === undefined ? {} : { accessToken: text(b.accessToken, 'accessToken', true) }),
  };
}

function hotel(state: ControlState, id: string): Enterprise {
  const e = state.store.enterprises.get(id);
  if (!e) throw fail(404, `no hotel ${id}`);
  return e;
}

function roomByNumber(e: Enterprise, number: string): string {
  const room = [...e.resources.values()].find((r) => r.Name === number);
  if (!room) throw fail(400, `hotel has no room ${number}`);
  return room.Id;
}

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = hotelSpec(body);
  const e = createHotel(state.store, spec);
  if (spec.churn && spec.churn.everyMs > 0) e.churn = startChurn(state.store, e, spec.churn.everyMs, spec.seed);
  const answer: SimHotel = { vendorPropertyId: e.id, credentials: { accessToken: e.accessToken }, timezone: e.timezone };
  return { status: 201, body: answer };
}

function addReservationFor(state: ControlState, e: Enterprise, body: unknown): ControlAnswer {
  const b = object(body) as Partial<SimReservationSpec> & Record<string, unknown>;
  const arrivalDate = day(b.arrivalDate, 'arrivalDate');
  const departureDate = day(b.departureDate, 'departureDate');
  if (!arrivalDate || !departureDate) throw fail(400, 'arrivalDate and departureDate are required');
  const g = object(b.guest);
  const customer = addCustomer(state.store, e, {
    firstName: text(g.firstName, 'guest.firstName') ?? null,
    lastName: text(g.lastName, 'guest.lastName', true)!,
    email: text(g.email, 'guest.email') ?? null,
    phone: text(g.phone, 'guest.phone') ?? null,
    languageCode: text(g.language, 'guest.language') ?? null,
    // Mews has no messaging-consent field: `messagingConsent` is ignored.
  });
  const roomNumber = text(b.roomNumber, 'roomNumber');
  const reservation = addReservation(state.store, e, {
    arrivalDate,
    departureDate,
    customerId: customer.Id,
    roomId: roomNumber === undefined ? null : roomByNumber(e, roomNumber),
    adults: b.adults === undefined ? 1 : int(b.adults, 'adults', 0, 50),
    children: 0,
    state: 'Confirmed',
  });
  const answer: SimReservationCreated = { reservationVendorId: reservation.Id, guestVendorId: customer.Id, confirmationNumber: reservation.Number };
  return { status: 201, body: answer };
}

const STATUS: Record<NonNullable<SimReservationChange['status']>, WireReservation['State']> = { confirmed: 'Confirmed', cancelled: 'Canceled', checked_in: 'Started' };

function changeReservation(state: ControlState, e: Enterprise, id: string, body: unknown): ControlAnswer {
  const r = e.reservations.get(id);
  if (!r) throw fail(404, `no reservation ${id}`);
  const b = object(body) as SimReservationChange & Record<string, unknown>;
  reschedule(e, r, day(b.arrivalDate, 'arrivalDate'), day(b.departureDate, 'departureDate'));
  if (b.roomNumber !== undefined) r.AssignedResourceId = b.roomNumber === null ? null : roomByNumber(e, text(b.roomNumber, 'roomNumber')!);
  if (b.adults !== undefined) {
    const adults = int(b.adults, 'adults', 0, 50);
    const adultCategory = e.ageCategories.find((a) => a.Classification === 'Adult')!.Id;
    r.PersonCounts = [...r.PersonCounts.filter((p) => p.AgeCategoryId !== adultCategory), ...(adults > 0 ? [{ AgeCategoryId: adultCategory, Count: adults }] : [])];
  }
  if (b.status !== undefined) {
    const next = STATUS[b.status];
    if (!next) throw fail(400, 'status must be confirmed, cancelled or checked_in');
    applyState(r, next);
  }
  r.UpdatedUtc = state.store.touch(r.Id);
  return { status: 204 };
}

function changeGuest(state: ControlState, e: Enterprise, id: string, body: unknown): ControlAnswer {
  const c = e.customers.get(id);
  if (!c) throw fail(404, `no guest ${id}`);
  const b = object(body) as SimGuestChange & Record<string, unknown>;
  // Staff in Mews can clear what the API cannot: an empty string empties the field.
  const value = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
  const firstName = value(text(b.firstName, 'firstName'));
  const lastName = text(b.lastName, 'lastName');
  const email = value(text(b.email, 'email'));
  const phone = value(text(b.phone, 'phone'));
  const language = value(text(b.language, 'language'));
  if (firstName !== undefined) c.FirstName = firstName;
  if (lastName !== undefined && lastName.trim() !== '') c.LastName = lastName;
  if (email !== undefined) c.Email = email;
  if (phone !== undefined) c.Phone = phone;
  if (language !== undefined) c.PreferredLanguageCode = c.LanguageCode = language === null ? null : languageCode(language);
  c.UpdatedUtc = state.store.touch(c.Id);
  return { status: 204 };
}

function charges(e: Enterprise): ControlAnswer {
  const list: SimCharge[] = [...e.orderItems.values()].map((item) => ({
    vendorId: item.ServiceOrderId,
    reservationVendorId: e.orders.get(item.ServiceOrderId)?.LinkedReservationId ?? '',
    reference: item.ExternalIdentifier,
    amount: item.Amount.GrossValue.toFixed(2),
    currency: item.Amount.Currency,
    description: item.BillingName ?? '',
  }));
  return { status: 200, body: { charges: list } };
}

function notes(e: Enterprise): ControlAnswer {
  const list: SimNote[] = [...e.notes.values()].filter((n) => e.reservations.has(n.OrderId)).map((n) => ({ vendorId: n.Id, reservationVendorId: n.OrderId, text: n.Text }));
  return { status: 200, body: { notes: list } };
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  try {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, hotelId, kind, id] = parts;
    if (method === 'POST' && parts.length === 1 && first === 'hotels') return addHotel(state, body);
    if (method === 'POST' && parts.length === 1 && first === 'reset') {
      state.store.reset();
      state.limits.reset();
      for (const key of Object.keys(state.faults)) delete (state.faults as Record<string, unknown>)[key];
      return { status: 204 };
    }
    if (method === 'GET' && parts.length === 1 && first === 'stats') return { status: 200, body: state.limits.snapshot() };
    if (method === 'PUT' && parts.length === 1 && first === 'faults') {
      const next = validateFaults(body);
      for (const key of Object.keys(state.faults)) delete (state.faults as Record<string, unknown>)[key];
      Object.assign(state.faults, next);
      return { status: 204 };
    }
    if (first === 'hotels' && hotelId !== undefined) {
      const e = hotel(state, hotelId);
      if (method === 'POST' && parts.length === 3 && kind === 'reservations') return addReservationFor(state, e, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'reservations') return changeReservation(state, e, id!, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'guests') return changeGuest(state, e, id!, body);
      if (method === 'GET' && parts.length === 3 && kind === 'charges') return charges(e);
      if (method === 'GET' && parts.length === 3 && kind === 'notes') return notes(e);
    }
    return { status: 404, body: { error: `no control route ${method} /__sim${path}` } };
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof MewsError || error instanceof RangeError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
