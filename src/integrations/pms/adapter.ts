import type { Logger } from '../../logger';
import type { CapabilityTable } from './operations';
import type {
  ChargeRequest,
  DateRange,
  GuestPatch,
  NoteRequest,
  PmsArrival,
  PmsGuest,
  PmsReservation,
  PmsRoom,
  PostedCharge,
  PostedNote,
  ReservationQuery,
} from './model';

/**
 * Everything Relay needs from a PMS, for one property. Adapters hide their vendor's quirks
 * (auth, paging, field names, time zones, limits) behind it; a method the vendor cannot do
 * throws `unsupportedOperation` (non-retryable) and is marked so in the capability table.
 * Vendor failures surface through the shared vendor HTTP client's typed failures.
 */
export interface PmsAdapter {
  getGuest(vendorId: string): Promise<PmsGuest | null>;
  getReservation(vendorId: string): Promise<PmsReservation | null>;
  searchReservations(query: ReservationQuery): Promise<PmsReservation[]>;
  /** Reservations arriving on the given local days, every page, cancelled ones included (so that a poll sees cancellations). */
  listArrivals(range: DateRange): Promise<PmsArrival[]>;
  /**
   * Posts one charge to the reservation's folio. Vendors with their own idempotency send
   * `reference` as its key; for the others the core calls `findCharge` before any retry.
   */
  postCharge(request: ChargeRequest): Promise<PostedCharge>;
  /**
   * The charge this `reference` posted, if the vendor holds one: what a check-before-retry
   * reads after an answer was lost. Matches on the reference alone, never on amount or text,
   * so a charge another request posted is never taken for this one.
   */
  findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null>;
  postNote(request: NoteRequest): Promise<PostedNote>;
  /** Same rule as `findCharge`: the note this reference posted, or null. */
  findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null>;
  /** Applies the patch and returns the profile as the vendor now holds it. */
  updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest>;
  listRooms(): Promise<PmsRoom[]>;
}

/** The property an adapter serves, as Relay stores it (credentials already unsealed). */
export interface PmsPropertyConnection<Credentials> {
  /** Relay's property id (for logs and limits, never sent to the vendor). */
  propertyId: string;
  /** The vendor's id of the hotel: Mews enterprise id, OPERA hotel code, ... */
  vendorPropertyId: string;
  /** IANA zone of the hotel: local days become vendor time windows with it. */
  timezone: string;
  credentials: Credentials;
}

/** What the core hands an adapter besides its property. */
export interface PmsAdapterContext<VendorSettings, Credentials> {
  /** The vendor-wide settings (base URL, integration-level keys) from Relay's configuration. */
  settings: VendorSettings;
  property: PmsPropertyConnection<Credentials>;
  logger: Logger;
  /**
   * Sends one HTTP request within the vendor's limit at its own scope (see `rateScope`), across
   * every worker process: waits until the limit allows one more, runs `send`, and counts the
   * request until its answer is back. The adapter wraps every request it sends in it.
   */
  withinLimit: <T>(send: () => Promise<T>) => Promise<T>;
  /** Cancels requests when the activity is cancelled. */
  signal?: AbortSignal;
}

/** One vendor limit: `limit` requests per `windowMs`, counted per `key` (shared by every worker through PostgreSQL). */
export interface RateScope {
  key: string;
  limit: number;
  windowMs: number;
}

export type { CapabilityTable };
