/**
 * The PMS interface over Mews' Connector API for one hotel (enterprise). Reads page with
 * Mews' cursors; local days become UTC windows through the hotel's zone; charges and notes
 * carry Relay's reference where Mews keeps it (an order item's `ExternalIdentifier`, a marker
 * at the end of a note's text) so that a check-before-retry finds exactly what one request
 * posted. See capabilities.ts for what each operation does at Mews.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
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
import { MEWS_API_PATH, MewsClient } from './client';
import type { MewsCredentials } from './credentials';
import { isSplitWindowHint, MEWS_KEY, MEWS_VENDOR } from './errors';
import {
  fromMewsDecimal,
  isRoom,
  mewsAgeCategory,
  type MewsCustomer,
  mewsCustomer,
  MewsMappingError,
  mewsOrderItem,
  mewsProductServiceOrder,
  type MewsReservation,
  mewsReservation,
  mewsResource,
  mewsService,
  mewsServiceOrderNote,
  noteMarker,
  parseAll,
  toGuest,
  toMewsDecimal,
  toMewsLanguageCode,
  toReservation,
  toRoom,
} from './mapping';
import { getAllPages, MEWS_PAGE_SIZE } from './paging';
import type { MewsSettings } from './settings';
import { localDayWindows, splitWindow, toInterval, type UtcWindow } from './time';

/** The Connector API operations Relay uses; the address must match exactly (case-sensitive). */
export const MEWS_OPERATIONS = {
  reservations: 'reservations/getAll/2023-06-06',
  customers: 'customers/getAll',
  updateCustomer: 'customers/update',
  resources: 'resources/getAll',
  ageCategories: 'ageCategories/getAll',
  services: 'services/getAll',
  addOrder: 'orders/add',
  productServiceOrders: 'productServiceOrders/getAll',
  orderItems: 'orderItems/getAll',
  addNotes: 'serviceOrderNotes/add',
  notes: 'serviceOrderNotes/getAll',
} as const;

