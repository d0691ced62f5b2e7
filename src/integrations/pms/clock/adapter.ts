/**
 * The PMS interface over Clock PMS+'s pms_api for one hotel (account). Bookings are listed as ids
 * by the index (paged) and read one by one with their guests; stays are the hotel's local dates.
 * Charges and to-dos carry Relay's reference as a marker in their text (Clock has no reference
 * field), so that a check-before-retry finds exactly what one request posted. See
 * capabilities.ts for what each operation does at Clock.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import { vendorFailure } from '../../http';
import type { PmsAdapter, PmsAdapterContext } from '../adapter';
import { pmsNotFound, pmsRejected } from '../errors';
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
} from '../model';
import type { ClockDigestSessions } from './auth';
import { type ClockCall, ClockClient, type ClockQuery } from './client';
import type { ClockCredentials } from './credentials';
import { CLOCK_KEY, CLOCK_VENDOR } from './errors';
import {
  centsText,
  chargeAmountCents,
  type ClockBooking,
  clockBooking,
  type ClockBookingGuest,
  clockBookingGuest,
  clockCharge,
  clockGuest,
  ClockMappingError,
  clockRoom,
  clockRoomType,
  clockToDo,
  isRoomInUse,
  languageCode,
  mainGuest,
  parseList,
  parseOne,
  toGuest,
  toReservation,
  toRoom,
} from './mapping';
import { bookingIds, CLOCK_PAGE_SIZE } from './paging';
import { carriesReference, chargeText, noteText } from './references';
import type { ClockSettings } from './settings';
import { checkDay, localToday, shiftDay } from './time';

/** Room names change rarely: a booking's room number is read from a list at most this old. */
const ROOM_NAMES_TTL_MS = 15 * 60_000;
const ID = /^\d{1,15}$/;
const AMOUNT = /^-?\d{1,10}(\.\d{1,2})?$/;

function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

export interface ClockAdapterOptions {
  /** Booking ids per index page; smaller only in tests that follow the pages. */
  pageSize?: number;
  /** The process-wide Digest sessions unless a test brings its own. */
  sessions?: ClockDigestSessions;
}

interface BookingDetail {
  booking: ClockBooking;
  guests: ClockBookingGuest[];
}

export class ClockAdapter implements PmsAdapter {
  private readonly client: ClockClient;
  private readonly pageSize: number;
  private roomNames: { at: number; names: Promise<Map<number, string>> } | undefined;

  constructor(
    private readonly ctx: PmsAdapterContext<ClockSettings, ClockCredentials>,
    options: ClockAdapterOptions = {},
  ) {
    this.pageSize = options.pageSize ?? CLOCK_PAGE_SIZE;
    this.client = new ClockClient({
      settings: ctx.settings,
      credentials: ctx.property.credentials,
      accountId: ctx.property.vendorPropertyId,
      logger: ctx.logger,
      withinLimit: ctx.withinLimit,
      signal: ctx.signal,
      sessions: options.sessions,
    });
  }

  // --- reads --------------------------------------------------------------------------------------

  async getGuest(vendorId: string): Promise<PmsGuest | null> {
    if (!ID.test(vendorId)) return null;
    const { body } = await this.get(`guests/${vendorId}`, 'guest - VIEW', 'null');
    return body === undefined ? null : this.read('guest - VIEW', () => toGuest(parseOne(clockGuest, body, 'guest')));
  }

  async getReservation(vendorId: string): Promise<PmsReservation | null> {
    if (!ID.test(vendorId)) return null;
    const detail = await this.bookingDetail(Number(vendorId));
    if (detail === null) return null;
    const [reservation] = await this.toReservations([detail]);
    return reservation ?? null;
  }

