/**
 * OHIP payloads ↔ Relay's common PMS model. Reads throw `OperaAnswerError` on an answer that is
 * not what the spec promises (the adapter turns it into a retryable failure); writes build the
 * smallest body OPERA needs.
 */
import { createHash } from 'node:crypto';
import type { GuestPatch, Money, PmsGuest, PmsReservation, PmsRoom, PostedCharge, ReservationStatus, RoomStatus } from '../model';
import type {
  WireEmailInfo,
  WireHotelReservation,
  WireId,
  WirePersonName,
  WirePosting,
  WireProfile,
  WireProfileDetails,
  WireReservationInfo,
  WireRoom,
  WireTelephoneInfo,
} from './wire';

/** An answer that does not hold what OHIP's spec says it holds. */
export class OperaAnswerError extends Error {
  override name = 'OperaAnswerError';
}

// --- reservations ---------------------------------------------------------------------------------------------------

/** `pMS_ResStatusType` → Relay's status: the stored status first, the business-date view (`DueIn`, `DueOut`) when absent. */
const STATUS: Record<string, ReservationStatus> = {
  Reserved: 'confirmed',
  DueIn: 'confirmed',
  Requested: 'tentative',
  Waitlisted: 'tentative',
  InHouse: 'checked_in',
  DueOut: 'checked_in',
  Walkin: 'checked_in',
  PendingCheckout: 'checked_in',
  CheckedOut: 'checked_out',
  Cancelled: 'cancelled',
  NoShow: 'no_show',
};

export function reservationStatus(status: string | undefined, computed: string | undefined): ReservationStatus {
  const value = status ?? computed;
  const mapped = value === undefined ? undefined : STATUS[value];
  if (mapped === undefined) throw new OperaAnswerError(`reservation status ${value ?? '(none)'} is not one of pMS_ResStatusType`);
  return mapped;
}

function idOfType(ids: WireId[] | undefined, type: string): string | undefined {
  return ids?.find((id) => id.type === type && typeof id.id === 'string' && id.id !== '')?.id;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | undefined, what: string): string {
  if (value === undefined || !DAY.test(value)) throw new OperaAnswerError(`${what} ${value ?? '(none)'} is not a date`);
  return value;
}

/** An OPERA date-time as an ISO 8601 UTC instant, or null when absent or unreadable. */
export function instant(value: string | undefined): string | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A row of the reservation search (`reservationInfoType`). */
export function fromReservationInfo(info: WireReservationInfo): PmsReservation {
  const vendorId = idOfType(info.reservationIdList, 'Reservation');
  if (vendorId === undefined) throw new OperaAnswerError('a reservation without its Reservation id');
  const stay = info.roomStay ?? {};
  return {
    vendorId,
    confirmationNumber: idOfType(info.reservationIdList, 'Confirmation') ?? vendorId,
    status: reservationStatus(info.reservationStatus, info.computedReservationStatus),
    arrivalDate: day(stay.arrivalDate, 'arrivalDate'),
    departureDate: day(stay.departureDate, 'departureDate'),
    guestVendorId: info.reservationGuest?.id ?? null,
    roomVendorId: stay.roomId ?? null,
    roomNumber: stay.roomId ?? null,
    adults: stay.adultCount ?? 0,
    children: stay.childCount ?? 0,
    updatedAt: instant(info.lastModifyDateTime),
  };
}

/** One reservation as `getReservation` returns it (`hotelReservationType`). */
export function fromHotelReservation(r: WireHotelReservation): PmsReservation {
  const vendorId = idOfType(r.reservationIdList, 'Reservation');
  if (vendorId === undefined) throw new OperaAnswerError('a reservation without its Reservation id');
  const stay = r.roomStay ?? {};
  const guests = r.reservationGuests ?? [];
  const primary = guests.find((g) => g.primary) ?? guests[0];
  const room = stay.currentRoomInfo?.roomId ?? null;
  return {
    vendorId,
    confirmationNumber: idOfType(r.reservationIdList, 'Confirmation') ?? vendorId,
    status: reservationStatus(r.reservationStatus, r.computedReservationStatus),
    arrivalDate: day(stay.arrivalDate, 'arrivalDate'),
    departureDate: day(stay.departureDate, 'departureDate'),
    guestVendorId: idOfType(primary?.profileInfo?.profileIdList, 'Profile') ?? null,
    roomVendorId: room,
    roomNumber: room,
    adults: stay.guestCounts?.adults ?? 0,
    children: stay.guestCounts?.children ?? 0,
    updatedAt: instant(r.lastModifyDateTime),
  };
}

