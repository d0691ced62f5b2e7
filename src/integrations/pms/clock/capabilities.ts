/** What Relay's PMS operations do at Clock PMS+, as `GET /v1/pms/vendors` shows operators. */
import type { CapabilityTable } from '../operations';

/**
 * Clock does not version its pms_api: this pins the documentation Relay follows (the Postman
 * collection "Clock PMS+ API Docs" at its 2026-03-30 change-log entry).
 */
export const CLOCK_API_VERSION = 'pms_api (Clock PMS+ API Docs, change log 2026-03-30)';

export const CLOCK_CAPABILITIES: CapabilityTable = {
  getGuest: {
    supported: true,
    note: "guests/:id (profiles are shared by the subscription's hotels); no preference list and no messaging consent in Clock (accept_marketing_emails is marketing); the address country stands for the nationality",
  },
  getReservation: { supported: true, note: 'bookings/:id and its booking_guests (the main guest)' },
  searchReservations: {
    supported: true,
    note: 'by booking number (not unique in Clock) or arrival days; a last name only together with arrival days (Clock has no booking search by guest name)',
  },
  listArrivals: {
    supported: true,
    note: "the booking index by arrival (the hotel's local dates, every status), then each booking and its guests: about two calls per arrival at Clock's 5 calls a second per API user",
  },
  postCharge: {
    supported: true,
    note: "booking_charges_by_source on the booking, in the revenue group the property names (extra by default), the item code as revenue category; Clock has no reference field, so the charge text ends with Relay's marker [relay:<reference>] (print_text keeps the plain description) and a retry first looks for it",
  },
  postNote: { supported: true, note: "a booking To Do (booking_self_service_to_dos) dated the hotel's today, its text ending with Relay's marker; Clock's single booking note is the staff's and is not overwritten" },
  updateGuest: { supported: true, note: 'guests/:id: first and last name, e-mail, phone and language, clearing included; Clock profiles have no preferences' },
  listRooms: { supported: true, note: "rooms and room_types: housekeeping status (Clock's Inspect, Progress and Dirty count as dirty), floor, room type; occupancy is not read" },
};