  async searchReservations(query: ReservationQuery): Promise<PmsReservation[]> {
    const range = (query.arrivalFrom ?? query.arrivalTo) !== undefined ? { from: query.arrivalFrom ?? query.arrivalTo!, to: query.arrivalTo ?? query.arrivalFrom! } : undefined;
    if (query.confirmationNumber === undefined && range === undefined) {
      throw pmsRejected(CLOCK_VENDOR, query.lastName === undefined ? 'a booking search needs a booking number or arrival days' : 'Clock searches bookings by number or arrival days: give arrival days with a last name');
    }
    const filter: ClockQuery = { ...(range ? arrivalFilter(range) : {}), ...(query.confirmationNumber !== undefined ? { number: query.confirmationNumber } : {}) };
    let details = await this.details(await bookingIds(this.client, filter, this.pageSize));
    if (range) details = details.filter((d) => d.booking.arrival >= range.from && d.booking.arrival <= range.to);
    if (query.lastName !== undefined) {
      const wanted = query.lastName.trim().toLowerCase();
      details = details.filter((d) => (mainGuest(d.guests)?.guest?.last_name ?? '').trim().toLowerCase() === wanted);
    }
    return this.toReservations(details);
  }

  async listArrivals(range: DateRange): Promise<PmsArrival[]> {
    checkDay(range.from, 'from');
    checkDay(range.to, 'to');
    if (range.to < range.from) throw invalidInput(`the day range ends before it starts: ${range.from}..${range.to}`);
    // Every status: a poll must see cancellations too.
    const details = (await this.details(await bookingIds(this.client, arrivalFilter(range), this.pageSize))).filter((d) => d.booking.arrival >= range.from && d.booking.arrival <= range.to);
    const reservations = await this.toReservations(details);
    return reservations.map((reservation, i) => {
      const guest = mainGuest(details[i]!.guests)?.guest;
      return { reservation, guest: guest ? this.read('booking_guests - VIEW', () => toGuest(guest)) : null };
    });
  }

  async listRooms(): Promise<PmsRoom[]> {
    const [rooms, types] = await Promise.all([this.get('rooms/', 'rooms - VIEW'), this.get('room_types/', 'room_types - VIEW')]);
    return this.read('rooms - VIEW', () => {
      const typeNames = new Map(parseList(clockRoomType, types.body, 'room type').map((t) => [t.id, t.name]));
      const all = parseList(clockRoom, rooms.body, 'room');
      this.roomNames = { at: Date.now(), names: Promise.resolve(new Map(all.map((r) => [r.id, r.name]))) };
      const today = localToday(this.ctx.property.timezone);
      return all.filter((r) => isRoomInUse(r, today)).map((r) => toRoom(r, typeNames));
    });
  }

  // --- charges ------------------------------------------------------------------------------------

  async postCharge(request: ChargeRequest): Promise<PostedCharge> {
    const bookingId = this.bookingIdFor(request.reservationVendorId);
    const { amount, currency } = request.amount;
    if (!AMOUNT.test(amount)) throw invalidInput(`a Clock charge amount is a decimal with at most two places, got ${amount}`);
    if (!/^[A-Z]{3}$/.test(currency)) throw invalidInput(`a currency is three capital letters (ISO 4217), got ${currency}`);
    const description = request.description.trim();
    if (description === '') throw invalidInput('a Clock charge needs a description (its text on the folio)');
    const { body } = await this.client.call<unknown>({
      method: 'POST',
      path: `bookings/${bookingId}/charges_by_source`,
      operation: 'booking_charges_by_source - CREATE',
      write: true,
      missing: `booking ${bookingId}`,
      json: {
        charge: {
          text: chargeText(description, request.reference),
          // What the guest's folio prints instead of the text with Relay's marker.
          print_text: description.slice(0, 255),
          price: amount,
          currency,
          qty: 1,
          revenue_group: this.ctx.property.credentials.chargeRevenueGroup ?? 'extra',
          ...(request.itemCode ? { revenue_category: request.itemCode } : {}),
          service_date: localToday(this.ctx.property.timezone),
        },
      },
    });
    const charge = this.read('booking_charges_by_source - CREATE', () => parseOne(clockCharge, body, 'charge'), true);
    return { vendorId: String(charge.id), reference: request.reference, amount: request.amount, postedAt: charge.created_at ?? null };
  }