/** Mews takes at most 1000 ids per filter. */
const MAX_IDS = 1000;
/** Mews' ExternalIdentifier fields hold up to 255 characters. */
const MAX_REFERENCE = 255;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function chunks<T>(items: readonly T[], size = MAX_IDS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

export interface MewsAdapterOptions {
  /** Items per getAll page (1..1000); smaller only in tests that follow the cursor. */
  pageSize?: number;
}

export class MewsAdapter implements PmsAdapter {
  private readonly client: MewsClient;
  private readonly timezone: string;
  private readonly enterpriseId: string;
  private childCategories: Promise<Set<string>> | undefined;
  private chargeService: Promise<string> | undefined;
  private readonly pageSize: number;

  constructor(
    private readonly ctx: PmsAdapterContext<MewsSettings, MewsCredentials>,
    options: MewsAdapterOptions = {},
  ) {
    this.pageSize = options.pageSize ?? MEWS_PAGE_SIZE;
    this.client = new MewsClient({ settings: ctx.settings, credentials: ctx.property.credentials, logger: ctx.logger, withinLimit: ctx.withinLimit, signal: ctx.signal });
    this.timezone = ctx.property.timezone;
    this.enterpriseId = ctx.property.vendorPropertyId;
  }

  // --- reads --------------------------------------------------------------------------------------

  async getGuest(vendorId: string): Promise<PmsGuest | null> {
    if (!GUID.test(vendorId)) return null;
    const [customer] = await this.customers([vendorId]);
    return customer ? toGuest(customer) : null;
  }

  async getReservation(vendorId: string): Promise<PmsReservation | null> {
    const found = await this.wireReservation(vendorId);
    if (found === null) return null;
    const [reservation] = await this.toReservations([found]);
    return reservation ?? null;
  }

  async searchReservations(query: ReservationQuery): Promise<PmsReservation[]> {
    const filter: Record<string, unknown> = { EnterpriseIds: [this.enterpriseId] };
    if (query.confirmationNumber !== undefined) filter.Numbers = [query.confirmationNumber];
    const range = (query.arrivalFrom ?? query.arrivalTo) !== undefined ? { from: query.arrivalFrom ?? query.arrivalTo!, to: query.arrivalTo ?? query.arrivalFrom! } : undefined;
    if (query.confirmationNumber === undefined && query.lastName === undefined && range === undefined) {
      throw pmsRejected(MEWS_VENDOR, 'a reservation search needs a confirmation number, a last name or arrival days');
    }
    let accountGroups: string[][] = [[]];
    if (query.lastName !== undefined) {
      const owners = await this.list(MEWS_OPERATIONS.customers, { LastNames: [query.lastName], Extent: { Customers: true, Addresses: false } }, 'Customers', mewsCustomer, 'customer');
      if (owners.length === 0) return [];
      accountGroups = chunks(owners.map((c) => c.Id));
    }
    const found: MewsReservation[] = [];
    for (const accounts of accountGroups) {
      const withAccounts = accounts.length > 0 ? { ...filter, AccountIds: accounts } : filter;
      if (range === undefined) found.push(...(await this.reservationPages(withAccounts)));
      else for (const window of localDayWindows(range, this.timezone)) found.push(...(await this.reservationsStarting(window, withAccounts)));
    }
    return this.toReservations(unique(found));
  }

  async listArrivals(range: DateRange): Promise<PmsArrival[]> {
    const found: MewsReservation[] = [];
    // Every state: a poll must see cancellations too.
    for (const window of localDayWindows(range, this.timezone)) found.push(...(await this.reservationsStarting(window, { EnterpriseIds: [this.enterpriseId] })));
    const reservations = await this.toReservations(unique(found));
    const guestIds = [...new Set(reservations.flatMap((r) => (r.guestVendorId === null ? [] : [r.guestVendorId])))];
    const guests = new Map((await this.customers(guestIds)).map((c) => [c.Id, toGuest(c)]));
    return reservations.map((reservation) => ({ reservation, guest: reservation.guestVendorId === null ? null : (guests.get(reservation.guestVendorId) ?? null) }));
  }

  async listRooms(): Promise<PmsRoom[]> {
    const resources = await this.list(MEWS_OPERATIONS.resources, { EnterpriseIds: [this.enterpriseId], Extent: { Resources: true, Inactive: false } }, 'Resources', mewsResource, 'resource');
    return this.read(MEWS_OPERATIONS.resources, () => resources.filter(isRoom).map(toRoom));
  }

  // --- charges ------------------------------------------------------------------------------------

  async postCharge(request: ChargeRequest): Promise<PostedCharge> {
    checkReference(request.reference);
    if (request.description.trim() === '') throw invalidInput('a Mews charge needs a description (the item name on the bill)');
    let amount: number;
    try {
      amount = toMewsDecimal(request.amount.amount);
    } catch (error) {
      throw invalidInput((error as Error).message);
    }
    const reservation = await this.wireReservation(request.reservationVendorId);
    if (reservation === null) throw pmsNotFound(MEWS_VENDOR, `reservation ${request.reservationVendorId}`);
    const serviceId = await this.chargeServiceId();
    const taxCode = this.ctx.property.credentials.chargeTaxCode;
    const answer = await this.client.call<{ OrderId?: unknown }>(
      MEWS_OPERATIONS.addOrder,
      {
        EnterpriseId: this.enterpriseId,
        ServiceId: serviceId,
        // The reservation's owner pays; the link puts the order on the reservation's bill.
        AccountId: reservation.AccountId,
        LinkedReservationId: reservation.Id,
        // Keeps our item its own order item, with its ExternalIdentifier.
        Options: { DisableItemGrouping: true },
        Items: [
          {
            Name: request.description,
            UnitCount: 1,
            UnitAmount: { Currency: request.amount.currency, GrossValue: amount, TaxCodes: taxCode ? [taxCode] : [] },
            ...(request.itemCode ? { AccountingCategoryId: request.itemCode } : {}),
            ExternalIdentifier: request.reference,
          },
        ],
      },
      { write: true },
    );
    if (typeof answer.OrderId !== 'string' || answer.OrderId === '') throw outcomeUnknown(MEWS_OPERATIONS.addOrder, 'orders/add answered without OrderId');
    return { vendorId: answer.OrderId, reference: request.reference, amount: request.amount, postedAt: null };
  }

  /**
   * The order Relay's `orders/add` made for this reference: the orders linked to the
   * reservation on the charge service (`productServiceOrders/getAll`), then their items
   * (`orderItems/getAll`), matched on `ExternalIdentifier` alone.
   */
  async findCharge(reservationVendorId: string, reference: string): Promise<PostedCharge | null> {
    checkReference(reference);
    if (!GUID.test(reservationVendorId)) return null;
    const serviceId = await this.chargeServiceId();
    const orders = await this.list(
      MEWS_OPERATIONS.productServiceOrders,
      { EnterpriseIds: [this.enterpriseId], ServiceIds: [serviceId], LinkedReservationIds: [reservationVendorId] },
      'ProductServiceOrders',
      mewsProductServiceOrder,
      'product service order',
    );
    const orderIds = orders.filter((o) => o.LinkedReservationId === reservationVendorId).map((o) => o.Id);
    for (const ids of chunks(orderIds)) {
      const items = await this.list(MEWS_OPERATIONS.orderItems, { EnterpriseIds: [this.enterpriseId], ServiceOrderIds: ids }, 'OrderItems', mewsOrderItem, 'order item');
      const item = items.find((i) => i.ExternalIdentifier === reference);
      if (item) {
        const value = item.Amount.GrossValue ?? item.Amount.NetValue ?? 0;
        return { vendorId: item.ServiceOrderId, reference, amount: { amount: fromMewsDecimal(value), currency: item.Amount.Currency }, postedAt: item.CreatedUtc ?? null };
      }
    }
    return null;
  }

  // --- notes --------------------------------------------------------------------------------------

  async postNote(request: NoteRequest): Promise<PostedNote> {
    checkReference(request.reference);
    const text = `${request.text.trimEnd()}\n${noteMarker(request.reference)}`;
    const answer = await this.client.call<{ ServiceOrderNotes?: unknown }>(
      MEWS_OPERATIONS.addNotes,
      { ServiceOrderNotes: [{ ServiceOrderId: request.reservationVendorId, Text: text }] },
      { write: true },
    );
    const [note] = Array.isArray(answer.ServiceOrderNotes) ? answer.ServiceOrderNotes : [];
    const id = (note as { Id?: unknown } | undefined)?.Id;
    if (typeof id !== 'string' || id === '') throw outcomeUnknown(MEWS_OPERATIONS.addNotes, 'serviceOrderNotes/add answered without the note');
    return { vendorId: id, reference: request.reference };
  }

  async findNote(reservationVendorId: string, reference: string): Promise<PostedNote | null> {
    checkReference(reference);
    if (!GUID.test(reservationVendorId)) return null;
    const marker = noteMarker(reference);
    const notes = await this.list(
      MEWS_OPERATIONS.notes,
      { EnterpriseIds: [this.enterpriseId], ServiceOrderIds: [reservationVendorId], Types: ['General'] },
      'ServiceOrderNotes',
      mewsServiceOrderNote,
      'service order note',
    );
    const note = notes.find((n) => n.OrderId === reservationVendorId && (n.Text ?? '').includes(marker));
    return note ? { vendorId: note.Id, reference } : null;
  }

  // --- guests -------------------------------------------------------------------------------------

  async updateGuest(vendorId: string, patch: GuestPatch): Promise<PmsGuest> {
    const body = customerUpdate(vendorId, patch);
    if (Object.keys(body).length === 1) {
      const guest = await this.getGuest(vendorId);
      if (guest === null) throw pmsNotFound(MEWS_VENDOR, `customer ${vendorId}`);
      return guest;
    }
    const answer = await this.client.call<object>(MEWS_OPERATIONS.updateCustomer, body, { write: true });
    // Mews answers with the whole customer as it now holds it.
    return this.read(MEWS_OPERATIONS.updateCustomer, () => toGuest(parseAll(mewsCustomer, [answer], 'customer')[0]!), true);
  }

  // --- helpers ------------------------------------------------------------------------------------

  private async wireReservation(vendorId: string): Promise<MewsReservation | null> {
    if (!GUID.test(vendorId)) return null;
    const [found] = await this.reservationPages({ EnterpriseIds: [this.enterpriseId], ReservationIds: [vendorId] }, 1);
    return found ?? null;
  }

  private reservationPages(filter: Record<string, unknown>, limit?: number): Promise<MewsReservation[]> {
    return this.list(MEWS_OPERATIONS.reservations, filter, 'Reservations', mewsReservation, 'reservation', limit);
  }

  /** Every record of a getAll (or the first `limit`), checked against what Relay reads of it. */
  private list<T>(operation: string, filter: Record<string, unknown>, listKey: string, schema: z.ZodType<T>, what: string, limit?: number): Promise<T[]> {
    const paging = limit === undefined ? { count: this.pageSize } : { count: limit, limit };
    return this.read(operation, async () => parseAll(schema, await getAllPages(this.client, operation, filter, listKey, paging), what));
  }

  /** Reservations scheduled to start in the window; a 408 ("too heavy") halves the window and asks again. */
  private async reservationsStarting(window: UtcWindow, filter: Record<string, unknown>): Promise<MewsReservation[]> {
    try {
      return await this.reservationPages({ ...filter, ScheduledStartUtc: toInterval(window) });
    } catch (error) {
      const halves = isSplitWindowHint(error) ? splitWindow(window) : null;
      if (halves === null) throw error;
      this.ctx.logger.info({ vendor: MEWS_KEY, windowMs: window.end - window.start }, 'Mews found the window too heavy; asking for halves');
      return [...(await this.reservationsStarting(halves[0], filter)), ...(await this.reservationsStarting(halves[1], filter))];
    }
  }

  private async toReservations(found: MewsReservation[]): Promise<PmsReservation[]> {
    const roomIds = [...new Set(found.flatMap((r) => (r.AssignedResourceId ? [r.AssignedResourceId] : [])))];
    const roomNames = new Map<string, string>();
    for (const ids of chunks(roomIds)) {
      const resources = await this.list(MEWS_OPERATIONS.resources, { EnterpriseIds: [this.enterpriseId], ResourceIds: ids, Extent: { Resources: true, Inactive: true } }, 'Resources', mewsResource, 'resource');
      for (const r of resources) roomNames.set(r.Id, r.Name);
    }
    const childCategories = found.some((r) => (r.PersonCounts ?? []).length > 0) ? await this.childAgeCategories() : new Set<string>();
    return this.read(MEWS_OPERATIONS.reservations, () => found.map((r) => toReservation(r, { timezone: this.timezone, roomNames, childCategories })));
  }

  private async customers(ids: string[]): Promise<MewsCustomer[]> {
    const out: MewsCustomer[] = [];
    for (const group of chunks(ids)) {
      out.push(...(await this.list(MEWS_OPERATIONS.customers, { CustomerIds: group, Extent: { Customers: true, Addresses: false } }, 'Customers', mewsCustomer, 'customer')));
    }
    return out;
  }

  /** Age categories classified `Child` (read once per adapter): a reservation counts people per category. */
  private childAgeCategories(): Promise<Set<string>> {
    this.childCategories ??= this.list(MEWS_OPERATIONS.ageCategories, { EnterpriseIds: [this.enterpriseId] }, 'AgeCategories', mewsAgeCategory, 'age category')
      .then((categories) => new Set(categories.filter((c) => c.Classification === 'Child').map((c) => c.Id)))
      .catch((error: unknown) => {
      this.childCategories = undefined;
      throw error;
    });
    return this.childCategories;
  }

  /** The Additional service charges go to: the property's setting, else its only active Additional service. */
  private chargeServiceId(): Promise<string> {
    const configured = this.ctx.property.credentials.chargeServiceId;
    if (configured) return Promise.resolve(configured);
    this.chargeService ??= (async () => {
      const services = await this.list(MEWS_OPERATIONS.services, { EnterpriseIds: [this.enterpriseId], ServiceType: 'Additional' }, 'Services', mewsService, 'service');
      const orderable = services.filter((s) => s.IsActive && s.Data?.Discriminator === 'Additional');
      if (orderable.length !== 1) {
        throw pmsRejected(MEWS_VENDOR, `the hotel has ${orderable.length} active Additional services; set chargeServiceId in the property's credentials to the one charges go to`);
      }
      return orderable[0]!.Id;
    })().catch((error: unknown) => {
      this.chargeService = undefined;
      throw error;
    });
    return this.chargeService;
  }

  /** Maps an answer; one Relay cannot read becomes a retryable failure (ambiguous after a write). */
  private read<T>(operation: string, map: () => T, write?: boolean): T;
  private read<T>(operation: string, map: () => Promise<T>, write?: boolean): Promise<T>;
  private read<T>(operation: string, map: () => T | Promise<T>, write = false): T | Promise<T> {
    const wrap = (error: unknown): never => {
      if (error instanceof MewsMappingError) throw unreadable(operation, error.message, write);
      throw error;
    };
    try {
      const result = map();
      return result instanceof Promise ? result.catch(wrap) : result;
    } catch (error) {
      return wrap(error);
    }
  }
}

function unique(reservations: MewsReservation[]): MewsReservation[] {
  return [...new Map(reservations.map((r) => [r.Id, r])).values()];
}

/** References travel as Mews' ExternalIdentifier and inside a `[relay:…]` marker. */
function checkReference(reference: string): void {
  if (reference.trim() === '' || reference.length > MAX_REFERENCE || /[\]\s]/.test(reference)) {
    throw invalidInput('a Mews reference must have 1 to 255 characters without spaces or "]"');
  }
}

