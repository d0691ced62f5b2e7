/**
 * Cloudbeds payloads ↔ Relay's common PMS model. Reads throw `CloudbedsAnswerError` on an answer
 * that is not what the API promises (the adapter turns it into a retryable failure).
 *
 * Cloudbeds writes its date-times as `YYYY-MM-DD HH:MM:SS` without a zone, in the property's
 * time; its guest record has no change marker, so a guest's version is a digest of the fields
 * Relay maps (any edit to them is a new version).
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Money, PmsGuest, PmsReservation, PmsRoom, PostedCharge, ReservationStatus, RoomStatus } from '../model';
import type { WireCustomField, WireGuest, WireHousekeepingRoom, WireListedGuest, WireReservation, WireReservationRoom, WireReservationRow, WireTransaction } from './wire';

export class CloudbedsAnswerError extends Error {
  override name = 'CloudbedsAnswerError';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const STATUS: Record<string, ReservationStatus> = {
  not_confirmed: 'tentative',
  confirmed: 'confirmed',
  canceled: 'cancelled',
  checked_in: 'checked_in',
  checked_out: 'checked_out',
  no_show: 'no_show',
};

function status(value: string | undefined): ReservationStatus {
  const mapped = value === undefined ? undefined : STATUS[value];
  if (mapped === undefined) throw new CloudbedsAnswerError(`reservation status ${value ?? '(none)'} is not one Cloudbeds documents`);
  return mapped;
}

function day(value: string | undefined, what: string): string {
  if (value === undefined || !DAY.test(value)) throw new CloudbedsAnswerError(`${what} ${value ?? '(none)'} is not a date`);
  return value;
}

function count(value: string | number | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n >= 0 ? Math.trunc(n) : 0;
}

const text = (value: string | undefined): string | null => (value === undefined || value.trim() === '' ? null : value.trim());

/** A property-local `YYYY-MM-DD HH:MM:SS` as an ISO 8601 UTC instant; null when absent or unreadable. */
export function localInstant(value: string | undefined, timezone: string): string | null {
  if (!value) return null;
  const parsed = DateTime.fromFormat(value, 'yyyy-MM-dd HH:mm:ss', { zone: timezone });
  return parsed.isValid ? parsed.toUTC().toISO({ suppressMilliseconds: true }) : null;
}

function mainGuestId(list: Record<string, WireListedGuest> | undefined, fallback?: string): string | null {
  const entries = Object.entries(list ?? {});
  const main = entries.find(([, g]) => g.isMainGuest === true) ?? entries[0];
  return text(main?.[1].guestID ?? main?.[0]) ?? text(fallback);
}

function firstRoom(rooms: WireReservationRoom[] | undefined): WireReservationRoom | undefined {
  return rooms?.find((r) => text(r.roomID) !== null);
}

/** A row of getReservations (asked with includeAllRooms and includeGuestsDetails). */
export function fromReservationRow(row: WireReservationRow, timezone: string): PmsReservation {
  const vendorId = text(row.reservationID);
  if (vendorId === null) throw new CloudbedsAnswerError('a reservation without reservationID');
  const room = firstRoom(row.rooms);
  return {
    vendorId,
    confirmationNumber: vendorId,
    status: status(row.status),
    arrivalDate: day(row.startDate, 'startDate'),
    departureDate: day(row.endDate, 'endDate'),
    guestVendorId: text(row.guestID) ?? mainGuestId(row.guestList),
    roomVendorId: text(room?.roomID),
    roomNumber: text(room?.roomName),
    adults: count(row.adults),
    children: count(row.children),
    updatedAt: localInstant(row.dateModified, timezone),
  };
}

/** getReservation's data: people are counted per room. */
export function fromReservation(r: WireReservation, timezone: string): PmsReservation {
  const vendorId = text(r.reservationID);
  if (vendorId === null) throw new CloudbedsAnswerError('a reservation without reservationID');
  const rooms = [...(r.assigned ?? []), ...(r.unassigned ?? [])];
  const room = firstRoom(r.assigned);
  return {
    vendorId,
    confirmationNumber: vendorId,
    status: status(r.status),
    arrivalDate: day(r.startDate, 'startDate'),
    departureDate: day(r.endDate, 'endDate'),
    guestVendorId: mainGuestId(r.guestList),
    roomVendorId: text(room?.roomID),
    roomNumber: text(room?.roomName),
    adults: rooms.reduce((sum, x) => sum + count(x.adults), 0),
    children: rooms.reduce((sum, x) => sum + count(x.children), 0),
    updatedAt: localInstant(r.dateModified, timezone),
  };
}

// --- guests ---------------------------------------------------------------------------------------------------------

function customField(fields: WireCustomField[] | undefined, name: string | undefined): string | null {
  if (name === undefined) return null;
  const wanted = name.toLowerCase();
  return text(fields?.find((f) => f.customFieldName?.toLowerCase() === wanted)?.customFieldValue);
}

/** A language as an ISO 639-1 code: `nl`, `nl-NL` and `NL` all read as `nl`; anything else as null. */
function language(value: string | null): string | null {
  const match = value === null ? null : /^([A-Za-z]{2})(?:[-_][A-Za-z]{2})?$/.exec(value);
  return match ? match[1]!.toLowerCase() : null;
}

