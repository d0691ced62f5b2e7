/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Cloudbeds: a
 * hotel is a property with its own API key and OAuth refresh token; reservations and guest edits
 * are made as the hotel's staff would make them; charges are the custom items Relay posted.
 *
 * Extensions: `POST /__sim/hotels` takes `auth: "apiKey" | "oauth"` (which credential the answer
 * hands out; default apiKey) and `currency` (ISO 4217, default EUR).
 */
import { IANAZone } from 'luxon';
import type { SimCharge, SimFaults, SimHotel, SimNote } from '../../simulator-control';
import type { TokenService } from './auth';
import { startChurn } from './churn';
import { validateFaults } from './faults';
import type { RequestLimits } from './limits';
import { addGuest, addReservation, createProperty, LANGUAGE_FIELD } from './seed';
import type { Property, SimStore, Status } from './store';

export interface ControlState {
  store: SimStore;
  limits: RequestLimits;
  faults: SimFaults;
  tokens: TokenService;
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

function day(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw fail(400, `${name} must be YYYY-MM-DD`);
  return value;
}

function hotel(state: ControlState, id: string): Property {
  const p = state.store.properties.get(id);
  if (!p) throw fail(404, `no hotel ${id}`);
  return p;
}

function roomByNumber(p: Property, number: string): string {
  const room = [...p.rooms.values()].find((r) => r.roomName === number);
  if (!room) throw fail(400, `hotel has no room ${number}`);
  return room.roomID;
}

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const b = object(body);
  const timezone = text(b.timezone, 'timezone', true)!;
  if (!IANAZone.isValidZone(timezone)) throw fail(400, `timezone is not an IANA zone: ${timezone}`);
  const country = text(b.country, 'country', true)!;
  if (!/^[A-Za-z]{2}$/.test(country)) throw fail(400, 'country must be ISO 3166-1 alpha-2');
  const currency = text(b.currency, 'currency') ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) throw fail(400, 'currency must be ISO 4217');
  const auth = text(b.auth, 'auth') ?? 'apiKey';
  if (auth !== 'apiKey' && auth !== 'oauth') throw fail(400, 'auth must be apiKey or oauth');
  const seed = int(b.seed, 'seed', 0, 2 ** 32 - 1);
  const p = createProperty(state.store, {
    name: text(b.name, 'name', true)!,
    timezone,
    country,
    currency,
    rooms: int(b.rooms, 'rooms', 0, 5000),
    arrivalsPerDay: int(b.arrivalsPerDay, 'arrivalsPerDay', 0, 1000),
    seed,
  });
  if (b.churn !== undefined) {
    const everyMs = int(object(b.churn).everyMs, 'churn.everyMs', 0, 86_400_000);
    if (everyMs > 0) p.churn = startChurn(state.store, p, everyMs, seed);
  }
  const credential = auth === 'apiKey' ? { apiKey: p.apiKey } : { refreshToken: p.refreshToken };
  const answer: SimHotel = { vendorPropertyId: p.propertyID, credentials: { ...credential, languageCustomField: LANGUAGE_FIELD }, timezone: p.timezone };
  return { status: 201, body: answer };
}

function addReservationFor(state: ControlState, p: Property, body: unknown): ControlAnswer {
  const b = object(body);
  const arrivalDate = day(b.arrivalDate, 'arrivalDate');
  const departureDate = day(b.departureDate, 'departureDate');
  if (!arrivalDate || !departureDate) throw fail(400, 'arrivalDate and departureDate are required');
  const g = object(b.guest);
  const language = text(g.language, 'guest.language');
  // Cloudbeds has no messaging-consent field: `messagingConsent` is ignored.
  const guest = addGuest(state.store, p, {
    firstName: text(g.firstName, 'guest.firstName'),
    lastName: text(g.lastName, 'guest.lastName', true)!,
    email: text(g.email, 'guest.email'),
    cellPhone: text(g.phone, 'guest.phone'),
    country: p.country,
    customFields: language ? { [LANGUAGE_FIELD]: language } : {},
  });
  const roomNumber = text(b.roomNumber, 'roomNumber');
  const r = addReservation(state.store, p, {
    guestID: guest.guestID,
    startDate: arrivalDate,
    endDate: departureDate,
    adults: b.adults === undefined ? 1 : int(b.adults, 'adults', 0, 50),
    children: 0,
    roomID: roomNumber === undefined ? null : roomByNumber(p, roomNumber),
    status: 'confirmed',
  });
  return { status: 201, body: { reservationVendorId: r.reservationID, guestVendorId: guest.guestID, confirmationNumber: r.reservationID } };
}

