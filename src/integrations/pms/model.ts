/**
 * Relay's common PMS model: what every vendor adapter maps its records to. Vendor ids travel
 * alongside (`vendorId`); Relay's own ids are given by the cache, never sent to a vendor.
 * Dates of stay are the property's local calendar days (`YYYY-MM-DD`); instants are ISO 8601 UTC.
 */

export type ReservationStatus = 'tentative' | 'confirmed' | 'checked_in' | 'checked_out' | 'cancelled' | 'no_show';

export type RoomStatus = 'clean' | 'dirty' | 'inspected' | 'pickup' | 'out_of_service' | 'out_of_order';

export interface PmsGuest {
  vendorId: string;
  firstName: string | null;
  lastName: string;
  email: string | null;
  /** As the PMS holds it (national formats included); Relay normalises it with the property's country. */
  phone: string | null;
  /** ISO 639-1 where the PMS has it. */
  language: string | null;
  /** ISO 3166-1 alpha-2 where the PMS has it. */
  nationality: string | null;
  /** Preference codes or texts (room features, dietary wishes), in the PMS's order. */
  preferences: string[];
  /** Messaging consent as the PMS records it; null when this PMS has no such field (Relay's own record decides). */
  messagingConsent: boolean | null;
  /**
   * The vendor's change marker for this profile (its updated-at instant or version). A guest
   * update carries the marker the caller read; a different one now means the hotel edited it.
   */
  version: string;
}

export interface PmsReservation {
  vendorId: string;
  /** The number a guest and the front desk quote. */
  confirmationNumber: string;
  status: ReservationStatus;
  arrivalDate: string;
  departureDate: string;
  guestVendorId: string | null;
  roomVendorId: string | null;
  roomNumber: string | null;
  adults: number;
  children: number;
  /** The vendor's last-modified instant, when it gives one. */
  updatedAt: string | null;
}

/** An arrival as a poll lists it: the reservation and, where the vendor returns it along, its main guest. */
export interface PmsArrival {
  reservation: PmsReservation;
  guest: PmsGuest | null;
}

export interface PmsRoom {
  vendorId: string;
  number: string;
  status: RoomStatus;
  /** Front-office occupancy where the PMS reports it. */
  occupied: boolean | null;
  roomType: string | null;
  floor: string | null;
}

/** A decimal amount as text ("12.50") so that no float rounding reaches a folio. */
export interface Money {
  amount: string;
  currency: string;
}

export interface ChargeRequest {
  reservationVendorId: string;
  amount: Money;
  description: string;
  /** The vendor's item / transaction code where it needs one (OPERA transaction code, Mews accounting category). */
  itemCode?: string;
  /**
   * Relay's reference for this one request (derived from the caller's idempotency key): sent
   * with the charge where the vendor stores it, and what a check-before-retry searches for.
   */
  reference: string;
}

export interface PostedCharge {
  vendorId: string;
  reference: string;
  amount: Money;
  postedAt: string | null;
}

export interface NoteRequest {
  reservationVendorId: string;
  text: string;
  reference: string;
}

export interface PostedNote {
  vendorId: string;
  reference: string;
}

/** Fields a guest update may change; absent ones are left as they are. */
export interface GuestPatch {
  firstName?: string;
  lastName?: string;
  email?: string | null;
  phone?: string | null;
  language?: string | null;
  preferences?: string[];
}

export interface ReservationQuery {
  confirmationNumber?: string;
  lastName?: string;
  arrivalFrom?: string;
  arrivalTo?: string;
}

/** A local day range, both ends inclusive. */
export interface DateRange {
  from: string;
  to: string;
}