function country(value: string | undefined): string | null {
  const v = text(value);
  return v !== null && /^[A-Za-z]{2}$/.test(v) ? v.toUpperCase() : null;
}

/** The digest of what Relay maps: the guest's version, the same whichever endpoint it came from. */
function versionOf(guest: Omit<PmsGuest, 'version'>): string {
  const fields = [guest.firstName, guest.lastName, guest.email, guest.phone, guest.language, guest.nationality];
  return `sha256:${createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 24)}`;
}

interface GuestFields {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  cellPhone?: string;
  country?: string;
  customFields?: WireCustomField[];
}

function toGuest(vendorId: string, g: GuestFields, languageField: string | undefined): PmsGuest {
  const lastName = text(g.lastName);
  if (lastName === null) throw new CloudbedsAnswerError(`guest ${vendorId} without a last name`);
  const guest = {
    vendorId,
    firstName: text(g.firstName),
    lastName,
    email: text(g.email),
    // The mobile number is the one messages reach; the other is often the guest's home or office.
    phone: text(g.cellPhone) ?? text(g.phone),
    language: language(customField(g.customFields, languageField)),
    // Cloudbeds keeps one country per guest (the registration card's): the nearest to a nationality.
    nationality: country(g.country),
    preferences: [],
    // `guestOptIn` is consent to marketing, not to service messages: Relay's own record decides.
    messagingConsent: null,
  };
  return { ...guest, version: versionOf(guest) };
}

export function fromGuest(vendorId: string, g: WireGuest, languageField: string | undefined): PmsGuest {
  return toGuest(vendorId, g, languageField);
}

export function fromListedGuest(g: WireListedGuest, fallbackId: string, languageField: string | undefined): PmsGuest {
  const id = text(g.guestID) ?? fallbackId;
  return toGuest(id, { firstName: g.guestFirstName, lastName: g.guestLastName, email: g.guestEmail, phone: g.guestPhone, cellPhone: g.guestCellPhone, country: g.guestCountry, customFields: g.customFields }, languageField);
}

/** The main guest a reservation row lists (with includeGuestsDetails), or null. */
export function mainGuestOf(row: WireReservationRow, languageField: string | undefined): PmsGuest | null {
  const entries = Object.entries(row.guestList ?? {});
  const wanted = text(row.guestID);
  const main = entries.find(([id, g]) => (g.guestID ?? id) === wanted) ?? entries.find(([, g]) => g.isMainGuest === true);
  return main === undefined ? null : fromListedGuest(main[1], main[0], languageField);
}

// --- charges --------------------------------------------------------------------------------------------------------

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().minimumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A decimal as Cloudbeds reads it ("12.50"), or null when it is not one. */
export function decimalAmount(amount: string): string | null {
  const trimmed = amount.trim();
  return /^-?\d{1,13}(\.\d{1,6})?$/.test(trimmed) ? trimmed : null;
}

/** An amount Cloudbeds answered (number or text) in the currency's usual digits. */
export function moneyText(amount: number | string, currency: string): string {
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) throw new CloudbedsAnswerError(`amount ${String(amount)} is not a number`);
  return n.toFixed(minorDigits(currency));
}

export function fromTransaction(t: WireTransaction, reference: string, fallbackCurrency: string | null): PostedCharge {
  const vendorId = text(t.transactionID);
  if (vendorId === null) throw new CloudbedsAnswerError('a transaction without transactionID');
  const currency = text(t.currency)?.toUpperCase() ?? fallbackCurrency;
  if (currency === null || t.amount === undefined) throw new CloudbedsAnswerError(`transaction ${vendorId} without amount or currency`);
  const amount: Money = { amount: moneyText(t.amount, currency), currency };
  const postedAt = t.transactionDateTimeUTC ? DateTime.fromFormat(t.transactionDateTimeUTC, 'yyyy-MM-dd HH:mm:ss', { zone: 'utc' }) : null;
  return { vendorId, reference, amount, postedAt: postedAt?.isValid ? postedAt.toISO({ suppressMilliseconds: true }) : null };
}

// --- rooms ----------------------------------------------------------------------------------------------------------

const CONDITION: Record<string, RoomStatus> = { clean: 'clean', dirty: 'dirty', inspected: 'inspected' };

export function fromHousekeepingRoom(r: WireHousekeepingRoom): PmsRoom {
  const vendorId = text(r.roomID);
  if (vendorId === null) throw new CloudbedsAnswerError('a room without roomID');
  const condition = r.roomCondition === undefined ? undefined : CONDITION[r.roomCondition.toLowerCase()];
  if (condition === undefined) throw new CloudbedsAnswerError(`room ${vendorId} has condition ${r.roomCondition ?? '(none)'}`);
  return {
    vendorId,
    number: text(r.roomName) ?? vendorId,
    // A blocked room takes no guests whatever its cleaning condition.
    status: r.roomBlocked === true ? 'out_of_service' : condition,
    occupied: typeof r.roomOccupied === 'boolean' ? r.roomOccupied : null,
    roomType: text(r.roomTypeName),
    floor: null,
  };
}