const STATUS: Record<string, Status> = { confirmed: 'confirmed', cancelled: 'canceled', checked_in: 'checked_in' };

function changeReservation(p: Property, id: string, body: unknown): ControlAnswer {
  const r = p.reservations.get(id);
  if (!r) throw fail(404, `no reservation ${id}`);
  const b = object(body);
  const start = day(b.arrivalDate, 'arrivalDate') ?? r.startDate;
  const end = day(b.departureDate, 'departureDate') ?? r.endDate;
  if (end <= start) throw fail(400, 'departure must be after arrival');
  r.startDate = start;
  r.endDate = end;
  if (b.roomNumber !== undefined) r.roomID = b.roomNumber === null ? null : roomByNumber(p, text(b.roomNumber, 'roomNumber')!);
  if (b.adults !== undefined) r.adults = int(b.adults, 'adults', 0, 50);
  if (b.status !== undefined) {
    const next = STATUS[String(b.status)];
    if (!next) throw fail(400, 'status must be confirmed, cancelled or checked_in');
    r.status = next;
  }
  r.modifiedAt = Date.now();
  return { status: 204 };
}

function changeGuest(p: Property, id: string, body: unknown): ControlAnswer {
  const g = p.guests.get(id);
  if (!g) throw fail(404, `no guest ${id}`);
  const b = object(body);
  // Staff can clear what the API cannot: an empty string empties the field.
  const firstName = text(b.firstName, 'firstName');
  const lastName = text(b.lastName, 'lastName');
  const email = text(b.email, 'email');
  const phone = text(b.phone, 'phone');
  const language = text(b.language, 'language');
  if (firstName !== undefined) g.firstName = firstName;
  if (lastName !== undefined && lastName.trim() !== '') g.lastName = lastName;
  if (email !== undefined) g.email = email;
  if (phone !== undefined) g.cellPhone = phone;
  if (language !== undefined) g.customFields.set(LANGUAGE_FIELD, language);
  g.modifiedAt = Date.now();
  return { status: 204 };
}

function charges(p: Property): ControlAnswer {
  const list: SimCharge[] = [...p.soldProducts.values()].map((s) => ({
    vendorId: s.soldProductID,
    reservationVendorId: s.reservationID,
    reference: s.referenceID,
    amount: s.lines.reduce((sum, l) => sum + Number(l.itemPrice) * l.itemQuantity, 0).toFixed(2),
    currency: p.currency,
    description: s.lines.map((l) => l.itemName).join(', '),
  }));
  return { status: 200, body: { charges: list } };
}

function notes(p: Property): ControlAnswer {
  const list: SimNote[] = p.notes.map((n) => ({ vendorId: n.reservationNoteID, reservationVendorId: n.reservationID, text: n.reservationNote }));
  return { status: 200, body: { notes: list } };
}

function reset(state: ControlState): ControlAnswer {
  state.store.reset();
  state.limits.reset();
  state.tokens.reset();
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
      const p = hotel(state, hotelId);
      if (method === 'POST' && parts.length === 3 && kind === 'reservations') return addReservationFor(state, p, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'reservations') return changeReservation(p, id!, body);
      if (method === 'PATCH' && parts.length === 4 && kind === 'guests') return changeGuest(p, id!, body);
      if (method === 'GET' && parts.length === 3 && kind === 'charges') return charges(p);
      if (method === 'GET' && parts.length === 3 && kind === 'notes') return notes(p);
    }
    return { status: 404, body: { error: `no control route ${method} /__sim${path}` } };
  } catch (error) {
    if (error instanceof ControlError) return { status: error.status, body: { error: error.message } };
    if (error instanceof RangeError) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
