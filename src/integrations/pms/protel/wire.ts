/**
 * protel I/O as Relay's adapter speaks it: SOAP 1.2 envelopes to the synchronous endpoint with
 * protel's header elements, and OTA 2011A / HTNG messages in the body. Names marked (assumed)
 * are not in protel's public pages; the simulator's README lists them with the reasons.
 */

export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  /** protel's SOAP header elements (Action, CorrelationID, Target) and its own IO_* messages. */
  protel: 'http://protel.io/soap',
  /** HTNG's asynchronous headers: protel accepts the CorrelationID here too. */
  htngAsync: 'http://htng.org/PWSWG/2007/02/AsyncHeaders',
  ota: 'http://www.opentravel.org/OTA/2003/05',
  /** HTNG 2011B messages (charge posting, folio, room status). */
  htng: 'http://htng.org/2011B',
} as const;

export interface ProtelMessage {
  /** The request's root element and `Action`. */
  rq: string;
  /** The answer's root element. */
  rs: string;
  /** Namespace of both. */
  ns: string;
  /** Changes something at protel: a lost or unreadable answer may hide an applied change. */
  write: boolean;
}

const message = (rq: string, rs: string, ns: string, write = false): ProtelMessage => ({ rq, rs, ns, write });

export const MESSAGES = {
  /** Reservation look-up by ResID, confirmation number, surname or arrival dates. */
  read: message('OTA_ReadRQ', 'OTA_ResRetrieveRS', NS.ota),
  profileRead: message('OTA_ProfileReadRQ', 'OTA_ProfileReadRS', NS.ota),
  profileModify: message('OTA_ProfileModifyRQ', 'OTA_ProfileModifyRS', NS.ota, true),
  /** Revenue posted to a reservation's folio, with Relay's reference as ReferenceID. */
  chargePosting: message('HTNG_ChargePostingRQ', 'HTNG_ChargePostingRS', NS.htng, true),
  /** The folios of a reservation with their postings (assumed name). */
  folio: message('HTNG_HotelFolioRQ', 'HTNG_HotelFolioRS', NS.htng),
  /** protel's partial reservation change: here, a comment created (comments in it are assumed). */
  resModify: message('IO_ResModifyNotifRQ', 'IO_ResModifyNotifRS', NS.protel, true),
  /** Every room with its housekeeping and occupancy status (assumed name). */
  roomStatus: message('HTNG_HotelRoomStatusRQ', 'HTNG_HotelRoomStatusRS', NS.htng),
} as const;

/** The `SOAPAction` of a request, in the pattern of protel's published examples. */
export function soapAction(rq: string): string {
  return `http://htng.org/PWSWG/2010/12/${rq}_SubmitRequest`;
}

/** `Target` of synchronous messages: the alias that reaches protel Air and on-premise alike. */
export const DEFAULT_TARGET = 'io.protel.pms';
export const TARGETS = ['io.protel.air', 'io.protel.onpremise', 'io.protel.pms'] as const;

export const ID_CONTEXT = 'protelIO';

/** OTA UniqueID types (code list UIT). */
export const UIT = {
  customer: '1',
  /** The hotel (POS RequestorID) and the hotel's confirmation number (assumed for the latter). */
  hotel: '10',
  reservation: '14',
} as const;

/** OTA AgeQualifyingCode. */
export const AQC = { adult: '10', child: '8' } as const;

/** OTA message version sent on OTA roots; HTNG and IO roots carry their own. */
export const VERSIONS = { ota: '4.000', htng: '1.0', protel: '1.00' } as const;

/** Most reservations one OTA_ReadRQ asks for, and profiles one OTA_ProfileReadRQ (assumed). */
export const MAX_RESPONSES = 50;
export const PROFILES_PER_READ = 50;

/** OTA `ReferenceID` is a StringLength1to32. */
export const REFERENCE_MAX = 32;
