/**
 * protel's OTA / HTNG answer elements ↔ Relay's common PMS model. Reads throw
 * `ProtelAnswerError` on an element that lacks what the message promises (the adapter turns it
 * into a retryable failure).
 */
import { createHash } from 'node:crypto';
import type { PmsGuest, PmsReservation, PmsRoom, PostedCharge, ReservationStatus, RoomStatus } from '../model';
import { AQC, UIT } from './wire';
import { attr, child, children, path, type XmlElement } from './xml';

export class ProtelAnswerError extends Error {
  override name = 'ProtelAnswerError';
}

const DAY = /^\d{4}-\d{2}-\d{2}/;

function day(value: string | undefined, what: string): string {
  const match = value === undefined ? null : DAY.exec(value);
  if (match === null) throw new ProtelAnswerError(`${what} ${value ?? '(none)'} is not a date`);
  return match[0];
}

/** An OTA date-time as an ISO 8601 UTC instant, or null when absent or unreadable. */
export function instant(value: string | undefined): string | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function uniqueIdOf(parent: XmlElement | undefined, type: string): string | undefined {
  return children(parent, 'UniqueID').find((u) => attr(u, 'Type') === type && attr(u, 'ID'))?.attrs.ID;
}

function count(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

// --- reservations ---------------------------------------------------------------------------------------------------

/** OTA PMS_ResStatus values protel answers with. */
const STATUS: Record<string, ReservationStatus> = {
  Reserved: 'confirmed',
  Requested: 'tentative',
  Waitlisted: 'tentative',
  'In-house': 'checked_in',
  'Checked out': 'checked_out',
  Cancelled: 'cancelled',
  'No-show': 'no_show',
};

export function reservationStatus(value: string | undefined): ReservationStatus {
  const mapped = value === undefined ? undefined : STATUS[value];
  if (mapped === undefined) throw new ProtelAnswerError(`reservation status ${value ?? '(none)'} is not one protel answers with`);
  return mapped;
}

export interface ProtelComment {
  id: string;
  text: string;
}

export interface ReadReservation {
  reservation: PmsReservation;
  /** Only in a look-up by ResID (searches carry limited detail). */
  comments: ProtelComment[];
}

/** One `HotelReservation` of OTA_ResRetrieveRS. */
export function fromHotelReservation(r: XmlElement): ReadReservation {
  const vendorId = uniqueIdOf(r, UIT.reservation);
  if (vendorId === undefined) throw new ProtelAnswerError('a reservation without its reservation UniqueID');
  const stay = path(r, 'RoomStays', 'RoomStay');
  const span = child(stay, 'TimeSpan');
  const room = path(stay, 'RoomTypes', 'RoomType');
  const counts = children(child(stay, 'GuestCounts'), 'GuestCount');
  const guestsOf = (code: string) => counts.filter((c) => attr(c, 'AgeQualifyingCode') === code).reduce((sum, c) => sum + count(attr(c, 'Count')), 0);
  const resGuests = children(child(r, 'ResGuests'), 'ResGuest');
  const primary = resGuests.find((g) => attr(g, 'PrimaryIndicator') === 'true') ?? resGuests[0];
  const profileId = uniqueIdOf(path(primary, 'Profiles', 'ProfileInfo'), UIT.customer) ?? null;
  const global = child(r, 'ResGlobalInfo');
  const confirmation = children(child(global, 'HotelReservationIDs'), 'HotelReservationID').find((h) => attr(h, 'ResID_Type') === UIT.hotel)?.attrs.ResID_Value;
  const roomId = attr(room, 'RoomID') || null;
  return {
    reservation: {
      vendorId,
      confirmationNumber: confirmation ?? vendorId,
      status: reservationStatus(attr(r, 'ResStatus')),
      arrivalDate: day(attr(span, 'Start'), 'arrival'),
      departureDate: day(attr(span, 'End'), 'departure'),
      guestVendorId: profileId,
      roomVendorId: roomId,
      roomNumber: roomId,
      adults: guestsOf(AQC.adult),
      children: guestsOf(AQC.child),
      updatedAt: instant(attr(r, 'LastModifyDateTime')),
    },
    comments: children(child(global, 'Comments'), 'Comment').flatMap((c) => {
      const id = attr(c, 'ParagraphNumber');
      return id ? [{ id, text: child(c, 'Text')?.text ?? c.text }] : [];
    }),
  };
}

// --- guests ---------------------------------------------------------------------------------------------------------

/** The entry protel marks default, else the first. */
function preferred(list: XmlElement[]): XmlElement | undefined {
  return list.find((e) => attr(e, 'DefaultInd') === 'true') ?? list[0];
}

function isoLanguage(code: string | undefined): string | null {
  const match = code === undefined ? null : /^([A-Za-z]{2})(?:[-_][A-Za-z]{2})?$/.exec(code.trim());
  return match ? match[1]!.toLowerCase() : null;
}

function isoCountry(code: string | undefined): string | null {
  return code !== undefined && /^[A-Za-z]{2}$/.test(code.trim()) ? code.trim().toUpperCase() : null;
}

/** A change marker for a profile without `LastModifyDateTime`: a digest of every field Relay maps. */
export function guestDigest(guest: Omit<PmsGuest, 'version'>): string {
  const fields = [guest.vendorId, guest.firstName, guest.lastName, guest.email, guest.phone, guest.language, guest.nationality, guest.preferences];
  return `h:${createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex').slice(0, 32)}`;
}

/** One `ProfileInfo` of OTA_ProfileReadRS. protel has no field for consent to service messages: Relay's own record decides. */
export function fromProfileInfo(info: XmlElement): PmsGuest {
  const vendorId = uniqueIdOf(info, UIT.customer);
  if (vendorId === undefined) throw new ProtelAnswerError('a profile without its customer UniqueID');
  const profile = child(info, 'Profile');
  const customer = child(profile, 'Customer');
  if (customer === undefined) throw new ProtelAnswerError(`profile ${vendorId} without Customer`);
  const name = child(customer, 'PersonName');
  const phone = attr(preferred(children(customer, 'Telephone').filter((t) => attr(t, 'PhoneNumber'))), 'PhoneNumber') ?? null;
  const email = preferred(children(customer, 'Email').filter((e) => e.text !== ''))?.text ?? null;
  const preferences = children(child(profile, 'PrefCollections'), 'PrefCollection')
    .flatMap((c) => children(c, 'HotelPref'))
    .flatMap((h) => children(h, 'SpecRequestPref'))
    .map((p) => p.text)
    .filter((t) => t !== '');
  const guest: Omit<PmsGuest, 'version'> = {
    vendorId,
    firstName: child(name, 'GivenName')?.text || null,
    lastName: child(name, 'Surname')?.text ?? '',
    email,
    phone,
    language: isoLanguage(attr(customer, 'Language')),
    nationality: isoCountry(attr(child(customer, 'CitizenCountryName'), 'Code')),
    preferences,
    messagingConsent: null,
  };
  return { ...guest, version: instant(attr(profile, 'LastModifyDateTime')) ?? guestDigest(guest) };
}

// --- charges --------------------------------------------------------------------------------------------------------

/** A posting of HTNG_ChargePostingRS or of a folio in HTNG_HotelFolioRS. */
export function fromPosting(posting: XmlElement, reference: string, fallback?: { amount: string; currency: string }): PostedCharge {
  const vendorId = attr(posting, 'PostingID');
  if (!vendorId) throw new ProtelAnswerError('a posting without PostingID');
  const amount = attr(posting, 'Amount');
  const currency = attr(posting, 'CurrencyCode');
  const money = amount !== undefined && currency !== undefined ? { amount, currency } : fallback;
  if (money === undefined) throw new ProtelAnswerError(`posting ${vendorId} without an amount`);
  return { vendorId, reference, amount: money, postedAt: instant(attr(posting, 'PostedDateTime')) };
}

// --- rooms ----------------------------------------------------------------------------------------------------------

const ROOM_STATUS: Record<string, RoomStatus> = {
  Clean: 'clean',
  Dirty: 'dirty',
  Inspected: 'inspected',
  Pickup: 'pickup',
  OutOfService: 'out_of_service',
  OutOfOrder: 'out_of_order',
};

/** One `Room` of HTNG_HotelRoomStatusRS. */
export function fromRoom(room: XmlElement): PmsRoom {
  const id = attr(room, 'RoomID');
  if (!id) throw new ProtelAnswerError('a room without RoomID');
  const status = ROOM_STATUS[attr(room, 'HousekeepingStatus') ?? ''];
  if (status === undefined) throw new ProtelAnswerError(`room ${id} has status ${attr(room, 'HousekeepingStatus') ?? '(none)'}`);
  const occupancy = attr(room, 'OccupancyStatus');
  return {
    vendorId: id,
    number: id,
    status,
    occupied: occupancy === 'Occupied' ? true : occupancy === 'Vacant' ? false : null,
    roomType: attr(room, 'RoomTypeCode') ?? null,
    floor: attr(room, 'Floor') ?? null,
  };
}
