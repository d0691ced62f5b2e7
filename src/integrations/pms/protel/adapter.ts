/**
 * Relay's PMS interface over protel I/O for one hotel: reservation look-ups (OTA_ReadRQ),
 * profiles (OTA_ProfileReadRQ / OTA_ProfileModifyRQ), charges (HTNG_ChargePostingRQ, found again
 * through HTNG_HotelFolioRQ), comments (IO_ResModifyNotifRQ) and room status
 * (HTNG_HotelRoomStatusRQ). Every message goes through `ProtelClient` (limiter, envelope, token,
 * typed failures); answers are mapped in mapping.ts. protel's dates of stay are the hotel's own
 * calendar days, so local day ranges go as they are.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { PmsAdapter, PmsAdapterContext } from '../adapter';
import { PmsFailureType, pmsNotFound, pmsRejected } from '../errors';
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
import { ProtelClient, type ProtelExchange } from './client';
import type { ProtelCredentials } from './credentials';
import { PROTEL_VENDOR, unreadableAnswer } from './errors';
import { fromHotelReservation, fromPosting, fromProfileInfo, fromRoom, ProtelAnswerError, type ReadReservation } from './mapping';
import {
  chargePostingRequest,
  commentRequest,
  folioRequest,
  profileModifyRequest,
  profileReadRequest,
  type ReadCriteria,
  readRequest,
  roomStatusRequest,
} from './messages';
import { noteMarker, noteText, postingReference } from './references';
import type { ProtelSettings } from './settings';
import { MAX_RESPONSES, MESSAGES, type ProtelMessage, PROFILES_PER_READ } from './wire';
import { attr, child, children, path, type XmlElement } from './xml';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const AMOUNT = /^-?\d{1,13}(\.\d{1,6})?$/;
/** A safety bound, never a guess at the end: a listing this long is a loop, not a hotel. */
const MAX_PAGES = 200;
const DESCRIPTION_MAX = 80;
const COMMENT_MAX = 2000;
const PREFERENCE_MAX = 255;

export interface ProtelAdapterOptions {
  /** Reservations asked per OTA_ReadRQ (protel may return fewer). */
  pageSize?: number;
}

export class ProtelAdapter implements PmsAdapter {
  private readonly client: ProtelClient;
  private readonly hotel: string;
  private readonly pageSize: number;

  constructor(
    private readonly ctx: PmsAdapterContext<ProtelSettings, ProtelCredentials>,
    options: ProtelAdapterOptions = {},
  ) {
    this.hotel = ctx.property.vendorPropertyId;
    this.pageSize = options.pageSize ?? MAX_RESPONSES;
    this.client = new ProtelClient({ settings: ctx.settings, token: ctx.property.credentials.token, logger: ctx.logger, withinLimit: ctx.withinLimit, signal: ctx.signal });
  }

  // --- reservations -------------------------------------------------------------------------------------------------

  async getReservation(vendorId: string): Promise<PmsReservation | null> {
    return (await this.readOne(vendorId))?.reservation ?? null;
  }

  async searchReservations(query: ReservationQuery): Promise<PmsReservation[]> {
    const criteria: ReadCriteria = {
      confirmationNumber: query.confirmationNumber?.trim() || undefined,
      surname: query.lastName?.trim() || undefined,
      arrivalFrom: query.arrivalFrom,
      arrivalTo: query.arrivalTo,
    };
    if (Object.values(criteria).every((v) => v === undefined)) throw pmsRejected(PROTEL_VENDOR, 'a reservation search needs a confirmation number, a last name or arrival dates');
    for (const date of [query.arrivalFrom, query.arrivalTo]) if (date !== undefined && !DAY.test(date)) throw pmsRejected(PROTEL_VENDOR, `${date} is not a date (YYYY-MM-DD)`);
    return (await this.readPages(criteria)).map((r) => r.reservation);
  }

  /** Reservations arriving in the range, every status; their guests read in batches of profiles (the search carries names only). */
  async listArrivals(range: DateRange): Promise<PmsArrival[]> {
    if (!DAY.test(range.from) || !DAY.test(range.to) || range.from > range.to) throw pmsRejected(PROTEL_VENDOR, `invalid arrival range ${range.from}..${range.to}`);
    const reservations = (await this.readPages({ arrivalFrom: range.from, arrivalTo: range.to })).map((r) => r.reservation);
    const guests = await this.readProfiles(reservations.flatMap((r) => (r.guestVendorId ? [r.guestVendorId] : [])));
    return reservations.map((reservation) => ({ reservation, guest: (reservation.guestVendorId && guests.get(reservation.guestVendorId)) || null }));
  }

