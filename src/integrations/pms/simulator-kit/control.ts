/**
 * The server side of the `/__sim/` control protocol (../simulator-control.ts) that is the same
 * for every PMS simulator: reading each request body into the protocol's types, refusing
 * nonsense with a 400 that says what is wrong, and routing a request to a simulator's handlers.
 * What a body means for a vendor (its ids, statuses, which fields it keeps) stays in that
 * vendor's simulator; extensions of a body (a vendor's own credentials...) are read there with
 * the same readers.
 */
import { IANAZone } from 'luxon';
import type { SimCharge, SimGuestChange, SimHotelSpec, SimNote, SimReservationChange, SimReservationSpec, SimStats } from '../simulator-control';

export interface ControlAnswer {
  status: number;
  body?: unknown;
}

/** A control request refused: answered with `status` and `{ error: message }`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ControlError(400, message);
export const notFound = (message: string) => new ControlError(404, message);

// ---- readers: each returns the value or throws a 400 naming the field -------------------------

export function object(body: unknown, name?: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(name === undefined ? 'expected a JSON object' : `${name} must be an object`);
  return body as Record<string, unknown>;
}

export function int(value: unknown, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw badRequest(`${name} must be an integer in ${min}..${max}`);
  return value as number;
}

export function optionalInt(value: unknown, name: string, min: number, max: number): number | undefined {
  return value === undefined ? undefined : int(value, name, min, max);
}

export function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string`);
  return value;
}

export function requiredText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${name} must be a non-empty string`);
  return value;
}

export function bool(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw badRequest(`${name} must be a boolean`);
  return value;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function day(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw badRequest(`${name} must be YYYY-MM-DD`);
  return value;
}

/** A hotel's own edit may empty a field the API cannot: an empty string becomes `null`. */
export function cleared(value: string | undefined): string | null | undefined {
  return value === undefined ? undefined : value === '' ? null : value;
}

// ---- the protocol's bodies -------------------------------------------------------------------

/** How large a generated hotel may be; a vendor with smaller properties passes its own. */
export interface HotelBounds {
  rooms: number;
  arrivalsPerDay: number;
}

const HOTEL_BOUNDS: HotelBounds = { rooms: 5000, arrivalsPerDay: 1000 };

/** `POST /__sim/hotels`. Extensions of the body are the caller's to read from the same object. */
export function parseHotelSpec(body: unknown, bounds: HotelBounds = HOTEL_BOUNDS): SimHotelSpec {
  const b = object(body);
  const name = requiredText(b.name, 'name');
  const timezone = requiredText(b.timezone, 'timezone');
  if (!IANAZone.isValidZone(timezone)) throw badRequest(`timezone is not an IANA zone: ${timezone}`);
  const country = requiredText(b.country, 'country');
  if (!/^[A-Za-z]{2}$/.test(country)) throw badRequest('country must be ISO 3166-1 alpha-2');
  const churn = b.churn === undefined ? undefined : { everyMs: int(object(b.churn, 'churn').everyMs, 'churn.everyMs', 0, 86_400_000) };
  return {
    name,
    timezone,
    country,
    rooms: int(b.rooms, 'rooms', 0, bounds.rooms),
    arrivalsPerDay: int(b.arrivalsPerDay, 'arrivalsPerDay', 0, bounds.arrivalsPerDay),
    seed: int(b.seed, 'seed', 0, 2 ** 32 - 1),
    ...(churn ? { churn } : {}),
  };
}

/** Whether a parsed hotel asks for demo churn. */
export const churnEveryMs = (spec: SimHotelSpec): number => spec.churn?.everyMs ?? 0;

/** `POST /__sim/hotels/:hotel/reservations`. `adults` stays absent when not given (vendors default to 1). */
export function parseReservationSpec(body: unknown): SimReservationSpec {
  const b = object(body);
  const arrivalDate = day(b.arrivalDate, 'arrivalDate');
  const departureDate = day(b.departureDate, 'departureDate');
  if (arrivalDate === undefined || departureDate === undefined) throw badRequest('arrivalDate and departureDate are required');
  if (departureDate <= arrivalDate) throw badRequest('departureDate must be after arrivalDate');
  const g = object(b.guest, 'guest');
  const firstName = text(g.firstName, 'guest.firstName');
  const email = text(g.email, 'guest.email');
  const phone = text(g.phone, 'guest.phone');
  const language = text(g.language, 'guest.language');
  const messagingConsent = bool(g.messagingConsent, 'guest.messagingConsent');
  const roomNumber = text(b.roomNumber, 'roomNumber');
  const adults = optionalInt(b.adults, 'adults', 0, 50);
  return {
    arrivalDate,
    departureDate,
    guest: {
      lastName: requiredText(g.lastName, 'guest.lastName'),
      ...(firstName === undefined ? {} : { firstName }),
      ...(email === undefined ? {} : { email }),
      ...(phone === undefined ? {} : { phone }),
      ...(language === undefined ? {} : { language }),
      ...(messagingConsent === undefined ? {} : { messagingConsent }),
    },
    ...(roomNumber === undefined ? {} : { roomNumber }),
    ...(adults === undefined ? {} : { adults }),
  };
}

