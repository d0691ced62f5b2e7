/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for protel: a hotel
 * is a protel hotel code with its own bearer token; reservations and guest edits are made as the
 * hotel's staff would make them; charges are the folio postings; notes the reservation comments.
 * One extra: `POST /__sim/hotels/:hotel/token` replaces the hotel's token (the old one is refused
 * from then on) and answers `{ credentials }`.
 */
import type {
  SimCharge,
  SimGuestChange,
  SimHotel as SimHotelAnswer,
  SimHotelSpec,
  SimNote,
  SimReservationChange,
  SimReservationCreated,
  SimReservationSpec,
} from '../../simulator-control';
import { SIM_CHARGE_ITEM_ID } from './demo';
import type { FaultState } from './faults';
import type { TokenLimits } from './limits';
import type { SimHotel } from './model';
import type { ProtelStore } from './store';

export interface ControlState {
  store: ProtelStore;
  limits: TokenLimits;
  faults: FaultState;
  /** Starts demo churn for a hotel. */
  startChurn(hotel: SimHotel, everyMs: number): void;
  /** Stops every churn timer. */
  stopChurn(): void;
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

const bad = (message: string) => new ControlError(400, message);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function object(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('expected a JSON object');
  return body as Record<string, unknown>;
}

function int(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw bad(`${name} must be an integer in ${min}..${max}`);
  return value as number;
}

function text(value: unknown, name: string, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value.trim() === '')) throw bad(`${name} must be a${required ? ' non-empty' : ''} string`);
  return value;
}

function day(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw bad(`${name} must be YYYY-MM-DD`);
  return value;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function hotelSpec(body: unknown): SimHotelSpec {
  const b = object(body);
  const timezone = text(b.timezone, 'timezone', true)!;
  if (!isZone(timezone)) throw bad(`timezone is not an IANA zone: ${timezone}`);
  const country = text(b.country, 'country', true)!;
  if (!/^[A-Za-z]{2}$/.test(country)) throw bad('country must be ISO 3166-1 alpha-2');
  const churn = b.churn === undefined ? undefined : { everyMs: int(object(b.churn).everyMs, 'churn.everyMs', 0, 86_400_000) };
  return {
    name: text(b.name, 'name', true)!,
    timezone,
    country,
    rooms: int(b.rooms, 'rooms', 0, 5000),
    arrivalsPerDay: int(b.arrivalsPerDay, 'arrivalsPerDay', 0, 1000),
    seed: int(b.seed, 'seed', 0, 2 ** 32 - 1),
    ...(churn ? { churn } : {}),
  };
}

const credentials = (hotel: SimHotel) => ({ token: hotel.token, chargeItemId: SIM_CHARGE_ITEM_ID });

function hotelOf(state: ControlState, code: string): SimHotel {
  const hotel = state.store.hotels.get(code);
  if (!hotel) throw new ControlError(404, `no hotel ${code}`);
  return hotel;
}

function roomExists(hotel: SimHotel, number: string): string {
  if (!hotel.rooms.some((r) => r.id === number)) throw bad(`hotel has no room ${number}`);
  return number;
}

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = hotelSpec(body);
  const hotel = state.store.addHotel(spec);
  if (spec.churn && spec.churn.everyMs > 0) state.startChurn(hotel, spec.churn.everyMs);
  const answer: SimHotelAnswer = { vendorPropertyId: hotel.code, credentials: credentials(hotel), timezone: hotel.timezone };
  return { status: 201, body: answer };
}

function addReservation(state: ControlState, hotel: SimHotel, body: unknown): ControlAnswer {
  const b = object(body) as Partial<SimReservationSpec> & Record<string, unknown>;
  const arrivalDate = day(b.arrivalDate, 'arrivalDate');
  const departureDate = day(b.departureDate, 'departureDate');
  if (!arrivalDate || !departureDate || departureDate <= arrivalDate) throw bad('arrivalDate and a later departureDate are required');
  const g = object(b.guest);
  const language = text(g.language, 'guest.language');
  const profile = state.store.addProfile(hotel, {
    givenName: text(g.firstName, 'guest.firstName') ?? null,
    surname: text(g.lastName, 'guest.lastName', true)!,
    email: text(g.email, 'guest.email') ?? null,
    phone: text(g.phone, 'guest.phone') ?? null,
    language: language === undefined ? null : language.slice(0, 2).toLowerCase(),
    nationality: hotel.country,
    // protel has no field for consent to service messages: `messagingConsent` is ignored.
  });
  const roomNumber = text(b.roomNumber, 'roomNumber');
  const r = state.store.addReservation(hotel, profile.id, {
    arrivalDate,
    departureDate,
    roomNumber: roomNumber === undefined ? undefined : roomExists(hotel, roomNumber),
    adults: b.adults === undefined ? 1 : int(b.adults, 'adults', 0, 50),
  });
  const answer: SimReservationCreated = { reservationVendorId: r.id, guestVendorId: profile.id, confirmationNumber: r.confirmation };
  return { status: 201, body: answer };
}