  /** The charge this reference posted: the booking's charges (also those moved to another folio), matched on the marker alone. */
  async findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null> {
    if (!ID.test(reservationVendorId)) return null;
    const { body } = await this.get(`bookings/${reservationVendorId}/charges_by_source`, 'booking_charges_by_source - VIEW', 'null');
    if (body === undefined) return null;
    const charge = this.read('booking_charges_by_source - VIEW', () => parseList(clockCharge, body, 'charge')).find((c) => carriesReference(c.text, reference));
    if (!charge) return null;
    return { vendorId: String(charge.id), reference, amount: { amount: centsText(chargeAmountCents(charge)), currency: charge.currency }, postedAt: charge.created_at ?? null };
  }

  // --- notes --------------------------------------------------------------------------------------

  async postNote(request: NoteRequest): Promise<PostedNote> {
    const bookingId = this.bookingIdFor(request.reservationVendorId);
    if (request.text.trim() === '') throw invalidInput('a note needs a text');
    const { body } = await this.client.call<unknown>({
      method: 'POST',
      path: `bookings/${bookingId}/booking_self_service_to_dos`,
      operation: 'booking_to_do - CREATE',
      write: true,
      missing: `booking ${bookingId}`,
      json: { self_service_to_do: { text: noteText(request.text, request.reference), date: localToday(this.ctx.property.timezone) } },
    });
    const todo = this.read('booking_to_do - CREATE', () => parseOne(clockToDo, body, 'to-do'), true);
    return { vendorId: String(todo.id), reference: request.reference };
  }

  async findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null> {
    if (!ID.test(reservationVendorId)) return null;
    const { body } = await this.get(`bookings/${reservationVendorId}/booking_self_service_to_dos`, 'booking_to_dos - LIST VIEW', 'null');
    if (body === undefined) return null;
    const todo = this.read('booking_to_dos - LIST VIEW', () => parseList(clockToDo, body, 'to-do')).find((t) => carriesReference(t.text, reference));
    return todo ? { vendorId: String(todo.id), reference } : null;
  }

  // --- guests -------------------------------------------------------------------------------------

  async updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest> {
    if (!ID.test(vendorId)) throw pmsNotFound(CLOCK_VENDOR, `guest ${vendorId}`);
    const fields = guestFields(patch);
    if (Object.keys(fields).length === 0) {
      const guest = await this.getGuest(vendorId);
      if (guest === null) throw pmsNotFound(CLOCK_VENDOR, `guest ${vendorId}`);
      return guest;
    }
    const { body } = await this.client.call<unknown>({ method: 'PUT', path: `guests/${vendorId}`, operation: 'guest - UPDATE', write: true, missing: `guest ${vendorId}`, json: { guest: fields } });
    // Clock answers with the whole profile as it now holds it.
    return this.read('guest - UPDATE', () => toGuest(parseOne(clockGuest, body, 'guest')), true);
  }

  // --- helpers ------------------------------------------------------------------------------------

  private get(path: string, operation: string, missing?: ClockCall['missing']) {
    return this.client.call<unknown>({ method: 'GET', path, operation, write: false, missing });
  }

  private bookingIdFor(vendorId: string): number {
    if (!ID.test(vendorId)) throw pmsNotFound(CLOCK_VENDOR, `booking ${vendorId}`);
    return Number(vendorId);
  }

  /** A booking and its guests; null when Clock has no such booking in this hotel. */
  private async bookingDetail(id: number): Promise<BookingDetail | null> {
    const { body } = await this.get(`bookings/${id}`, 'booking - VIEW', 'null');
    if (body === undefined) return null;
    const booking = this.read('booking - VIEW', () => parseOne(clockBooking, body, 'booking'));
    const guests = await this.get(`bookings/${id}/booking_guests`, 'booking_guests - VIEW', 'null');
    return { booking, guests: guests.body === undefined ? [] : this.read('booking_guests - VIEW', () => parseList(clockBookingGuest, guests.body, 'booking guest')) };
  }