const STATUSES: ReadonlySet<string> = new Set<NonNullable<SimReservationChange['status']>>(['confirmed', 'cancelled', 'checked_in']);

/** `PATCH /__sim/hotels/:hotel/reservations/:reservation`: only what is given; `roomNumber: null` unassigns. */
export function parseReservationChange(body: unknown): SimReservationChange {
  const b = object(body);
  const arrivalDate = day(b.arrivalDate, 'arrivalDate');
  const departureDate = day(b.departureDate, 'departureDate');
  const roomNumber = b.roomNumber === null ? null : text(b.roomNumber, 'roomNumber');
  if (roomNumber === '') throw badRequest('roomNumber must be a non-empty string or null');
  const adults = optionalInt(b.adults, 'adults', 0, 50);
  if (b.status !== undefined && (typeof b.status !== 'string' || !STATUSES.has(b.status))) throw badRequest('status must be confirmed, cancelled or checked_in');
  const status = b.status as SimReservationChange['status'];
  return {
    ...(arrivalDate === undefined ? {} : { arrivalDate }),
    ...(departureDate === undefined ? {} : { departureDate }),
    ...(roomNumber === undefined ? {} : { roomNumber }),
    ...(adults === undefined ? {} : { adults }),
    ...(status === undefined ? {} : { status }),
  };
}

/** `PATCH /__sim/hotels/:hotel/guests/:guest`: only what is given; an empty string is kept (see `cleared`). */
export function parseGuestChange(body: unknown): SimGuestChange {
  const b = object(body);
  const change: SimGuestChange = {};
  for (const field of ['firstName', 'lastName', 'email', 'phone', 'language'] as const) {
    const value = text(b[field], field);
    if (value !== undefined) change[field] = value;
  }
  return change;
}

// ---- routing ---------------------------------------------------------------------------------

/** What a simulator does for each control request; `H` is its hotel record. */
export interface ControlHandlers<H> {
  addHotel(body: unknown): ControlAnswer;
  /** Forgets hotels, faults, counters (and whatever else the vendor keeps). */
  reset(): void;
  stats(): SimStats;
  /** Replaces the current faults (throws on nonsense). */
  setFaults(body: unknown): void;
  /** The hotel named in the path; throws `notFound` when there is none. */
  hotel(id: string): H;
  addReservation(hotel: H, body: unknown): ControlAnswer;
  changeReservation(hotel: H, id: string, body: unknown): void;
  changeGuest(hotel: H, id: string, body: unknown): void;
  charges(hotel: H): SimCharge[];
  notes(hotel: H): SimNote[];
  /** A vendor's own control routes below a hotel (`parts` is [kind, ...rest]); undefined when none matches. */
  hotelExtra?(method: string, hotel: H, parts: string[], body: unknown): ControlAnswer | undefined;
  /** A vendor's own errors that mean the request was wrong (answered 400 with their message). */
  isCallerError?(error: unknown): error is Error;
}

/** Routes one control request to `handlers`; `path` is below `/__sim`. */
export function routeControl<H>(handlers: ControlHandlers<H>, method: string, path: string, body: unknown): ControlAnswer {
  try {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [first, hotelId, kind, id] = parts;
    if (parts.length === 1) {
      if (method === 'POST' && first === 'hotels') return handlers.addHotel(body);
      if (method === 'GET' && first === 'stats') return { status: 200, body: handlers.stats() };
      if (method === 'PUT' && first === 'faults') {
        handlers.setFaults(body);
        return { status: 204 };
      }
      if (method === 'POST' && first === 'reset') {
        handlers.reset();
        return { status: 204 };
      }
    }
    if (first === 'hotels' && hotelId !== undefined) {
      const hotel = handlers.hotel(hotelId);
      if (method === 'POST' && parts.length === 3 && kind === 'reservations') return handlers.addReservation(hotel, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'reservations') {
        handlers.changeReservation(hotel, id!, body);
        return { status: 204 };
      }
      if (method === 'PATCH' && parts.length === 4 && kind === 'guests') {
        handlers.changeGuest(hotel, id!, body);
        return { status: 204 };
      }
      if (method === 'GET' && parts.length === 3 && kind === 'charges') return { status: 200, body: { charges: handlers.charges(hotel) } };
      if (method === 'GET' && parts.length === 3 && kind === 'notes') return { status: 200, body: { notes: handlers.notes(hotel) } };
      const extra = kind === undefined ? undefined : handlers.hotelExtra?.(method, hotel, parts.slice(2), body);
      if (extra) return extra;
    }
    return { status: 404, body: { error: `no control route ${method} /__sim${path}` } };
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof RangeError || handlers.isCallerError?.(error)) return { status: 400, body: { error: (error as Error).message } };
    throw error;
  }
}

/** Routes a control request from its raw body (empty = no body); a body that is not JSON is answered 400. */
export function controlFromRaw(raw: string, route: (body: unknown) => ControlAnswer): ControlAnswer {
  let body: unknown;
  try {
    body = raw.trim() === '' ? undefined : JSON.parse(raw);
  } catch {
    return { status: 400, body: { error: 'invalid JSON' } };
  }
  return route(body);
}
