/** What Relay's PMS operations do at protel, as `GET /v1/pms/vendors` shows operators. */
import type { CapabilityTable } from '../operations';

/** The message sets this adapter speaks through protel I/O's synchronous SOAP 1.2 endpoint. */
export const PROTEL_API_VERSION = 'protel I/O SOAP 1.2, OTA 2011A / HTNG 2011B';

export const PROTEL_CAPABILITIES: CapabilityTable = {
  getGuest: { supported: true, note: 'OTA_ProfileReadRQ: name, default phone and e-mail, language, nationality, special-request preferences; protel has no messaging-consent field' },
  getReservation: { supported: true, note: 'OTA_ReadRQ by ResID (full detail, comments included)' },
  searchReservations: { supported: true, note: 'OTA_ReadRQ by confirmation number, surname (its beginning) or arrival dates, following MoreDataEchoToken; cancelled reservations included' },
  listArrivals: { supported: true, note: 'OTA_ReadRQ by arrival date over the hotel’s own days (every status), the guests read in batches of profiles' },
  postCharge: {
    supported: true,
    note: "HTNG_ChargePostingRQ: revenue on the reservation's folio with the request's item code or the property's chargeItemId; the reference travels as ReferenceID and a retry finds it through HTNG_HotelFolioRQ",
  },
  postNote: { supported: true, note: 'IO_ResModifyNotifRQ: an internal reservation comment; comments have no reference field, so the text ends with Relay’s marker [relay:<reference>]' },
  updateGuest: { supported: true, note: 'OTA_ProfileModifyRQ: name, phone, e-mail, language and the special-request preferences (replaced as a whole); clearing a phone, e-mail or language is not supported' },
  listRooms: { supported: true, note: 'HTNG_HotelRoomStatusRQ: housekeeping status and occupancy of every room' },
};