/**
 * `customers/update` for a patch. Mews leaves a field alone when it is blank or absent and has
 * no way to clear one, so a patch that clears a field is refused rather than silently ignored.
 */
function customerUpdate(customerId: string, patch: GuestPatch): Record<string, unknown> {
  const body: Record<string, unknown> = { CustomerId: customerId };
  const cannotClear = (field: string) => pmsRejected(MEWS_VENDOR, `Mews cannot clear a customer's ${field} (a blank value leaves it unchanged)`);
  const text = (value: string | null | undefined, field: string, wire: string) => {
    if (value === undefined) return;
    if (value === null || value.trim() === '') throw cannotClear(field);
    body[wire] = value.trim();
  };
  text(patch.firstName, 'first name', 'FirstName');
  text(patch.lastName, 'last name', 'LastName');
  text(patch.email, 'e-mail', 'Email');
  text(patch.phone, 'phone', 'Phone');
  if (patch.language !== undefined) {
    if (patch.language === null || patch.language.trim() === '') throw cannotClear('language');
    try {
      body.PreferredLanguageCode = toMewsLanguageCode(patch.language);
    } catch (error) {
      throw invalidInput((error as Error).message);
    }
  }
  if (patch.preferences !== undefined) throw pmsRejected(MEWS_VENDOR, "room preferences are read-only through Mews' Connector API (customers/update has no such field)");
  return body;
}

function unreadable(operation: string, message: string, write: boolean): ApplicationFailure {
  return vendorFailure({
    type: write ? FailureType.VendorOutcomeUnknown : FailureType.VendorUnavailable,
    message: `unexpected answer: ${message}`,
    retryable: true,
    details: { vendor: MEWS_KEY, method: 'POST', path: `${MEWS_API_PATH}/${operation}`, ambiguous: write },
  });
}

function outcomeUnknown(operation: string, message: string): ApplicationFailure {
  return unreadable(operation, message, true);
}
