/**
 * Relay's PMS interface over OHIP 25.5 for one OPERA Cloud hotel: reservations (rsv), guest
 * profiles (crm), folio postings (csh), housekeeping (hsk). Every call goes through `OperaClient`
 * (limiter, token, headers, 401 renewal); answers are mapped in mapping.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../domain/failure-types';
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
import type { OperaTokenCache } from './auth';
import { type OperaCall, OperaClient } from './client';
import type { OperaCredentials } from './credentials';
import { OPERA_VENDOR } from './errors';
import {
  amountNumber,
  fromHotelReservation,
  fromPosting,
  fromProfile,
  fromReservationInfo,
  fromRoom,
  OperaAnswerError,
  parsePreference,
  type PreferenceKey,
  preferenceKeys,
  toProfileUpdate,
} from './mapping';
import { OPERA_PAGE_SIZE, type OperaPage, readAllPages } from './paging';
import { noteMarker, noteText, postingReference } from './references';
import type { OperaSettings } from './settings';
import type {
  WireBillingCharges,
  WireBillingChargesDetails,
  WireChangeReservation,
  WireFolio,
  WireHotelReservation,
  WireHousekeepingBoard,
  WirePosting,
  WireProfile,
  WireReservation,
  WireReservationsDetails,
} from './wire';

/**
 * Statuses a reservation search asks for: every stay that arrives, has arrived or was cancelled
 * (OPERA leaves cancelled reservations out unless asked); wait-listed requests are no arrivals.
 */
