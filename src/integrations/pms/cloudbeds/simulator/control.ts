/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Cloudbeds: a
 * hotel is a property with its own API key and OAuth refresh token; reservations and guest edits
 * are made as the hotel's staff would make them; charges are the custom items Relay posted.
 *
 * Extensions: `POST /__sim/hotels` takes `auth: "apiKey" | "oauth"` (which credential the answer
 * hands out; default apiKey) and `currency` (ISO 4217, default EUR).
 */
import type { SimCharge, SimFaults, SimHotel, SimNote } from '../../simulator-control';
import {
  badRequest,
  churnEveryMs,
  type ControlAnswer,
  object,
  parseGuestChange,
  parseHotelSpec,
  parseReservationChange,
  parseReservationSpec,
  routeControl,
  text,
} from '../../simulator-kit/control';
import { found, partsHandlers, roomByNumber, sharedFaults } from '../../simulator-kit/control-records';
import type { TokenService } from './auth';
import { startChurn } from './churn';
import type { RequestLimits } from './limits';
import { addGuest, addReservation, createProperty, LANGUAGE_FIELD } from './seed';
import type { Property, SimStore, Status } from './store';

export type { ControlAnswer };

export interface ControlState {
  store: SimStore;
  limits: RequestLimits;
  faults: SimFaults;
  tokens: TokenService;
}

/** A room by the number staff know it by, its roomName. */
const roomIdOf = (p: Property, number: string): string => roomByNumber(p.rooms.values(), number, (r) => r.roomName).roomID;

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = parseHotelSpec(body);
  // Cloudbeds extensions: the property's currency, and which credential the answer hands out.
  const b = object(body);
  const currency = text(b.currency, 'currency') ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) throw badRequest('currency must be ISO 4217');
  const auth = text(b.auth, 'auth') ?? 'apiKey';
  if (auth !== 'apiKey' && auth !== 'oauth') throw badRequest('auth must be apiKey or oauth');
  const p = createProperty(state.store, { name: spec.name, timezone: spec.timezone, country: spec.country, currency, rooms: spec.rooms, arrivalsPerDay: spec.arrivalsPerDay, seed: spec.seed });
  if (churnEveryMs(spec) > 0) p.churn = startChurn(state.store, p, churnEveryMs(spec), spec.seed);
  const credential = auth === 'apiKey' ? { apiKey: p.apiKey } : { refreshToken: p.refreshToken };
  const answer: SimHotel = { vendorPropertyId: p.propertyID, credentials: { ...credential, languageCustomField: LANGUAGE_FIELD }, timezone: p.timezone };
  return { status: 201, body: answer };
}

function addReservationFor(state: ControlState, p: Property, body: unknown): ControlAnswer {
  const spec = parseReservationSpec(body);
  const roomID = spec.roomNumber === undefined ? null : roomIdOf(p, spec.roomNumber);
  const { language } = spec.guest;
  // Cloudbeds has no messaging-consent field: `messagingConsent` is ignored.
  const guest = addGuest(state.store, p, {
    firstName: spec.guest.firstName,
    lastName: spec.guest.lastName,
    email: spec.guest.email,
    cellPhone: spec.guest.phone,
    country: p.country,
    customFields: language ? { [LANGUAGE_FIELD]: language } : {},
  });
  const r = addReservation(state.store, p, {
    guestID: guest.guestID,
    startDate: spec.arrivalDate,
    endDate: spec.departureDate,
    adults: spec.adults ?? 1,
    children: 0,
    roomID,
    status: 'confirmed',
  });
  return { status: 201, body: { reservationVendorId: r.reservationID, guestVendorId: guest.guestID, confirmationNumber: r.reservationID } };
}

const STATUS: Record<string, Status> = { confirmed: 'confirmed', cancelled: 'canceled', checked_in: 'checked_in' };

function changeReservation(p: Property, id: string, body: unknown): void {
  const r = found(p.reservations.get(id), `no reservation ${id}`);
  const change = parseReservationChange(body);
  const start = change.arrivalDate ?? r.startDate;
  const end = change.departureDate ?? r.endDate;
  if (end <= start) throw badRequest('departure must be after arrival');
  const roomID = change.roomNumber === undefined || change.roomNumber === null ? change.roomNumber : roomIdOf(p, change.roomNumber);
  r.startDate = start;
  r.endDate = end;
  if (roomID !== undefined) r.roomID = roomID;
  if (change.adults !== undefined) r.adults = change.adults;
  if (change.status !== undefined) r.status = STATUS[change.status]!;
  r.modifiedAt = Date.now();
}

function changeGuest(p: Property, id: string, body: unknown): void {
  const g = found(p.guests.get(id), `no guest ${id}`);
  const change = parseGuestChange(body);
  // Staff can clear what the API cannot: an empty string empties the field (Cloudbeds keeps it as "").
  if (change.firstName !== undefined) g.firstName = change.firstName;
  if (change.lastName !== undefined && change.lastName.trim() !== '') g.lastName = change.lastName;
  if (change.email !== undefined) g.email = change.email;
  if (change.phone !== undefined) g.cellPhone = change.phone;
  if (change.language !== undefined) g.customFields.set(LANGUAGE_FIELD, change.language);
  g.modifiedAt = Date.now();
}

function charges(p: Property): SimCharge[] {
  return [...p.soldProducts.values()].map((s) => ({
    vendorId: s.soldProductID,
    reservationVendorId: s.reservationID,
    reference: s.referenceID,
    amount: s.lines.reduce((sum, l) => sum + Number(l.itemPrice) * l.itemQuantity, 0).toFixed(2),
    currency: p.currency,
    description: s.lines.map((l) => l.itemName).join(', '),
  }));
}

function notes(p: Property): SimNote[] {
  return p.notes.map((n) => ({ vendorId: n.reservationNoteID, reservationVendorId: n.reservationID, text: n.reservationNote }));
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  return routeControl(
    {
      addHotel: (b) => addHotel(state, b),
      ...partsHandlers({ forget: [state.store, state.limits, state.tokens], limits: state.limits, faults: sharedFaults(state.faults) }),
      hotel: (id) => found(state.store.properties.get(id), `no hotel ${id}`),
      addReservation: (p, b) => addReservationFor(state, p, b),
      changeReservation: (p, id, b) => changeReservation(p, id, b),
      changeGuest: (p, id, b) => changeGuest(p, id, b),
      charges,
      notes,
    },
    method,
    path,
    body,
  );
}
