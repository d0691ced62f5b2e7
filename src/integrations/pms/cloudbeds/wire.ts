/**
 * The parts of Cloudbeds API v1.3 (and v1.2's getTransactions) answers Relay reads, named as the
 * API names them (camelCase, ids as strings). Everything is optional: Cloudbeds omits what is
 * empty, and sends some numbers as strings (`adults`, `children`).
 */

/** Every answer: `success` decides, whatever the HTTP status; `message` says why not. */
export interface WireEnvelope<T = unknown> {
  success?: boolean;
  data?: T;
  message?: string;
  /** List endpoints: rows in this page and rows matching in all. */
  count?: number;
  total?: number;
}

export type WireReservationStatus = 'not_confirmed' | 'confirmed' | 'canceled' | 'checked_in' | 'checked_out' | 'no_show';

export interface WireCustomField {
  customFieldName?: string;
  customFieldValue?: string;
}

/** A guest inside a reservation's `guestList` (getReservations with includeGuestsDetails, getReservation). */
export interface WireListedGuest {
  guestID?: string;
  guestFirstName?: string;
  guestLastName?: string;
  guestEmail?: string;
  guestPhone?: string;
  guestCellPhone?: string;
  guestCountry?: string;
  customFields?: WireCustomField[];
  isMainGuest?: boolean;
  roomID?: string;
  roomName?: string;
}

export interface WireReservationRoom {
  roomID?: string;
  roomName?: string;
  roomTypeName?: string;
  adults?: string | number;
  children?: string | number;
}

/** A row of getReservations. */
export interface WireReservationRow {
  propertyID?: string;
  reservationID?: string;
  dateModified?: string;
  status?: string;
  guestID?: string;
  startDate?: string;
  endDate?: string;
  adults?: string | number;
  children?: string | number;
  rooms?: WireReservationRoom[];
  guestList?: Record<string, WireListedGuest>;
}

/** getReservation's `data`. */
export interface WireReservation {
  reservationID?: string;
  dateModified?: string;
  status?: string;
  startDate?: string;
  endDate?: string;
  guestList?: Record<string, WireListedGuest>;
  assigned?: WireReservationRoom[];
  unassigned?: WireReservationRoom[];
}

/** getGuest's `data` (it carries no guest id: the caller named it). */
export interface WireGuest {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  cellPhone?: string;
  country?: string;
  customFields?: WireCustomField[];
  isMerged?: boolean;
  newGuestID?: string;
}

/** postCustomItem's `data`; `notice` says a repeated referenceID created nothing. */
export interface WireSoldProduct {
  soldProductID?: string;
  transactionID?: string;
  notice?: string;
}

/** A row of getTransactions (v1.2). */
export interface WireTransaction {
  transactionID?: string;
  reservationID?: string;
  description?: string;
  notes?: string;
  amount?: number | string;
  currency?: string;
  transactionDateTimeUTC?: string;
  transactionCategory?: string;
}

/** postReservationNote answers the note's id beside `success`, not under `data`. */
export interface WireNoteAnswer {
  success?: boolean;
  reservationNoteID?: string;
  message?: string;
}

export interface WireReservationNote {
  reservationNoteID?: string;
  reservationNote?: string;
  dateCreated?: string;
}

/** A row of getHousekeepingStatus. */
export interface WireHousekeepingRoom {
  roomID?: string;
  roomName?: string;
  roomTypeName?: string;
  roomCondition?: string;
  roomOccupied?: boolean;
  roomBlocked?: boolean;
}

/** getHotelDetails' `data`, as far as a charge needs it. */
export interface WireHotelDetails {
  propertyID?: string;
  propertyCurrency?: { currencyCode?: string };
}

/** The token endpoint's answer (RFC 6749 fields). */
export interface WireTokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number | string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
}