  /** Follows `MoreIndicator` / `MoreDataEchoToken`; a reservation listed twice is kept as last seen. */
  private async readPages(criteria: ReadCriteria): Promise<ReadReservation[]> {
    const found = new Map<string, ReadReservation>();
    let token: string | undefined;
    for (let pages = 0; ; pages++) {
      if (pages >= MAX_PAGES) throw unreadableAnswer(MESSAGES.read, `more than ${MAX_PAGES} pages`);
      const rs = await this.send(MESSAGES.read, readRequest(this.hotel, criteria, { max: this.pageSize, token }), `hotel ${this.hotel}`);
      const rows = children(child(rs, 'ReservationsList'), 'HotelReservation');
      for (const row of rows) {
        const read = this.read(MESSAGES.read, () => fromHotelReservation(row));
        found.set(read.reservation.vendorId, read);
      }
      const next = attr(rs, 'MoreIndicator') === 'true' ? attr(rs, 'MoreDataEchoToken') : undefined;
      if (next === undefined) return [...found.values()];
      if (rows.length === 0 || next === token) throw unreadableAnswer(MESSAGES.read, 'a page without reservations that claims more');
      token = next;
    }
  }

  /** A look-up by ResID: the reservation in full detail, its comments included; null when protel does not know it. */
  private async readOne(vendorId: string): Promise<ReadReservation | null> {
    const rs = await this.orNullWhenMissing(() => this.send(MESSAGES.read, readRequest(this.hotel, { reservationId: vendorId }, { max: 1 }), `reservation ${vendorId}`));
    if (rs === null) return null;
    const row = children(child(rs, 'ReservationsList'), 'HotelReservation')
      .map((r) => this.read(MESSAGES.read, () => fromHotelReservation(r)))
      .find((r) => r.reservation.vendorId === vendorId);
    return row ?? null;
  }

  // --- guests -------------------------------------------------------------------------------------------------------

  async getGuest(vendorId: string): Promise<PmsGuest | null> {
    return (await this.readProfiles([vendorId])).get(vendorId) ?? null;
  }

  private async readProfiles(ids: readonly string[]): Promise<Map<string, PmsGuest>> {
    const wanted = [...new Set(ids)];
    const guests = new Map<string, PmsGuest>();
    for (let i = 0; i < wanted.length; i += PROFILES_PER_READ) {
      const batch = wanted.slice(i, i + PROFILES_PER_READ);
      const rs = await this.send(MESSAGES.profileRead, profileReadRequest(this.hotel, batch), batch.length === 1 ? `guest profile ${batch[0]}` : `guest profiles of hotel ${this.hotel}`);
      for (const info of children(child(rs, 'Profiles'), 'ProfileInfo')) {
        const guest = this.read(MESSAGES.profileRead, () => fromProfileInfo(info));
        guests.set(guest.vendorId, guest);
      }
    }
    return guests;
  }

  /**
   * One OTA_ProfileModifyRQ with the patched parts (protel replaces what is present and keeps
   * the rest; preferences are replaced as a whole), then the profile as protel now holds it.
   */
  async updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest> {
    for (const field of ['email', 'phone', 'language'] as const) {
      if (patch[field] === null) throw pmsRejected(PROTEL_VENDOR, `clearing a guest's ${field} is not supported through protel's profile update`);
    }
    if (patch.lastName !== undefined && patch.lastName.trim() === '') throw pmsRejected(PROTEL_VENDOR, 'a guest profile needs a last name');
    if (typeof patch.language === 'string' && !/^[A-Za-z]{2}$/.test(patch.language)) throw pmsRejected(PROTEL_VENDOR, `${patch.language} is not an ISO 639-1 language code`);
    const tooLong = patch.preferences?.find((p) => p.trim() === '' || p.length > PREFERENCE_MAX);
    if (tooLong !== undefined) throw pmsRejected(PROTEL_VENDOR, `a preference must be 1 to ${PREFERENCE_MAX} characters`);
    const change = {
      givenName: patch.firstName,
      surname: patch.lastName,
      phone: patch.phone ?? undefined,
      email: patch.email ?? undefined,
      language: patch.language?.toLowerCase(),
      preferences: patch.preferences,
    };
    if (Object.values(change).some((v) => v !== undefined)) {
      await this.send(MESSAGES.profileModify, profileModifyRequest(this.hotel, vendorId, change), `guest profile ${vendorId}`);
    }
    const guest = await this.getGuest(vendorId);
    if (guest === null) throw pmsNotFound(PROTEL_VENDOR, `guest profile ${vendorId}`);
    return guest;
  }

  // --- charges ------------------------------------------------------------------------------------------------------

