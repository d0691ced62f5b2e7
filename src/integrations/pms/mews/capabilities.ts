/** What Relay's PMS operations do at Mews, as `GET /v1/pms/vendors` shows operators. */
import type { CapabilityTable } from '../operations';

export const MEWS_API_VERSION = 'Connector API v1 (reservations/getAll 2023-06-06)';

export const MEWS_CAPABILITIES: CapabilityTable = {
  getGuest: { supported: true, note: 'customers/getAll by CustomerIds; messaging consent is not a Mews field (marketing options are not consent to service messages)' },
  getReservation: { supported: true, note: 'reservations/getAll (2023-06-06) by ReservationIds' },
  searchReservations: {
    supported: true,
    note: 'by confirmation number (Numbers), last name (customers/getAll LastNames, then their reservations) and arrival days (ScheduledStartUtc); one of them is required',
  },
  listArrivals: {
    supported: true,
    note: "reservations/getAll (2023-06-06) by ScheduledStartUtc over the hotel's local days (its time zone), every state, guests through customers/getAll",
  },
  postCharge: {
    supported: true,
    note:
      "orders/add: a custom item on the hotel's Additional service (chargeServiceId, or its only one), billed to the reservation's owner and linked to the reservation, " +
      'gross amount, ExternalIdentifier = reference; a retry first looks for it through productServiceOrders/getAll (LinkedReservationIds) and orderItems/getAll',
  },
  postNote: { supported: true, note: "serviceOrderNotes/add on the reservation; Mews notes have no reference field, so the text ends with Relay's marker [relay:<reference>]" },
  updateGuest: {
    supported: true,
    note: 'customers/update: first and last name, e-mail, phone, language; Mews cannot clear a field (a blank leaves it unchanged), so clearing is refused; room preferences are read-only',
  },
  listRooms: { supported: true, note: "resources/getAll: the hotel's spaces with their housekeeping state; occupancy and room type are not read" },
};
