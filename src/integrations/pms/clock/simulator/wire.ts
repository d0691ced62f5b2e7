/**
 * Clock PMS+ records as the simulator answers them, written from Clock's field dictionary
 * (developers.clock-software.com: bookings, guests, booking_guests, charges) and the response
 * fields of its Postman collection (booking - VIEW, rooms - VIEW, room_types - VIEW,
 * booking_charges_by_source, booking_to_dos). The simulator's own definitions: it never imports
 * the adapter or its mapping.
 */

export type WireBookingStatus = 'expected' | 'checked_in' | 'checked_out' | 'canceled' | 'no_show';

export const BOOKING_STATUSES: readonly WireBookingStatus[] = ['expected', 'checked_in', 'checked_out', 'canceled', 'no_show'];

export interface WireBooking {
  id: number;
  account_id: number;
  /** Staff-defined, not unique (may carry a prefix or suffix). */
  number: string;
  arrival: string;
  departure: string;
  arrival_time: string | null;
  departure_time: string | null;
  early_arrival: boolean;
  late_departure: boolean;
  transfer_arrival: string | null;
  transfer_departure: string | null;
  created_at: string;
  updated_at: string;
  user_created: string;
  user_updated: string;
  status: WireBookingStatus;
  status_changed_at: string;
  adults: number;
  children: number;
  company_id: number | null;
  block_id: number | null;
  source_of_business_company_id: number | null;
  arrival_room_type_id: number;
  arrival_room_id: number | null;
  current_room_id: number | null;
  rate_id: number | null;
  reference_number: string | null;
  reference_date: string | null;
  is_guaranteed: boolean;
}

/** A guest profile: shared by every account (hotel) of the subscription. */
export interface WireGuest {
  id: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  e_mail: string | null;
  accept_marketing_emails: boolean;
  person_title_id: number | null;
  family_id: number | null;
  accompany: string | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  /** ISO 3166 alpha-2 of the guest's address. */
  country: string | null;
  state: string | null;
  city: string | null;
  address: string | null;
  zip_code: string | null;
  phone_number: string | null;
  fax_number: string | null;
  notes: string | null;
  level: string | null;
  age: string | null;
  /** As the hotel records it. */
  language: string | null;
}

export interface WireBookingGuest {
  id: number;
  booking_id: number;
  guest_id: number;
  main_booking_guest: boolean;
  registration_card_number: string | null;
  registration_card: boolean;
  created_at: string;
  updated_at: string;
  verified_at: string | null;
  verified_by_id: number | null;
  signature_id: number | null;
  guest: WireGuest;
}

/** Legacy housekeeping statuses: "" is clean and ready. */
export type WireHousekeepingStatus = '' | 'inspect' | 'progress' | 'dirty' | 'checked out';

export const HOUSEKEEPING_STATUSES: readonly WireHousekeepingStatus[] = ['', 'inspect', 'progress', 'dirty', 'checked out'];

export interface WireRoom {
  id: number;
  name: string;
  room_type_id: number;
  created_at: string;
  updated_at: string;
  description: string | null;
  sort_order: number;
  location_id: number | null;
  housekeeping_status: WireHousekeepingStatus;
  housekeeping_changed_at: string | null;
  housekeeping_sector: string | null;
  active_from: string | null;
  active_to: string | null;
  floor: string | null;
  is_virtual: boolean;
  room_status_allocations: unknown[];
  component_room_ids: number[];
}

export interface WireRoomType {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  location_id: number | null;
  operational_until: string | null;
  upgrade_index: number;
  beds_count: number;
  sort_order: number;
  is_virtual: boolean;
  components_room_type_ids: number[];
}

/** The fixed revenue groups of Clock PMS+ charges. */
export const REVENUE_GROUPS = ['rooms', 'f&b', 'extra', 'other', 'tax', 'packages', 'deposit', 'surcharge', 'surcharge_transfer', 'discount'] as const;

export interface WireCharge {
  id: number;
  folio_id: number;
  text: string;
  print_text: string | null;
  service_date: string;
  archived_at: string | null;
  voided_at: string | null;
  created_at: string;
  updated_at: string;
  price_cents: number;
  currency: string;
  qty: number;
  revenue_group: string;
  revenue_category: string | null;
  tax_rate: number;
  fixed_value_cents: number;
  fixed_value_currency: string;
  net_value_cents: number;
  tax_value_cents: number;
  gross_value_cents: number;
  version: number;
  invoice_to_id: number;
  invoice_to_type: string;
  /** Set by Clock, never by the caller: the booking the charge was made for. */
  source_id: number;
  source_type: 'Booking';
}

export interface WireToDo {
  id: number;
  text: string;
  date: string;
  created_at: string;
  updated_at: string;
  priority: string | null;
  completed_dt: string | null;
  completed_user_id: number | null;
  assigned_user_id: number | null;
  channel: string | null;
  housekeeping_credits: number | null;
  user_created_id: number | null;
  user_updated_id: number | null;
}

/** The account (hotel) as the API's root page shows it. */
export interface WireAccount {
  id: number;
  name: string;
  created_at: string;
  type: 'hotel';
  email: string;
  time_zone: string;
  default_language: string;
}

/** Clock's timestamps: UTC with milliseconds, as Rails renders them. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** A refusal Clock answers with a status and a JSON body (`{"error": ...}` or Rails' `{"errors": {...}}`). */
export class ClockError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = { error: message },
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ClockError(404, `Couldn't find ${what}`);
export const badRequest = (message: string) => new ClockError(400, message);

/** Rails validation errors: 422 with the messages per field. */
export function invalid(errors: Record<string, string[]>): ClockError {
  const message = Object.entries(errors)
    .map(([field, list]) => `${field} ${list.join(', ')}`)
    .join('; ');
  return new ClockError(422, message, { errors });
}