// --- guests ---------------------------------------------------------------------------------------------------------

function primaryName(details: WireProfileDetails): WirePersonName | undefined {
  const names = details.customer?.personName ?? [];
  return names.find((n) => n.nameType === 'Primary') ?? names.find((n) => n.nameType === undefined) ?? names[0];
}

/** The entry OPERA marks primary, else the first by `orderSequence`, else the first listed. */
function pickPrimary<T>(list: T[], flags: (item: T) => { primaryInd?: boolean; orderSequence?: number } | undefined): T | undefined {
  const ranked = list.map((item, i) => ({ item, i, primary: flags(item)?.primaryInd === true, order: flags(item)?.orderSequence ?? Infinity }));
  ranked.sort((a, b) => Number(b.primary) - Number(a.primary) || a.order - b.order || a.i - b.i);
  return ranked[0]?.item;
}

export function primaryTelephone(details: WireProfileDetails): WireTelephoneInfo | undefined {
  return pickPrimary((details.telephones?.telephoneInfo ?? []).filter((t) => t.telephone?.phoneNumber), (t) => t.telephone);
}

export function primaryEmail(details: WireProfileDetails): WireEmailInfo | undefined {
  return pickPrimary((details.emails?.emailInfo ?? []).filter((e) => e.email?.emailAddress), (e) => e.email);
}

/** OPERA's language code as ISO 639-1 where it is one (`EN`, `en-GB`); OPERA's own single-letter codes are not. */
function isoLanguage(code: string | undefined): string | null {
  const match = code === undefined ? null : /^([A-Za-z]{2})(?:[-_][A-Za-z]{2})?$/.exec(code.trim());
  return match ? match[1]!.toLowerCase() : null;
}

function isoCountry(code: string | undefined): string | null {
  return code !== undefined && /^[A-Za-z]{2}$/.test(code.trim()) ? code.trim().toUpperCase() : null;
}

/** Preferences as `TYPE:CODE` (OPERA keys a preference by its type and code; both are hotel configuration). */
export function preferenceKeys(details: WireProfileDetails): string[] {
  const keys: string[] = [];
  for (const group of details.preferenceCollection?.preferenceType ?? []) {
    for (const p of group.preference ?? []) {
      const code = p.preferenceCode ?? p.preferenceValue;
      if (group.preferenceType && code) keys.push(`${group.preferenceType}:${code}`);
    }
  }
  return keys;
}

/** A change marker for a profile without `lastModifyDateTime`: a digest of every field Relay maps. */
export function guestDigest(guest: Omit<PmsGuest, 'version'>): string {
  const fields = [guest.vendorId, guest.firstName, guest.lastName, guest.email, guest.phone, guest.language, guest.nationality, guest.preferences, guest.messagingConsent];
  return `h:${createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex').slice(0, 32)}`;
}

export function fromProfile(profile: WireProfile, requestedId: string): PmsGuest {
  const details = profile.profileDetails;
  if (details === undefined) throw new OperaAnswerError('a profile without profileDetails');
  const name = primaryName(details);
  const privacy = details.privacyInfo;
  const guest: Omit<PmsGuest, 'version'> = {
    vendorId: idOfType(profile.profileIdList, 'Profile') ?? requestedId,
    firstName: name?.givenName ?? null,
    lastName: name?.surname ?? '',
    email: primaryEmail(details)?.email?.emailAddress ?? null,
    phone: primaryTelephone(details)?.telephone?.phoneNumber ?? null,
    language: isoLanguage(details.customer?.language ?? name?.language),
    nationality: isoCountry(details.customer?.nationality),
    preferences: preferenceKeys(details),
    messagingConsent: privacy?.optInSms ?? privacy?.allowSMS ?? null,
  };
  return { ...guest, version: details.lastModifyDateTime ?? guestDigest(guest) };
}

export interface PreferenceKey {
  type: string;
  code: string;
}

export function parsePreference(key: string): PreferenceKey | null {
  const match = /^([^:\s]{1,20}):([^:\s]{1,20})$/.exec(key.trim());
  return match ? { type: match[1]!, code: match[2]! } : null;
}

/**
 * The `putProfile` body for a patch: the primary name with the changed parts, the primary phone
 * and e-mail entries changed in place (by their ids; added when the profile has none), the
 * language, and the preferences to add. Preferences to remove are separate calls.
 */
