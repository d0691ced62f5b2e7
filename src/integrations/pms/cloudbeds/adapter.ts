/**
 * Relay's PMS interface over Cloudbeds API v1.3 for one property: reservations and their guests
 * (getReservations, getReservation), guests (getGuest, putGuest), folio charges as custom items
 * (postCustomItem with referenceID; postCharge would charge a card and is never used), notes
 * (postReservationNote) and housekeeping (getHousekeepingStatus). Every call goes through
 * `CloudbedsClient` (limiter, credential, form bodies, envelope); answers are mapped in mapping.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
import type { PmsAdapter, PmsAdapterContext } from '../adapter';
import { pmsRejected } from '../errors';
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
import type { CloudbedsTokenCache } from './auth';
import { type CloudbedsCall, CloudbedsClient } from './client';
import type { CloudbedsCredentials } from './credentials';
import { CLOUDBEDS_VENDOR, isNotFound } from './errors';
import type { FormValue } from './form';
import {
  CloudbedsAnswerError,
  decimalAmount,
  fromGuest,
  fromHousekeepingRoom,
  fromReservation,
  fromReservationRow,
  fromTransaction,
  mainGuestOf,
} from './mapping';
import { CLOUDBEDS_PAGE_SIZE, readAllPages } from './paging';
import { cloudbedsReference, markedText, referenceMarker } from './references';
import type { CloudbedsSettings } from './settings';
import type {
  WireEnvelope,
  WireGuest,
  WireHotelDetails,
  WireHousekeepingRoom,
  WireNoteAnswer,
  WireReservation,
  WireReservationNote,
  WireReservationRow,
  WireSoldProduct,
  WireTransaction,
} from './wire';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** What the folio shows as the item's name; Cloudbeds does not document a limit, staff screens do. */
const ITEM_NAME_MAX = 200;

export interface CloudbedsAdapterOptions {
  tokens?: CloudbedsTokenCache;
  /** Rows asked per page (at most 100). */
  pageSize?: number;
}

export class CloudbedsAdapter implements PmsAdapter {
  private readonly client: CloudbedsClient;
  private readonly pageSize: number;
  private currency: Promise<string | null> | undefined;

  constructor(
    private readonly ctx: PmsAdapterContext<CloudbedsSettings, CloudbedsCredentials>,
    options: CloudbedsAdapterOptions = {},
  ) {
    this.pageSize = Math.min(options.pageSize ?? CLOUDBEDS_PAGE_SIZE, CLOUDBEDS_PAGE_SIZE);
    this.client = new CloudbedsClient({
      settings: ctx.settings,
      credentials: ctx.property.credentials,
      propertyId: ctx.property.vendorPropertyId,
      logger: ctx.logger,
      withinLimit: ctx.withinLimit,
      signal: ctx.signal,
      tokens: options.tokens,
    });
  }

  private get timezone(): string {
    return this.ctx.property.timezone;
  }

  private get languageField(): string | undefined {
    return this.ctx.property.credentials.languageCustomField;
  }

  // --- reservations -------------------------------------------------------------------------------------------------

  async getReservation(vendorId: string): Promise<PmsReservation | null> {
    const data = await this.orNull(this.client.call<WireEnvelope<WireReservation>>(this.read('getReservation', `reservation ${vendorId}`, { reservationID: vendorId })));
    return data?.data === undefined ? null : this.map('getReservation', () => fromReservation(data.data!, this.timezone));
  }

  /**
   * Cloudbeds' reservation id is the number guests and staff quote, so a confirmation number is
   * read directly; a last name and arrival days filter getReservations.
   */
  async searchReservations(query: ReservationQuery): Promise<PmsReservation[]> {
    const confirmation = query.confirmationNumber?.trim();
    const lastName = query.lastName?.trim();
    if (!confirmation && !lastName && !query.arrivalFrom && !query.arrivalTo) throw pmsRejected(CLOUDBEDS_VENDOR, 'a reservation search needs a confirmation number, a last name or arrival dates');
    for (const date of [query.arrivalFrom, query.arrivalTo]) if (date !== undefined && !DAY.test(date)) throw pmsRejected(CLOUDBEDS_VENDOR, `${date} is not a date (YYYY-MM-DD)`);
    if (confirmation) {
      const found = await this.getReservation(confirmation);
      const inRange = (r: PmsReservation) => (!query.arrivalFrom || r.arrivalDate >= query.arrivalFrom) && (!query.arrivalTo || r.arrivalDate <= query.arrivalTo);
      return found && inRange(found) ? [found] : [];
    }
    const rows = await this.reservationRows({ lastName: lastName || undefined, checkInFrom: query.arrivalFrom, checkInTo: query.arrivalTo });
    return rows.map((row) => this.map('getReservations', () => fromReservationRow(row, this.timezone)));
  }