  async postCharge(request: ChargeRequest): Promise<PostedCharge> {
    const amount = request.amount.amount.trim();
    if (!AMOUNT.test(amount)) throw pmsRejected(PROTEL_VENDOR, `${request.amount.amount} is not a decimal amount`);
    if (!/^[A-Z]{3}$/.test(request.amount.currency)) throw pmsRejected(PROTEL_VENDOR, `${request.amount.currency} is not an ISO 4217 currency code`);
    const itemId = request.itemCode ?? this.ctx.property.credentials.chargeItemId;
    if (!itemId) throw pmsRejected(PROTEL_VENDOR, 'a charge needs a protel article: the request’s itemCode or the property’s chargeItemId');
    const referenceId = postingReference(request.reference);
    const rs = await this.send(
      MESSAGES.chargePosting,
      chargePostingRequest(this.hotel, {
        reservationId: request.reservationVendorId,
        referenceId,
        itemId,
        description: request.description.slice(0, DESCRIPTION_MAX),
        amount,
        currency: request.amount.currency,
      }),
      `reservation ${request.reservationVendorId}`,
    );
    const postings = children(child(rs, 'Postings'), 'Posting');
    const posting = postings.find((p) => attr(p, 'ReferenceID') === referenceId) ?? (postings.length === 1 ? postings[0] : undefined);
    if (posting !== undefined) return this.read(MESSAGES.chargePosting, () => fromPosting(posting, request.reference, request.amount));
    // Posted (Success) without the posting in the answer: read it back from the folio.
    return (await this.findCharge(request.reservationVendorId, request.reference)) ?? outcomeUnknown(MESSAGES.chargePosting, 'posted, but the posting is not on the folio');
  }

  /** Searches every folio of the reservation for a posting whose ReferenceID is this request's, and nothing else. */
  async findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null> {
    const wanted = postingReference(reference);
    const rs = await this.orNullWhenMissing(() => this.send(MESSAGES.folio, folioRequest(this.hotel, reservationVendorId), `reservation ${reservationVendorId}`));
    if (rs === null) return null;
    const postings = children(child(rs, 'Folios'), 'Folio').flatMap((f) => children(child(f, 'Postings'), 'Posting'));
    const posting = postings.find((p) => attr(p, 'ReferenceID') === wanted);
    return posting === undefined ? null : this.read(MESSAGES.folio, () => fromPosting(posting, reference));
  }

  // --- notes --------------------------------------------------------------------------------------------------------

  /** An internal reservation comment ending with the request's marker. */
  async postNote(request: NoteRequest): Promise<PostedNote> {
    const text = noteText(request.text.slice(0, COMMENT_MAX), request.reference);
    const rs = await this.send(MESSAGES.resModify, commentRequest(this.hotel, request.reservationVendorId, text), `reservation ${request.reservationVendorId}`);
    const created = children(path(rs, 'Reservations', 'Reservation', 'Comments'), 'Comment').find((c) => attr(c, 'ID'));
    if (created !== undefined) return { vendorId: created.attrs.ID!, reference: request.reference };
    return (await this.findNote(request.reservationVendorId, request.reference)) ?? outcomeUnknown(MESSAGES.resModify, 'changed, but the comment is not on the reservation');
  }

  async findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null> {
    const marker = noteMarker(reference);
    const found = await this.readOne(reservationVendorId);
    const comment = found?.comments.find((c) => c.text.includes(marker));
    return comment === undefined ? null : { vendorId: comment.id, reference };
  }

  // --- rooms --------------------------------------------------------------------------------------------------------

  async listRooms(): Promise<PmsRoom[]> {
    const rs = await this.send(MESSAGES.roomStatus, roomStatusRequest(this.hotel), `hotel ${this.hotel}`);
    return children(child(rs, 'Rooms'), 'Room').map((room) => this.read(MESSAGES.roomStatus, () => fromRoom(room)));
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private send(message: ProtelMessage, content: ProtelExchange['content'], subject: string): Promise<XmlElement> {
    return this.client.call({ message, content, subject });
  }

  /** protel's "booking reference not found" to a read: nothing there, not a failure. */
  private async orNullWhenMissing<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ApplicationFailure && error.type === PmsFailureType.NotFound) return null;
      throw error;
    }
  }

  /** Maps an answer; one that is not what the message promises is a retryable failure (a write's: outcome unknown). */
  private read<T>(message: ProtelMessage, map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (!(error instanceof ProtelAnswerError)) throw error;
      throw unreadableAnswer(message, error.message);
    }
  }
}

function outcomeUnknown(message: ProtelMessage, reason: string): never {
  throw ApplicationFailure.create({
    type: FailureType.VendorOutcomeUnknown,
    message: `${PROTEL_VENDOR} ${message.rq}: ${reason}`,
    details: [{ vendor: PROTEL_VENDOR, message: message.rq, ambiguous: true }],
  });
}
