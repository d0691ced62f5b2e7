/** What Relay's PMS operations do at Cloudbeds, as `GET /v1/pms/vendors` shows operators. */
import type { CapabilityTable } from '../operations';

export const CLOUDBEDS_API_VERSION = 'v1.3 (getTransactions: v1.2)';

export const CLOUDBEDS_CAPABILITIES: CapabilityTable = {
  getGuest: {
    supported: true,
    note: "getGuest: name, e-mail, mobile (else other) phone, country as nationality, language from the property's languageCustomField; no change marker, so the version is a digest of these fields",
  },
  getReservation: { supported: true, note: 'getReservation; the reservation id is the confirmation number' },
  searchReservations: { supported: true, note: 'by confirmation number (getReservation), last name or arrival days (getReservations); one of them is required' },
  listArrivals: { supported: true, note: "getReservations by check-in days (the property's own), every status, main guest from guestList; webhooks are only hints" },
  postCharge: {
    supported: true,
    note: "postCustomItem on the reservation's folio with referenceID = reference (Cloudbeds never posts a referenceID twice), in the property's currency only; postCharge (a card charge) is never used",
  },
  postNote: { supported: true, note: "postReservationNote; notes have no reference field, so the text ends with Relay's marker [relay:<reference>]" },
  updateGuest: {
    supported: true,
    note: "putGuest: first and last name, e-mail, mobile phone, language (into the property's languageCustomField); clearing a field and preferences are refused",
  },
  listRooms: { supported: true, note: 'getHousekeepingStatus: clean, dirty or inspected, blocked rooms as out of service, occupancy; no floor' },
};