function changeReservation(state: ControlState, hotel: SimHotel, id: string, body: unknown): ControlAnswer {
  const r = hotel.reservations.get(id);
  if (!r) throw new ControlError(404, `no reservation ${id}`);
  const b = object(body) as SimReservationChange & Record<string, unknown>;
  const arrival = day(b.arrivalDate, 'arrivalDate');
  const departure = day(b.departureDate, 'departureDate');
  if (arrival !== undefined) r.arrival = arrival;
  if (departure !== undefined) r.departure = departure;
  if (b.adults !== undefined) r.adults = int(b.adults, 'adults', 0, 50);
  if (b.roomNumber !== undefined) r.roomId = b.roomNumber === null ? null : roomExists(hotel, text(b.roomNumber, 'roomNumber', true)!);
  if (b.status === 'cancelled') state.store.setStatus(r, 'Cancelled');
  else if (b.status === 'checked_in') state.store.checkIn(hotel, r);
  else if (b.status === 'confirmed') state.store.setStatus(r, 'Reserved');
  else if (b.status !== undefined) throw bad('status must be confirmed, cancelled or checked_in');
  else state.store.touch(r);
  return { status: 204 };
}

function changeGuest(state: ControlState, hotel: SimHotel, id: string, body: unknown): ControlAnswer {
  const p = hotel.profiles.get(id);
  if (!p) throw new ControlError(404, `no guest ${id}`);
  const b = object(body) as SimGuestChange & Record<string, unknown>;
  // Staff can clear what the interface cannot: an empty string empties the field.
  const value = (v: string | undefined) => (v === undefined ? undefined : v === '' ? null : v);
  const firstName = value(text(b.firstName, 'firstName'));
  const lastName = text(b.lastName, 'lastName');
  const email = value(text(b.email, 'email'));
  const phone = value(text(b.phone, 'phone'));
  const language = value(text(b.language, 'language'));
  if (firstName !== undefined) p.givenName = firstName;
  if (lastName !== undefined && lastName.trim() !== '') p.surname = lastName;
  if (email !== undefined) p.email = email;
  if (phone !== undefined) p.phone = phone;
  if (language !== undefined) p.language = language === null ? null : language.slice(0, 2).toLowerCase();
  state.store.touch(p);
  return { status: 204 };
}

function charges(hotel: SimHotel): ControlAnswer {
  const list: SimCharge[] = hotel.postings.map((p) => ({
    vendorId: p.id,
    reservationVendorId: p.reservationId,
    reference: p.referenceId,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
  }));
  return { status: 200, body: { charges: list } };
}

function notes(hotel: SimHotel): ControlAnswer {
  const list: SimNote[] = [...hotel.reservations.values()].flatMap((r) => r.comments.map((c) => ({ vendorId: c.id, reservationVendorId: r.id, text: c.text })));
  return { status: 200, body: { notes: list } };
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  try {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, code, kind, id] = parts;
    if (parts.length === 1) {
      if (method === 'POST' && first === 'hotels') return addHotel(state, body);
      if (method === 'GET' && first === 'stats') return { status: 200, body: state.limits.snapshot() };
      if (method === 'PUT' && first === 'faults') {
        state.faults.replace(body ?? {});
        return { status: 204 };
      }
      if (method === 'POST' && first === 'reset') {
        state.stopChurn();
        state.store.reset();
        state.limits.reset();
        state.faults.reset();
        return { status: 204 };
      }
    }
    if (first === 'hotels' && code !== undefined) {
      const hotel = hotelOf(state, code);
      if (method === 'POST' && parts.length === 3 && kind === 'reservations') return addReservation(state, hotel, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'reservations') return changeReservation(state, hotel, id!, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'guests') return changeGuest(state, hotel, id!, body);
      if (method === 'GET' && parts.length === 3 && kind === 'charges') return charges(hotel);
      if (method === 'GET' && parts.length === 3 && kind === 'notes') return notes(hotel);
      if (method === 'POST' && parts.length === 3 && kind === 'token') {
        state.store.replaceToken(hotel);
        return { status: 200, body: { credentials: credentials(hotel) } };
      }
    }
    return { status: 404, body: { error: `no control route ${method} /__sim${path}` } };
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof RangeError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