  /** The details of listed ids, one after the other (the limiter spaces them anyway); one gone meanwhile is skipped. */
  private async details(ids: number[]): Promise<BookingDetail[]> {
    const out: BookingDetail[] = [];
    for (const id of ids) {
      const detail = await this.bookingDetail(id);
      if (detail) out.push(detail);
    }
    return out;
  }

  private async toReservations(details: BookingDetail[]): Promise<PmsReservation[]> {
    const roomIds = details.flatMap(({ booking: b }) => [b.current_room_id ?? b.arrival_room_id ?? null]).filter((v): v is number => v !== null);
    let names = roomIds.length > 0 ? await this.roomNameMap(false) : new Map<number, string>();
    if (roomIds.some((id) => !names.has(id))) names = await this.roomNameMap(true);
    return this.read('booking - VIEW', () => details.map((d) => toReservation(d.booking, d.guests, names)));
  }

  /** Room id → number, from a list read at most ROOM_NAMES_TTL_MS ago (or now, when `fresh`). */
  private roomNameMap(fresh: boolean): Promise<Map<number, string>> {
    if (fresh || !this.roomNames || Date.now() - this.roomNames.at > ROOM_NAMES_TTL_MS) {
      const names = this.get('rooms/', 'rooms - VIEW').then(({ body }) => new Map(this.read('rooms - VIEW', () => parseList(clockRoom, body, 'room')).map((r) => [r.id, r.name])));
      const entry = { at: Date.now(), names };
      this.roomNames = entry;
      names.catch(() => {
        if (this.roomNames === entry) this.roomNames = undefined;
      });
    }
    return this.roomNames!.names;
  }

  /** Maps an answer; one Relay cannot read becomes a retryable failure (ambiguous after a write). */
  private read<T>(operation: string, map: () => T, write = false): T {
    try {
      return map();
    } catch (error) {
      if (!(error instanceof ClockMappingError)) throw error;
      throw vendorFailure({
        type: write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
        message: `unexpected answer to ${operation}: ${error.message}`,
        retryable: true,
        details: { vendor: CLOCK_KEY, method: write ? 'POST' : 'GET', path: operation, ambiguous: write },
      });
    }
  }
}

/** Clock's documented filters are strict (`gt`, `lt`): the days around the range. */
function arrivalFilter(range: DateRange): ClockQuery {
  return { 'arrival.gt': shiftDay(checkDay(range.from, 'arrivalFrom'), -1), 'arrival.lt': shiftDay(checkDay(range.to, 'arrivalTo'), 1) };
}

/** `guest` fields of a patch: Clock clears a field given null. */
function guestFields(patch: GuestPatch): Record<string, string | null> {
  if (patch.preferences !== undefined) throw pmsRejected(CLOCK_VENDOR, 'Clock guest profiles have no preference list');
  const fields: Record<string, string | null> = {};
  const text = (value: string | null | undefined, wire: string) => {
    if (value === undefined) return;
    fields[wire] = value === null || value.trim() === '' ? null : value.trim();
  };
  if (patch.lastName !== undefined && patch.lastName.trim() === '') throw pmsRejected(CLOCK_VENDOR, "a guest's last name cannot be cleared");
  text(patch.firstName, 'first_name');
  text(patch.lastName, 'last_name');
  text(patch.email, 'e_mail');
  text(patch.phone, 'phone_number');
  if (patch.language !== undefined) {
    const code = patch.language === null || patch.language.trim() === '' ? null : languageCode(patch.language);
    if (patch.language !== null && patch.language.trim() !== '' && code === null) throw invalidInput(`not a language code (ISO 639-1): ${patch.language}`);
    fields.language = code;
  }
  return fields;
}