export function toProfileUpdate(profileId: string, current: WireProfileDetails, patch: GuestPatch, addPreferences: PreferenceKey[]): WireProfile {
  const details: WireProfileDetails = {};
  if (patch.firstName !== undefined || patch.lastName !== undefined || typeof patch.language === 'string') {
    const name = primaryName(current) ?? {};
    details.customer = {
      personName: [{ ...name, givenName: patch.firstName ?? name.givenName, surname: patch.lastName ?? name.surname, nameType: 'Primary' }],
      ...(typeof patch.language === 'string' ? { language: patch.language.toUpperCase() } : {}),
    };
  }
  if (typeof patch.phone === 'string') {
    const existing = primaryTelephone(current);
    const telephone = { phoneTechType: 'MOBILE', ...existing?.telephone, phoneNumber: patch.phone, primaryInd: true };
    details.telephones = { telephoneInfo: [{ ...(existing?.id ? { id: existing.id, type: existing.type ?? 'Telephone' } : {}), telephone }] };
  }
  if (typeof patch.email === 'string') {
    const existing = primaryEmail(current);
    const email = { type: 'EMAIL', ...existing?.email, emailAddress: patch.email, primaryInd: true };
    details.emails = { emailInfo: [{ ...(existing?.id ? { id: existing.id, type: existing.type ?? 'Email' } : {}), email }] };
  }
  if (addPreferences.length > 0) {
    const byType = new Map<string, string[]>();
    for (const p of addPreferences) byType.set(p.type, [...(byType.get(p.type) ?? []), p.code]);
    details.preferenceCollection = {
      preferenceType: [...byType].map(([type, codes]) => ({ preferenceType: type, preference: codes.map((code) => ({ preferenceCode: code })) })),
    };
  }
  return { profileIdList: [{ id: profileId, type: 'Profile' }], profileDetails: details };
}

// --- charges --------------------------------------------------------------------------------------------------------

/** A decimal text ("12.50") as the JSON number OHIP's `price.amount` is; refuses what a number cannot hold exactly. */
export function amountNumber(amount: string): number | null {
  if (!/^-?\d{1,13}(\.\d{1,6})?$/.test(amount.trim())) return null;
  return Number(amount.trim());
}

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().minimumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A JSON amount as decimal text with at least the currency's minor digits: 12.5 EUR → "12.50". */
export function decimalText(amount: number, currency: string): string {
  const text = String(amount);
  const [whole, fraction = ''] = text.split('.');
  const digits = Math.max(fraction.length, minorDigits(currency));
  return digits === 0 ? whole! : `${whole}.${fraction.padEnd(digits, '0')}`;
}

export function postingMoney(posting: WirePosting, fallbackCurrency?: string): Money | null {
  const source = posting.price?.amount !== undefined ? posting.price : posting.postedAmount;
  const amount = source?.amount ?? posting.transactionAmount;
  const currency = source?.currencyCode ?? fallbackCurrency;
  if (amount === undefined || currency === undefined) return null;
  return { amount: decimalText(amount, currency), currency };
}

export function fromPosting(posting: WirePosting, reference: string, fallback?: Money): PostedCharge {
  if (posting.transactionNo === undefined) throw new OperaAnswerError('a posting without transactionNo');
  const amount = postingMoney(posting, fallback?.currency) ?? fallback;
  if (amount === undefined) throw new OperaAnswerError('a posting without an amount');
  return { vendorId: String(posting.transactionNo), reference, amount, postedAt: instant(posting.postingTime?.time) };
}

// --- rooms ----------------------------------------------------------------------------------------------------------

const ROOM_STATUS: Record<string, RoomStatus> = {
  Clean: 'clean',
  Dirty: 'dirty',
  Pickup: 'pickup',
  Inspected: 'inspected',
  OutOfOrder: 'out_of_order',
  OutOfService: 'out_of_service',
};

export function fromRoom(room: WireRoom): PmsRoom {
  if (!room.roomId) throw new OperaAnswerError('a room without roomId');
  const status = room.housekeeping?.housekeepingRoomStatus;
  const mapped = status?.housekeepingRoomStatus === undefined ? undefined : ROOM_STATUS[status.housekeepingRoomStatus];
  if (mapped === undefined) throw new OperaAnswerError(`room ${room.roomId} has status ${status?.housekeepingRoomStatus ?? '(none)'}`);
  const frontOffice = status?.frontOfficeStatus;
  return {
    vendorId: room.roomId,
    number: room.roomId,
    status: mapped,
    occupied: frontOffice === 'Occupied' ? true : frontOffice === 'Vacant' ? false : null,
    roomType: room.roomType?.roomType ?? null,
    floor: room.floor ?? null,
  };
}
