/**
 * The request messages Relay sends to protel I/O, as XML element trees for the builder (every
 * value escaped by it). The root's standard attributes (EchoToken, TimeStamp, Version,
 * CorrelationID) are added by the client.
 */
import { ID_CONTEXT, UIT } from './wire';
import { node, textNode, type XmlNode } from './xml';

/** POS: the requesting hotel, as protel's examples name it (RequestorID of type Hotel). */
function pos(hotelCode: string): XmlNode {
  return node({}, { Source: node({}, { RequestorID: node({ Type: UIT.hotel, ID: hotelCode, ID_Context: ID_CONTEXT }) }) });
}

function uniqueId(type: string, id: string): XmlNode {
  return node({ Type: type, ID: id, ID_Context: ID_CONTEXT });
}

export interface ReadCriteria {
  reservationId?: string;
  confirmationNumber?: string;
  surname?: string;
  arrivalFrom?: string;
  arrivalTo?: string;
}

/** OTA_ReadRQ: one HotelReadRequest whose criteria all apply; a later page names the token of the one before. */
export function readRequest(hotelCode: string, criteria: ReadCriteria, page: { max: number; token?: string }): XmlNode {
  const ids = [
    ...(criteria.reservationId === undefined ? [] : [uniqueId(UIT.reservation, criteria.reservationId)]),
    ...(criteria.confirmationNumber === undefined ? [] : [uniqueId(UIT.hotel, criteria.confirmationNumber)]),
  ];
  const dates = criteria.arrivalFrom !== undefined || criteria.arrivalTo !== undefined;
  return node({ MaxResponses: page.max, MoreDataEchoToken: page.token }, {
    POS: pos(hotelCode),
    ReadRequests: node({}, {
      HotelReadRequest: node({ HotelCode: hotelCode }, {
        UniqueID: ids,
        Verification: criteria.surname === undefined ? undefined : node({}, { PersonName: node({}, { Surname: textNode(criteria.surname) }) }),
        SelectionCriteria: dates ? node({ DateType: 'ArrivalDate', Start: criteria.arrivalFrom, End: criteria.arrivalTo }) : undefined,
      }),
    }),
  });
}

/** OTA_ProfileReadRQ for several profiles at once. */
export function profileReadRequest(hotelCode: string, profileIds: readonly string[]): XmlNode {
  return node({}, {
    POS: pos(hotelCode),
    ReadRequests: node({}, { ProfileReadRequest: profileIds.map((id) => node({}, { UniqueID: uniqueId(UIT.customer, id) })) }),
  });
}

export interface ProfileChange {
  givenName?: string;
  surname?: string;
  phone?: string;
  email?: string;
  language?: string;
  /** The whole list of special-request preferences (empty: none). */
  preferences?: readonly string[];
}

/** OTA_ProfileModifyRQ: the elements present replace protel's; absent ones are left as they are. */
export function profileModifyRequest(hotelCode: string, profileId: string, change: ProfileChange): XmlNode {
  const name = change.givenName !== undefined || change.surname !== undefined;
  const customer =
    name || change.phone !== undefined || change.email !== undefined || change.language !== undefined
      ? node({ Language: change.language }, {
          PersonName: name ? node({}, { GivenName: optionalText(change.givenName), Surname: optionalText(change.surname) }) : undefined,
          Telephone: change.phone === undefined ? undefined : node({ PhoneTechType: '5', PhoneNumber: change.phone, DefaultInd: 'true' }),
          Email: change.email === undefined ? undefined : textNode(change.email, { DefaultInd: 'true' }),
        })
      : undefined;
  const preferences =
    change.preferences === undefined
      ? undefined
      : node({}, { PrefCollection: node({}, { HotelPref: node({}, { SpecRequestPref: change.preferences.map((p) => textNode(p)) }) }) });
  return node({}, {
    POS: pos(hotelCode),
    ProfileModify: node({}, { UniqueID: uniqueId(UIT.customer, profileId), Profile: node({}, { Customer: customer, PrefCollections: preferences }) }),
  });
}

function optionalText(value: string | undefined): XmlNode | undefined {
  return value === undefined ? undefined : textNode(value);
}

export interface PostingSpec {
  reservationId: string;
  referenceId: string;
  itemId: string;
  description: string;
  amount: string;
  currency: string;
}

/** HTNG_ChargePostingRQ: one revenue posting to the reservation's folio, carrying Relay's reference. */
export function chargePostingRequest(hotelCode: string, posting: PostingSpec): XmlNode {
  return node({}, {
    POS: pos(hotelCode),
    Postings: node({}, {
      Posting: node({ HotelCode: hotelCode, PostingType: 'Revenue', ReferenceID: posting.referenceId }, {
        ReservationID: uniqueId(UIT.reservation, posting.reservationId),
        RevenueDetail: node({ ItemID: posting.itemId, Description: posting.description, Quantity: 1, Amount: posting.amount, CurrencyCode: posting.currency }),
      }),
    }),
  });
}

/** HTNG_HotelFolioRQ: every folio of a reservation with its postings. */
export function folioRequest(hotelCode: string, reservationId: string): XmlNode {
  return node({}, { POS: pos(hotelCode), FolioRequest: node({ HotelCode: hotelCode }, { ReservationID: uniqueId(UIT.reservation, reservationId) }) });
}

/** IO_ResModifyNotifRQ creating one internal comment on a reservation. */
export function commentRequest(hotelCode: string, reservationId: string, text: string): XmlNode {
  return node({}, {
    Reservations: node({ HotelCode: hotelCode }, {
      Reservation: node({}, {
        UniqueID: uniqueId(UIT.reservation, reservationId),
        Comments: node({}, { Comment: node({ Action: 'CREATE', GuestViewable: 'false' }, { Text: textNode(text) }) }),
      }),
    }),
  });
}

/** HTNG_HotelRoomStatusRQ for every room of the hotel. */
export function roomStatusRequest(hotelCode: string): XmlNode {
  return node({}, { POS: pos(hotelCode), RoomStatusRequest: node({ HotelCode: hotelCode }) });
}