export const SEARCH_STATUSES = ['DueIn', 'CheckedIn', 'InHouse', 'DueOut', 'CheckedOut', 'NoShow', 'Cancelled'] as const;
const PROFILE_FETCH = ['Profile', 'Communication', 'Preference'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The spec's maxLength of `postingRemark`. */
const REMARK_MAX = 2000;

export interface OperaAdapterOptions {
  tokens?: OperaTokenCache;
  /** Rows asked per page (OPERA may return fewer). */
  pageSize?: number;
}

export class OperaCloudAdapter implements PmsAdapter {
  private readonly client: OperaClient;
  private readonly pageSize: number;

  constructor(
    private readonly ctx: PmsAdapterContext<OperaSettings, OperaCredentials>,
    options: OperaAdapterOptions = {},
  ) {
    this.pageSize = options.pageSize ?? OPERA_PAGE_SIZE;
    this.client = new OperaClient({
      settings: ctx.settings,
      hotelId: ctx.property.vendorPropertyId,
      logger: ctx.logger,
      withinLimit: ctx.withinLimit,
      signal: ctx.signal,
      tokens: options.tokens,
    });
  }

  private hotelPath(module: 'rsv' | 'csh' | 'hsk', rest: string): string {
    return `/${module}/v1/hotels/${encodeURIComponent(this.client.hotelId)}/${rest}`;
  }

  // --- reservations -------------------------------------------------------------------------------------------------

  async getReservation(vendorId: string): Promise<PmsReservation | null> {
    const found = await this.readReservation(vendorId, ['Reservation']);
    return found === null ? null : this.read('getReservation', () => fromHotelReservation(found));
  }

  async searchReservations(query: ReservationQuery): Promise<PmsReservation[]> {
    const criteria = {
      confirmationNumberList: query.confirmationNumber?.trim() || undefined,
      surname: query.lastName?.trim() || undefined,
      arrivalStartDate: query.arrivalFrom,
      arrivalEndDate: query.arrivalTo,
    };
    if (Object.values(criteria).every((v) => v === undefined)) throw pmsRejected(OPERA_VENDOR, 'a reservation search needs a confirmation number, a last name or arrival dates');
    for (const date of [query.arrivalFrom, query.arrivalTo]) if (date !== undefined && !DAY.test(date)) throw pmsRejected(OPERA_VENDOR, `${date} is not a date (YYYY-MM-DD)`);
    return this.searchPages(criteria);
  }

  /** OPERA's dates of stay are the hotel's own calendar days: the range goes as it is. */
  async listArrivals(range: DateRange): Promise<PmsArrival[]> {
    if (!DAY.test(range.from) || !DAY.test(range.to) || range.from > range.to) throw pmsRejected(OPERA_VENDOR, `invalid arrival range ${range.from}..${range.to}`);
    const reservations = await this.searchPages({ arrivalStartDate: range.from, arrivalEndDate: range.to });
    // The search carries a guest summary only (no preferences, consent or change marker): the profile is read by getGuest.
    return reservations.map((reservation) => ({ reservation, guest: null }));
  }

  private async searchPages(criteria: Record<string, string | undefined>): Promise<PmsReservation[]> {
    const rows = await readAllPages(
      'getHotelReservations',
      async (offset, limit): Promise<OperaPage<PmsReservation> | null> => {
        const { body } = await this.client.call<WireReservationsDetails>({
          ...this.describe('getHotelReservations', false, 'hotel'),
          method: 'GET',
          path: this.hotelPath('rsv', 'reservations'),
          query: { ...criteria, searchType: 'Any', reservationStatuses: SEARCH_STATUSES, fetchInstructions: 'Reservation', limit, offset },
        });
        if (body === undefined) return null;
        const list = body.reservations;
        return { rows: this.read('getHotelReservations', () => (list?.reservationInfo ?? []).map(fromReservationInfo)), hasMore: list?.hasMore === true };
      },
      this.pageSize,
    );
    // A reservation that moved between two pages' reads is listed once, as last seen.
    return [...new Map(rows.map((r) => [r.vendorId, r])).values()];
  }

  private async readReservation(vendorId: string, fetchInstructions: string[]): Promise<WireHotelReservation | null> {
    const { body } = await this.client.call<WireReservation>({
      ...this.describe('getReservation', false, `reservation ${vendorId}`),
      method: 'GET',
      path: this.hotelPath('rsv', `reservations/${encodeURIComponent(vendorId)}`),
      query: { fetchInstructions },
    });
    return body?.reservations?.reservation?.[0] ?? null;
  }

  // --- guests -------------------------------------------------------------------------------------------------------

  async getGuest(vendorId: string): Promise<PmsGuest | null> {
    const profile = await this.readProfile(vendorId);
    return profile === null ? null : this.read('getProfile', () => fromProfile(profile, vendorId));
  }

  private async readProfile(vendorId: string): Promise<WireProfile | null> {
    const { body } = await this.client.call<WireProfile>({
      ...this.describe('getProfile', false, `guest profile ${vendorId}`),
      method: 'GET',
      path: `/crm/v1/profiles/${encodeURIComponent(vendorId)}`,
      query: { fetchInstructions: PROFILE_FETCH },
    });
    return body ?? null;
  }

  /**
   * Reads the profile (for the ids of its phone and e-mail entries and its preferences), removes
   * the preferences the patch drops, then sends one `putProfile` with the rest.
   */
  async updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest> {
    for (const field of ['email', 'phone', 'language'] as const) {
      if (patch[field] === null) throw pmsRejected(OPERA_VENDOR, `clearing a guest's ${field} is not supported through OPERA's profile update`);
    }
    const wanted = patch.preferences?.map((key) => parsePreference(key) ?? invalidPreference(key));
    const current = await this.readProfile(vendorId);
    const details = current?.profileDetails;
    if (details === undefined) throw pmsNotFound(OPERA_VENDOR, `guest profile ${vendorId}`);

    const held = preferenceKeys(details).flatMap((key) => parsePreference(key) ?? []);
    const same = (a: PreferenceKey, b: PreferenceKey) => a.type === b.type && a.code === b.code;
    const removed = wanted === undefined ? [] : held.filter((h) => !wanted.some((w) => same(w, h)));
    const added = wanted === undefined ? [] : wanted.filter((w) => !held.some((h) => same(w, h)));
    for (const preference of removed) await this.deletePreference(vendorId, preference);

    const body = toProfileUpdate(vendorId, details, patch, added);
    if (Object.keys(body.profileDetails ?? {}).length === 0) return (await this.getGuest(vendorId)) ?? missing(vendorId);
    const answer = await this.client.call<WireProfile>({
      ...this.describe('putProfile', true, `guest profile ${vendorId}`),
      method: 'PUT',
      path: `/crm/v1/profiles/${encodeURIComponent(vendorId)}`,
      json: body,
    });
    if (answer.body?.profileDetails !== undefined) return this.read('putProfile', () => fromProfile(answer.body!, vendorId), true);
    return (await this.getGuest(vendorId)) ?? missing(vendorId);
  }

  private async deletePreference(vendorId: string, preference: PreferenceKey): Promise<void> {
    const path = [vendorId, 'hotels', this.client.hotelId, 'preferenceType', preference.type, 'preferences', preference.code].map(encodeURIComponent).join('/');
    await this.client.call({
      ...this.describe('deletePreference', true, `preference ${preference.type}:${preference.code} of guest profile ${vendorId}`),
      method: 'DELETE',
      path: `/crm/v1/profiles/${path}`,
    });
  }

  // --- charges ------------------------------------------------------------------------------------------------------

  async postCharge(request: ChargeRequest): Promise<PostedCharge> {
    const amount = amountNumber(request.amount.amount);
    if (amount === null) throw pmsRejected(OPERA_VENDOR, `${request.amount.amount} is not a decimal amount`);
    if (!/^[A-Z]{3}$/.test(request.amount.currency)) throw pmsRejected(OPERA_VENDOR, `${request.amount.currency} is not an ISO 4217 currency code`);
    const transactionCode = request.itemCode ?? this.ctx.property.credentials.chargeTransactionCode;
    if (!transactionCode) throw pmsRejected(OPERA_VENDOR, 'a charge needs an OPERA transaction code: the request’s itemCode or the property’s chargeTransactionCode');
    const reference = postingReference(request.reference);
    const body: WireBillingCharges = {
      criteria: {
        hotelId: this.client.hotelId,
        reservationId: { id: request.reservationVendorId, type: 'Reservation' },
        charges: [
          {
            transactionCode,
            price: { amount, currencyCode: request.amount.currency },
            postingQuantity: 1,
            postingReference: reference,
            postingRemark: request.description.slice(0, REMARK_MAX),
            applyRoutingInstructions: true,
          },
        ],
      },
    };
    const answer = await this.client.call<WireBillingChargesDetails>({
      ...this.describe('postBillingCharges', true, `reservation ${request.reservationVendorId}`),
      method: 'POST',
      path: this.hotelPath('csh', `reservations/${encodeURIComponent(request.reservationVendorId)}/charges`),
      json: body,
    });
    const postings = answer.body?.postings ?? [];
    const posting = postings.find((p) => p.reference === reference) ?? (postings.length === 1 ? postings[0] : undefined);
    if (posting !== undefined) return this.read('postBillingCharges', () => fromPosting(posting, request.reference, request.amount), true);
    // Posted (201) without the posting in the answer: read it back from the folio.
    return (await this.findCharge(request.reservationVendorId, request.reference)) ?? outcomeUnknown('postBillingCharges', 'posted, but the posting is not on the folio');
  }

  /** Searches every folio window of the reservation for a posting whose `reference` is this request's. */
  async findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null> {
    const wanted = postingReference(reference);
    const postings = await this.folioPostings(reservationVendorId);
    const posting = postings.find((p) => p.reference === wanted);
    return posting === undefined ? null : this.read('getFolio', () => fromPosting(posting, reference));
  }

  private async folioPostings(reservationVendorId: string, window?: { no: number; offset: number }): Promise<WirePosting[]> {
    const { body } = await this.client.call<WireFolio>({
      ...this.describe('getFolio', false, `reservation ${reservationVendorId}`),
      method: 'GET',
      path: this.hotelPath('csh', `reservations/${encodeURIComponent(reservationVendorId)}/folios`),
      query: {
        fetchInstructions: 'Postings',
        ...(window === undefined ? {} : { folioWindowNo: window.no, offset: window.offset, limit: this.pageSize }),
      },
    });
    const postings: WirePosting[] = [];
    for (const w of body?.reservationFolioInformation?.folioWindows ?? []) {
      const rows = (w.folios ?? []).flatMap((f) => f.postings ?? []);
      postings.push(...rows);
      // A window with more postings than one answer holds is read on by itself.
      if (w.hasMore === true && w.folioWindowNo !== undefined && rows.length > 0) {
        const offset = (window?.no === w.folioWindowNo ? window.offset : 0) + rows.length;
        postings.push(...(await this.folioPostings(reservationVendorId, { no: w.folioWindowNo, offset })));
      }
    }
    return postings;
  }

  // --- notes --------------------------------------------------------------------------------------------------------

  /** A reservation comment (OPERA's notes), its text ending with the request's marker. */
  async postNote(request: NoteRequest): Promise<PostedNote> {
    const marker = noteMarker(request.reference);
    const body: WireChangeReservation = {
      reservations: [
        {
          reservationIdList: [{ id: request.reservationVendorId, type: 'Reservation' }],
          hotelId: this.client.hotelId,
          comments: [{ comment: { text: { value: noteText(request.text, request.reference) }, commentTitle: 'Relay', type: 'RESERVATION', internal: true } }],
        },
      ],
    };
    const answer = await this.client.call<WireReservation>({
      ...this.describe('putReservation', true, `reservation ${request.reservationVendorId}`),
      method: 'PUT',
      path: this.hotelPath('rsv', `reservations/${encodeURIComponent(request.reservationVendorId)}`),
      json: body,
    });
    const comment = answer.body?.reservations?.reservation?.[0]?.comments?.find((c) => c.id && c.comment?.text?.value?.includes(marker));
    if (comment?.id) return { vendorId: comment.id, reference: request.reference };
    return (await this.findNote(request.reservationVendorId, request.reference)) ?? outcomeUnknown('putReservation', 'changed, but the comment is not on the reservation');
  }

  async findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null> {
    const marker = noteMarker(reference);
    const found = await this.readReservation(reservationVendorId, ['Reservation', 'Comments']);
    const comment = found?.comments?.find((c) => c.id && c.comment?.text?.value?.includes(marker));
    return comment?.id ? { vendorId: comment.id, reference } : null;
  }

  // --- rooms --------------------------------------------------------------------------------------------------------

  async listRooms(): Promise<PmsRoom[]> {
    return readAllPages(
      'getHousekeepingOverview',
      async (offset, limit) => {
        const { body } = await this.client.call<WireHousekeepingBoard>({
          ...this.describe('getHousekeepingOverview', false, 'hotel'),
          method: 'GET',
          path: this.hotelPath('hsk', 'housekeepingOverview'),
          query: { limit, offset },
        });
        if (body === undefined) return null;
        const info = body.housekeepingRoomInfo;
        return { rows: this.read('getHousekeepingOverview', () => (info?.housekeepingRooms?.room ?? []).map(fromRoom)), hasMore: info?.hasMore === true };
      },
      this.pageSize,
    );
  }

  // --- helpers ------------------------------------------------------------------------------------------------------

  private describe(operation: string, write: boolean, subject: string): Pick<OperaCall, 'operation' | 'write' | 'subject'> {
    return { operation, write, subject: subject === 'hotel' ? `hotel ${this.client.hotelId}` : subject };
  }

  /** Maps an answer; one that is not what the spec promises is a retryable failure (a write's: outcome unknown). */
  private read<T>(operation: string, map: () => T, write = false): T {
    try {
      return map();
    } catch (error) {
      if (!(error instanceof OperaAnswerError)) throw error;
      return outcomeUnknown(operation, `unexpected answer (${error.message})`, write);
    }
  }
}

function outcomeUnknown(operation: string, message: string, write = true): never {
  throw ApplicationFailure.create({
    type: write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
    message: `${OPERA_VENDOR} ${operation}: ${message}`,
    details: [{ vendor: OPERA_VENDOR, operation, ambiguous: write }],
  });
}

function invalidPreference(key: string): never {
  throw pmsRejected(OPERA_VENDOR, `preference ${key} is not TYPE:CODE (OPERA keys preferences by their type and code)`);
}

function missing(vendorId: string): never {
  throw pmsNotFound(OPERA_VENDOR, `guest profile ${vendorId}`);
}
