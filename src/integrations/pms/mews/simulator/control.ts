/**
 * The `/__sim/` control protocol (src/integrations/pms/simulator-control.ts) for Mews: a hotel
 * is an enterprise with its own AccessToken; reservations and guest edits are made as the
 * hotel's staff would make them in Mews; charges are the order items Relay posted.
 */
import type { SimCharge, SimFaults, SimHotel, SimNote, SimReservationChange, SimReservationCreated } from '../../simulator-control';
import { churnEveryMs, type ControlAnswer, parseHotelSpec, parseReservationChange, parseReservationSpec, requiredText, routeControl } from '../../simulator-kit/control';
import { found, partsHandlers, roomByNumber, sharedFaults, staffGuestEdit } from '../../simulator-kit/control-records';
import { startChurn } from './churn';
import { addCustomer, addReservation, applyState, createHotel, reschedule } from './hotel';
import type { RequestLimits } from './limits';
import { languageCode } from './people';
import type { Enterprise, SimStore } from './store';
import { MewsError, type WireReservation } from './wire';

export type { ControlAnswer };

export interface ControlState {
  store: SimStore;
  limits: RequestLimits;
  faults: SimFaults;
}

/** A room (a Mews resource) by the number staff know it by, its Name. */
const roomIdOf = (e: Enterprise, number: string): string => roomByNumber(e.resources.values(), number, (r) => r.Name).Id;

function addHotel(state: ControlState, body: unknown): ControlAnswer {
  const spec = parseHotelSpec(body);
  // Simulator extension: hotels of one group sharing a portfolio AccessToken (and its limit).
  const accessToken = (body as Record<string, unknown>).accessToken;
  const e = createHotel(state.store, { ...spec, ...(accessToken === undefined ? {} : { accessToken: requiredText(accessToken, 'accessToken') }) });
  if (churnEveryMs(spec) > 0) e.churn = startChurn(state.store, e, churnEveryMs(spec), spec.seed);
  const answer: SimHotel = { vendorPropertyId: e.id, credentials: { accessToken: e.accessToken }, timezone: e.timezone };
  return { status: 201, body: answer };
}

function addReservationFor(state: ControlState, e: Enterprise, body: unknown): ControlAnswer {
  const spec = parseReservationSpec(body);
  const roomId = spec.roomNumber === undefined ? null : roomIdOf(e, spec.roomNumber);
  const customer = addCustomer(state.store, e, {
    firstName: spec.guest.firstName ?? null,
    lastName: spec.guest.lastName,
    email: spec.guest.email ?? null,
    phone: spec.guest.phone ?? null,
    languageCode: spec.guest.language ?? null,
    // Mews has no messaging-consent field: `messagingConsent` is ignored.
  });
  const reservation = addReservation(state.store, e, {
    arrivalDate: spec.arrivalDate,
    departureDate: spec.departureDate,
    customerId: customer.Id,
    roomId,
    adults: spec.adults ?? 1,
    children: 0,
    state: 'Confirmed',
  });
  const answer: SimReservationCreated = { reservationVendorId: reservation.Id, guestVendorId: customer.Id, confirmationNumber: reservation.Number };
  return { status: 201, body: answer };
}

const STATUS: Record<NonNullable<SimReservationChange['status']>, WireReservation['State']> = { confirmed: 'Confirmed', cancelled: 'Canceled', checked_in: 'Started' };

function changeReservation(state: ControlState, e: Enterprise, id: string, body: unknown): void {
  const r = found(e.reservations.get(id), `no reservation ${id}`);
  const change = parseReservationChange(body);
  const roomId = change.roomNumber === undefined || change.roomNumber === null ? change.roomNumber : roomIdOf(e, change.roomNumber);
  reschedule(e, r, change.arrivalDate, change.departureDate);
  if (roomId !== undefined) r.AssignedResourceId = roomId;
  if (change.adults !== undefined) {
    const adultCategory = e.ageCategories.find((a) => a.Classification === 'Adult')!.Id;
    r.PersonCounts = [...r.PersonCounts.filter((p) => p.AgeCategoryId !== adultCategory), ...(change.adults > 0 ? [{ AgeCategoryId: adultCategory, Count: change.adults }] : [])];
  }
  if (change.status !== undefined) applyState(r, STATUS[change.status]);
  r.UpdatedUtc = state.store.touch(r.Id);
}

function changeGuest(state: ControlState, e: Enterprise, id: string, body: unknown): void {
  const c = found(e.customers.get(id), `no guest ${id}`);
  // Staff in Mews can clear what the API cannot: an empty string empties the field (not the last name).
  const edit = staffGuestEdit(body);
  if (edit.firstName !== undefined) c.FirstName = edit.firstName;
  if (edit.lastName !== undefined) c.LastName = edit.lastName;
  if (edit.email !== undefined) c.Email = edit.email;
  if (edit.phone !== undefined) c.Phone = edit.phone;
  if (edit.language !== undefined) c.PreferredLanguageCode = c.LanguageCode = edit.language === null ? null : languageCode(edit.language);
  c.UpdatedUtc = state.store.touch(c.Id);
}

function charges(e: Enterprise): SimCharge[] {
  return [...e.orderItems.values()].map((item) => ({
    vendorId: item.ServiceOrderId,
    reservationVendorId: e.orders.get(item.ServiceOrderId)?.LinkedReservationId ?? '',
    reference: item.ExternalIdentifier,
    amount: item.Amount.GrossValue.toFixed(2),
    currency: item.Amount.Currency,
    description: item.BillingName ?? '',
  }));
}

function notes(e: Enterprise): SimNote[] {
  return [...e.notes.values()].filter((n) => e.reservations.has(n.OrderId)).map((n) => ({ vendorId: n.Id, reservationVendorId: n.OrderId, text: n.Text }));
}

/** Routes one control request; `path` is below `/__sim`. */
export function control(state: ControlState, method: string, path: string, body: unknown): ControlAnswer {
  return routeControl(
    {
      addHotel: (b) => addHotel(state, b),
      ...partsHandlers({ forget: [state.store, state.limits], limits: state.limits, faults: sharedFaults(state.faults) }),
      hotel: (id) => found(state.store.enterprises.get(id), `no hotel ${id}`),
      addReservation: (e, b) => addReservationFor(state, e, b),
      changeReservation: (e, id, b) => changeReservation(state, e, id, b),
      changeGuest: (e, id, b) => changeGuest(state, e, id, b),
      charges,
      notes,
      isCallerError: (error) => error instanceof MewsError,
    },
    method,
    path,
    body,
  );
}