  /** Cloudbeds' stay dates are the property's own days: the range goes as it is, every status included. */
  async listArrivals(range: DateRange): Promise<PmsArrival[]> {
    if (!DAY.test(range.from) || !DAY.test(range.to) || range.from > range.to) throw pmsRejected(CLOUDBEDS_VENDOR, `invalid arrival range ${range.from}..${range.to}`);
    const rows = await this.reservationRows({ checkInFrom: range.from, checkInTo: range.to, includeGuestsDetails: true });
    return rows.map((row) =>
      this.map('getReservations', () => ({ reservation: fromReservationRow(row, this.timezone), guest: mainGuestOf(row, this.languageField) })),
    );
  }

  private async reservationRows(filter: Record<string, string | boolean | undefined>): Promise<WireReservationRow[]> {
    const rows = await readAllPages<WireReservationRow>(
      'getReservations',
      (pageNumber, pageSize) => this.client.call(this.read('getReservations', 'reservations', { ...filter, includeAllRooms: true, pageNumber, pageSize })),
      this.pageSize,
    );
    // A reservation that moved between two pages' reads is listed once, as last seen.
    return [...new Map(rows.map((r) => [r.reservationID, r])).values()];
  }

  // --- guests -------------------------------------------------------------------------------------------------------

  async getGuest(vendorId: string): Promise<PmsGuest | null> {
    const answer = await this.orNull(this.client.call<WireEnvelope<WireGuest>>(this.read('getGuest', `guest ${vendorId}`, { guestID: vendorId })));
    return answer?.data === undefined ? null : this.map('getGuest', () => fromGuest(vendorId, answer.data!, this.languageField));
  }

  /**
   * One putGuest with the fields the patch names (the language into the property's language
   * custom field), then the guest as Cloudbeds now holds it. Cloudbeds documents no way to clear
   * a field through putGuest and keeps no guest preferences Relay maps, so both are refused.
   */
  async updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest> {
    for (const field of ['email', 'phone', 'language'] as const) {
      if (patch[field] === null) throw pmsRejected(CLOUDBEDS_VENDOR, `clearing a guest's ${field} is not supported through Cloudbeds' putGuest`);
    }
    if (patch.preferences !== undefined) throw pmsRejected(CLOUDBEDS_VENDOR, 'Cloudbeds keeps no guest preferences Relay can write');
    if (patch.language !== undefined && this.languageField === undefined) {
      throw pmsRejected(CLOUDBEDS_VENDOR, 'Cloudbeds guests have no language field; the property names none of its guest custom fields for it (languageCustomField)');
    }
    const form: Record<string, FormValue> = {
      guestID: vendorId,
      guestFirstName: patch.firstName,
      guestLastName: patch.lastName,
      guestEmail: patch.email ?? undefined,
      guestCellPhone: patch.phone ?? undefined,
      guestCustomFields: patch.language ? [{ customFieldName: this.languageField, customFieldValue: patch.language }] : undefined,
    };
    if (Object.values(form).filter((v) => v !== undefined).length > 1) {
      await this.client.call(this.write('putGuest', `guest ${vendorId}`, 'PUT', form));
    }
    return (await this.getGuest(vendorId)) ?? unreadable('getGuest', `guest ${vendorId} was updated but cannot be read`, true);
  }

  // --- charges ------------------------------------------------------------------------------------------------------

  /**
   * One custom item on the reservation's folio, its `referenceID` the request's reference: a
   * repeat of it (a retry after a lost answer) posts nothing and answers Cloudbeds' notice.
   * Cloudbeds posts in the property's currency only, so another currency is refused first.
   */
  async postCharge(request: ChargeRequest): Promise<PostedCharge> {
    const price = decimalAmount(request.amount.amount);
    if (price === null) throw pmsRejected(CLOUDBEDS_VENDOR, `${request.amount.amount} is not a decimal amount`);
    const currency = await this.propertyCurrency();
    if (currency !== null && currency !== request.amount.currency) {
      throw pmsRejected(CLOUDBEDS_VENDOR, `the property posts in ${currency}, not ${request.amount.currency} (Cloudbeds charges in the property's currency only)`);
    }
    const reference = cloudbedsReference(request.reference);
    const answer = await this.client.call<WireEnvelope<WireSoldProduct>>(
      this.write('postCustomItem', `reservation ${request.reservationVendorId}`, 'POST', {
        reservationID: request.reservationVendorId,
        referenceID: reference,
        items: [
          {
            itemSKU: request.itemCode,
            itemName: request.description.slice(0, ITEM_NAME_MAX),
            itemQuantity: 1,
            itemPrice: price,
            itemNote: referenceMarker(request.reference),
          },
        ],
        itemPaid: false,
      }),
    );
    // The charge's id is its folio transaction, as findCharge reads it back; Cloudbeds is
    // dropping transactionID from this answer, so without it the transactions are read.
    const sold = answer.data ?? {};
    if (sold.transactionID) return { vendorId: String(sold.transactionID), reference: request.reference, amount: request.amount, postedAt: null };
    const found = await this.findCharge(request.reservationVendorId, request.reference);
    if (found) return found;
    const id = sold.soldProductID ?? (sold.notice ? `referenceID:${reference}` : undefined);
    if (id) return { vendorId: String(id), reference: request.reference, amount: request.amount, postedAt: null };
    return unreadable('postCustomItem', 'posted, but neither the answer nor the transactions name the item', true);
  }

