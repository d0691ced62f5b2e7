/**
 * The simulator's own definitions of protel I/O's wire format (written from protel's public
 * pages and the OTA / HTNG specifications, never from Relay's adapter): namespaces, the
 * messages it answers, OTA codes, and protel's limits as the simulator assumes them.
 */

export const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
export const PROTEL_NS = 'http://protel.io/soap';
export const HTNG_ASYNC_NS = 'http://htng.org/PWSWG/2007/02/AsyncHeaders';
export const OTA_NS = 'http://www.opentravel.org/OTA/2003/05';
export const HTNG_NS = 'http://htng.org/2011B';

/** Content type of SOAP 1.2 over HTTP (its `action` parameter carries the SOAPAction). */
export const SOAP12_MEDIA_TYPE = 'application/soap+xml';

/** `Target` values of synchronous messages. */
export const TARGETS = new Set(['io.protel.air', 'io.protel.onpremise', 'io.protel.pms']);

export interface MessageDefinition {
  ns: string;
  rs: string;
  /** A write: its answer may be lost after it is applied (`loseAnswers`). */
  write: boolean;
}

/** The request messages the simulator answers, by `Action`. */
export const MESSAGE_TABLE: Record<string, MessageDefinition> = {
  OTA_ReadRQ: { ns: OTA_NS, rs: 'OTA_ResRetrieveRS', write: false },
  OTA_ProfileReadRQ: { ns: OTA_NS, rs: 'OTA_ProfileReadRS', write: false },
  OTA_ProfileModifyRQ: { ns: OTA_NS, rs: 'OTA_ProfileModifyRS', write: true },
  HTNG_ChargePostingRQ: { ns: HTNG_NS, rs: 'HTNG_ChargePostingRS', write: true },
  HTNG_HotelFolioRQ: { ns: HTNG_NS, rs: 'HTNG_HotelFolioRS', write: false },
  IO_ResModifyNotifRQ: { ns: PROTEL_NS, rs: 'IO_ResModifyNotifRS', write: true },
  HTNG_HotelRoomStatusRQ: { ns: HTNG_NS, rs: 'HTNG_HotelRoomStatusRS', write: false },
};

/** The SOAPAction protel expects for a message. */
export const expectedSoapAction = (action: string): string => `http://htng.org/PWSWG/2010/12/${action}_SubmitRequest`;

export const ID_CONTEXT = 'protelIO';
/** OTA UniqueID types: 1 customer, 10 hotel (and the hotel's confirmation number), 14 reservation. */
export const UIT_CUSTOMER = '1';
export const UIT_HOTEL = '10';
export const UIT_RESERVATION = '14';

/** OTA error types (EWT) and codes (ERR) the simulator answers with. */
export const EWT = { unknown: '1', bizRule: '3', authorization: '6', requiredField: '10', advisory: '11', processing: '12' } as const;
export const ERR = {
  bookingNotFound: '97',
  bookingCancelled: '95',
  invalidCurrency: '61',
  invalidValue: '320',
  requiredFieldMissing: '321',
  /** protel's own (assumed): the profile does not exist. */
  profileNotFound: '364',
  /** protel's own (assumed): the reservation takes no postings any more. */
  reservationClosed: '365',
  systemError: '448',
  authorization: '497',
} as const;

/** OTA PMS_ResStatus values a reservation has here. */
export type ResStatus = 'Reserved' | 'In-house' | 'Checked out' | 'Cancelled' | 'No-show';
export type HousekeepingStatus = 'Clean' | 'Dirty' | 'Inspected' | 'Pickup' | 'OutOfService' | 'OutOfOrder';

/**
 * protel publishes no rate limit. The simulator enforces the conservative one Relay keeps:
 * 120 requests per minute (a sliding window) per hotel token, answered 429 with `Retry-After`
 * beyond it. A minute rather than a second: short bursts (a guest update is three messages)
 * pass, a sustained two requests per second does not.
 */
export const TOKEN_LIMIT = { requests: 120, windowMs: 60_000 } as const;

/** Most reservations per OTA_ReadRQ answer and profiles per OTA_ProfileReadRQ (assumed). */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PROFILES_PER_READ = 50;
