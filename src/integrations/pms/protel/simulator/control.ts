/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for protel: a hotel
 * is a protel hotel code with its own bearer token; reservations and guest edits are made as the
 * hotel's staff would make them; charges are the folio postings; notes the reservation comments.
 * One extra: `POST /__sim/hotels/:hotel/token` replaces the hotel's token (the old one is refused
 * from then on) and answers `{ credentials }`.
 */
import type { SimCharge, SimHotel as SimHotelAnswer, SimNote, SimReservationCreated } from '../../simulator-control';
import { churnEveryMs, type ControlAnswer, parseHotelSpec, parseReservationChange, parseReservationSpec, routeControl } from '../../simulator-kit/control';
import { found, partsHandlers, roomByNumber, staffGuestEdit } from '../../simulator-kit/control-records';
import { SIM_CHARGE_ITEM_ID } from './demo';
import type { FaultState } from './faults';
import type { TokenLimits } from './limits';
import type { SimHotel } from './model';
import type { ProtelStore } from './store';

export type { ControlAnswer };

export interface ControlState {
  store: ProtelStore;
  limits: TokenLimits;
  faults: FaultState;
  /** Starts demo churn for a hotel. */
  startChurn(hotel: SimHotel, everyMs: number): void;
  /** Stops every churn timer. */
  stopChurn(): void;
}

const credentials = (hotel: SimHotel) => ({ token: hotel.token, chargeItemId: SIM_CHARGE_ITEM_ID });

/** protel's rooms are known by their number: the id. */
const roomExists = (hotel: SimHotel, number: string): string => roomByNumber(hotel.rooms, number, (r) => r.id).id;

/** protel keeps a language as its two-letter code. */
const protelLanguage = (language: string) => language.slice(0, 2).toLowerCase();

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = parseHotelSpec(body);
  const hotel = state.store.addHotel(spec);
  if (churnEveryMs(spec) > 0) state.startChurn(hotel, churnEveryMs(spec));
  const answer: SimHotelAnswer = { vendorPropertyId: hotel.code, credentials: credentials(hotel), timezone: hotel.timezone };
  return { status: 201, body: answer };
}

function addReservation(state: ControlState, hotel: SimHotel, body: unknown): ControlAnswer {
  const spec = parseReservationSpec(body);
  const roomNumber = spec.roomNumber === undefined ? undefined : roomExists(hotel, spec.roomNumber);
  const { guest } = spec;
  const profile = state.store.addProfile(hotel, {
    givenName: guest.firstName ?? null,
    surname: guest.lastName,
    email: guest.email ?? null,
    phone: guest.phone ?? null,
    language: guest.language === undefined ? null : protelLanguage(guest.language),
    nationality: hotel.country,
    // protel has no field for consent to service messages: `messagingConsent` is ignored.
  });
  const r = state.store.addReservation(hotel, profile.id, { arrivalDate: spec.arrivalDate, departureDate: spec.departureDate, roomNumber, adults: spec.adults ?? 1 });
  const answer: SimReservationCreated = { reservationVendorId: r.id, guestVendorId: profile.id, confirmationNumber: r.confirmation };
  return { status: 201, body: answer };
}

function changeReservation(state: ControlState, hotel: SimHotel, id: string, body: unknown): void {
  const r = found(hotel.reservations.get(id), `no reservation ${id}`);
  const change = parseReservationChange(body);
  const roomId = change.roomNumber === undefined || change.roomNumber === null ? change.roomNumber : roomExists(hotel, change.roomNumber);
  if (change.arrivalDate !== undefined) r.arrival = change.arrivalDate;
  if (change.departureDate !== undefined) r.departure = change.departureDate;
  if (change.adults !== undefined) r.adults = change.adults;
  if (roomId !== undefined) r.roomId = roomId;
  if (change.status === 'cancelled') state.store.setStatus(r, 'Cancelled');
  else if (change.status === 'checked_in') state.store.checkIn(hotel, r);
  else if (change.status === 'confirmed') state.store.setStatus(r, 'Reserved');
  else state.store.touch(r);
}

function changeGuest(state: ControlState, hotel: SimHotel, id: string, body: unknown): void {
  const p = found(hotel.profiles.get(id), `no guest ${id}`);
  // Staff can clear what the interface cannot: an empty string empties the field (not the surname).
  const edit = staffGuestEdit(body);
  if (edit.firstName !== undefined) p.givenName = edit.firstName;
  if (edit.lastName !== undefined) p.surname = edit.lastName;
  if (edit.email !== undefined) p.email = edit.email;
  if (edit.phone !== undefined) p.phone = edit.phone;
  if (edit.language !== undefined) p.language = edit.language === null ? null : protelLanguage(edit.language);
  state.store.touch(p);
}

function charges(hotel: SimHotel): SimCharge[] {
  return hotel.postings.map((p) => ({
    vendorId: p.id,
    reservationVendorId: p.reservationId,
    reference: p.referenceId,
    amount: p.amount,
    currency: p.currency,
    description: p.description,
  }));
}

function notes(hotel: SimHotel): SimNote[] {
  return [...hotel.reservations.values()].flatMap((r) => r.comments.map((c) => ({ vendorId: c.id, reservationVendorId: r.id, text: c.text })));
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  return routeControl(
    {
      addHotel: (b) => addHotel(state, b),
      ...partsHandlers({ forget: [{ reset: state.stopChurn }, state.store, state.limits], limits: state.limits, faults: state.faults }),
      // protel's control takes an empty body as "no faults".
      setFaults: (b) => state.faults.replace(b ?? {}),
      hotel: (code) => found(state.store.hotels.get(code), `no hotel ${code}`),
      addReservation: (hotel, b) => addReservation(state, hotel, b),
      changeReservation: (hotel, id, b) => changeReservation(state, hotel, id, b),
      changeGuest: (hotel, id, b) => changeGuest(state, hotel, id, b),
      charges,
      notes,
      hotelExtra: (method, hotel, [kind, ...rest]) => {
        if (method !== 'POST' || kind !== 'token' || rest.length > 0) return undefined;
        state.store.replaceToken(hotel);
        return { status: 200, body: { credentials: credentials(hotel) } };
      },
    },
    method,
    path,
    body,
  );
}