  /**
   * The custom item this reference posted: the reservation's transactions (getTransactions, kept
   * in v1.2 only) searched for the reference's marker in the item's note. A miss is safe: a
   * repeated postCustomItem carries the same referenceID, which Cloudbeds never posts twice.
   */
  async findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null> {
    const marker = referenceMarker(reference);
    const rows = await readAllPages<WireTransaction>(
      'getTransactions',
      (pageNumber, pageSize) => this.client.call({ ...this.read('getTransactions', `reservation ${reservationVendorId}`, { reservationID: reservationVendorId, pageNumber, pageSize }), version: 'v1.2' }),
      this.pageSize,
    );
    const row = rows.find((t) => t.notes?.includes(marker) || t.description?.includes(marker));
    if (row === undefined) return null;
    const currency = await this.propertyCurrency();
    return this.map('getTransactions', () => fromTransaction(row, reference, currency));
  }

  /** The property's currency (getHotelDetails), read once per adapter; null when Cloudbeds does not say. */
  private propertyCurrency(): Promise<string | null> {
    this.currency ??= this.client
      .call<WireEnvelope<WireHotelDetails>>(this.read('getHotelDetails', 'property', {}))
      .then((answer) => answer.data?.propertyCurrency?.currencyCode?.toUpperCase() ?? null)
      .catch((error: unknown) => {
        this.currency = undefined;
        throw error;
      });
    return this.currency;
  }

  // --- notes --------------------------------------------------------------------------------------------------------

  async postNote(request: NoteRequest): Promise<PostedNote> {
    const answer = await this.client.call<WireNoteAnswer>(
      this.write('postReservationNote', `reservation ${request.reservationVendorId}`, 'POST', { reservationID: request.reservationVendorId, reservationNote: markedText(request.text, request.reference) }),
    );
    if (answer.reservationNoteID) return { vendorId: String(answer.reservationNoteID), reference: request.reference };
    return (await this.findNote(request.reservationVendorId, request.reference)) ?? unreadable('postReservationNote', 'added, but the note is not on the reservation', true);
  }

  async findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null> {
    const marker = referenceMarker(reference);
    const answer = await this.client.call<WireEnvelope<WireReservationNote[]>>(this.read('getReservationNotes', `reservation ${reservationVendorId}`, { reservationID: reservationVendorId }));
    const note = (answer.data ?? []).find((n) => n.reservationNoteID && n.reservationNote?.includes(marker));
    return note ? { vendorId: String(note.reservationNoteID), reference } : null;
  }

  // --- rooms --------------------------------------------------------------------------------------------------------

  async listRooms(): Promise<PmsRoom[]> {
    const rows = await readAllPages<WireHousekeepingRoom>(
      'getHousekeepingStatus',
      (pageNumber, pageSize) => this.client.call(this.read('getHousekeepingStatus', 'rooms', { pageNumber, pageSize })),
      this.pageSize,
    );
    return rows.map((r) => this.map('getHousekeepingStatus', () => fromHousekeepingRoom(r)));
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private read(operation: string, subject: string, query: CloudbedsCall['query']): CloudbedsCall {
    return { operation, subject: this.subject(subject), write: false, method: 'GET', query };
  }

  private write(operation: string, subject: string, method: 'POST' | 'PUT', form: Record<string, FormValue>): CloudbedsCall {
    return { operation, subject: this.subject(subject), write: true, method, form };
  }

  private subject(subject: string): string {
    return subject === 'property' || subject === 'rooms' || subject === 'reservations' ? `${subject} of property ${this.client.propertyId}` : subject;
  }

  /** A read that says "not found" is null here. */
  private async orNull<T>(call: Promise<T>): Promise<T | null> {
    try {
      return await call;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Maps an answer; one that is not what the API promises is a retryable failure (a write's: outcome unknown). */
  private map<T>(operation: string, map: () => T): T {
    try {
      return map();
    } catch (error) {
      if (!(error instanceof CloudbedsAnswerError)) throw error;
      return unreadable(operation, `unexpected answer (${error.message})`);
    }
  }
}

function unreadable(operation: string, message: string, write = false): never {
  throw ApplicationFailure.create({
    type: write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
    message: `${CLOUDBEDS_VENDOR} ${operation}: ${message}`,
    details: [{ vendor: CLOUDBEDS_VENDOR, operation, ambiguous: write }],
  });
}
