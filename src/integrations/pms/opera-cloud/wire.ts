/**
 * The parts of OHIP 25.5 payloads Relay reads and writes, named as the OpenAPI definitions name
 * them (rsv.json, crm.json, csh.json, hsk.json). Everything is optional: OPERA omits what is empty.
 */

export interface WireId {
  id?: string;
  type?: string;
  idContext?: string;
}

export interface WireAmount {
  amount?: number;
  currencyCode?: string;
}

/** `pMS_ResStatusType`. */
export type WireReservationStatus =
  | 'Reserved'
  | 'Requested'
  | 'NoShow'
  | 'Cancelled'
  | 'InHouse'
  | 'CheckedOut'
  | 'Waitlisted'
  | 'DueIn'
  | 'DueOut'
  | 'Walkin'
  | 'PendingCheckout';

// --- rsv: reservation search (`reservationsDetails` / `reservationInfoType`) -------------------------------------

export interface WireReservationInfo {
  reservationIdList?: WireId[];
  roomStay?: { arrivalDate?: string; departureDate?: string; adultCount?: number; childCount?: number; roomType?: string; roomId?: string };
  reservationGuest?: { id?: string; givenName?: string; surname?: string };
  reservationStatus?: string;
  computedReservationStatus?: string;
  lastModifyDateTime?: string;
}

export interface WireReservationsDetails {
  reservations?: { reservationInfo?: WireReservationInfo[]; hasMore?: boolean; totalResults?: number; count?: number };
}

// --- rsv: one reservation (`reservation` / `hotelReservationType`) ------------------------------------------------

export interface WireComment {
  comment?: { text?: { value?: string }; commentTitle?: string; type?: string; internal?: boolean };
  id?: string;
  type?: string;
}

export interface WireHotelReservation {
  reservationIdList?: WireId[];
  roomStay?: {
    arrivalDate?: string;
    departureDate?: string;
    guestCounts?: { adults?: number; children?: number };
    currentRoomInfo?: { roomId?: string; roomType?: string };
  };
  reservationGuests?: Array<{ profileInfo?: { profileIdList?: WireId[] }; primary?: boolean }>;
  comments?: WireComment[];
  hotelId?: string;
  reservationStatus?: string;
  computedReservationStatus?: string;
  lastModifyDateTime?: string;
}

export interface WireReservation {
  reservations?: { reservation?: WireHotelReservation[] };
}

/** `changeReservation`: the body of `putReservation`. */
export interface WireChangeReservation {
  reservations: Array<{ reservationIdList: WireId[]; hotelId: string; comments?: WireComment[] }>;
}

// --- crm: profile (`profile` / `profileType`) -----------------------------------------------------------------------

export interface WirePersonName {
  givenName?: string;
  middleName?: string;
  surname?: string;
  nameTitle?: string;
  nameType?: string;
  language?: string;
}

export interface WireTelephoneInfo {
  telephone?: { phoneTechType?: string; phoneUseType?: string; phoneNumber?: string; primaryInd?: boolean; orderSequence?: number };
  id?: string;
  type?: string;
}

export interface WireEmailInfo {
  email?: { emailAddress?: string; type?: string; primaryInd?: boolean; orderSequence?: number };
  id?: string;
  type?: string;
}

export interface WirePreferenceGroup {
  preferenceType?: string;
  preference?: Array<{ preferenceCode?: string; preferenceValue?: string; description?: string }>;
}

export interface WireProfileDetails {
  customer?: { personName?: WirePersonName[]; language?: string; nationality?: string };
  telephones?: { telephoneInfo?: WireTelephoneInfo[] };
  emails?: { emailInfo?: WireEmailInfo[] };
  preferenceCollection?: { preferenceType?: WirePreferenceGroup[] };
  privacyInfo?: { optInSms?: boolean; allowSMS?: boolean };
  profileType?: string;
  lastModifyDateTime?: string;
}

export interface WireProfile {
  profileIdList?: WireId[];
  profileDetails?: WireProfileDetails;
}

// --- csh: charges and folios ----------------------------------------------------------------------------------------

export interface WirePosting {
  transactionNo?: number;
  transactionCode?: string;
  reference?: string;
  remark?: string;
  price?: WireAmount;
  postedAmount?: WireAmount;
  transactionAmount?: number;
  quantity?: number;
  postingTime?: { time?: string };
  folioWindowNo?: number;
}

/** `billingCharges`: the body of `postBillingCharges`. */
export interface WireBillingCharges {
  criteria: {
    hotelId: string;
    reservationId: WireId;
    charges: Array<{
      transactionCode: string;
      price: { amount: number; currencyCode: string };
      postingQuantity: number;
      postingReference: string;
      postingRemark: string;
      applyRoutingInstructions: boolean;
    }>;
  };
}

export interface WireBillingChargesDetails {
  postings?: WirePosting[];
}

export interface WireFolioWindow {
  folioWindowNo?: number;
  folios?: Array<{ postings?: WirePosting[] }>;
  hasMore?: boolean;
  count?: number;
}

export interface WireFolio {
  reservationFolioInformation?: { folioWindows?: WireFolioWindow[] };
}

// --- hsk: housekeeping overview (`housekeepingBoard`) ----------------------------------------------------------------

export interface WireRoom {
  roomId?: string;
  roomType?: { roomType?: string };
  floor?: string;
  housekeeping?: { housekeepingRoomStatus?: { housekeepingRoomStatus?: string; frontOfficeStatus?: string } };
}

export interface WireHousekeepingBoard {
  housekeepingRoomInfo?: { housekeepingRooms?: { room?: WireRoom[] }; hasMore?: boolean; count?: number };
}
