/**
 * The Cloudbeds API methods the simulator answers, each with its HTTP method, the versions that
 * have it, the parameters it knows (anything else is refused) and its handler. Handlers return
 * the whole answer body; a refusal throws `CloudbedsError` with the HTTP status and message the
 * simulator answers (`{success: false, message}`): refused parameters 400, records that do not
 * exist 200, as the envelope — not the status — carries the verdict.
 */
import { DateTime } from 'luxon';
import { type Fields, listOf, type ParsedObject, str } from './form';
import type { CustomItemLine, Property, SimStore, Status } from './store';
import { guestDetail, housekeepingRow, noteRow, reservationDetail, reservationRow, transactionRow } from './views';

export class CloudbedsError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Version = 'v1.2' | 'v1.3';

export interface OperationContext {
  store: SimStore;
  property: Property;
  params: ParsedObject;
  now: number;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT';
  versions: readonly Version[];
  fields: Fields;
  /** Changes data: a lost-answer fault applies it and drops the answer. */
  write: boolean;
  handle(ctx: OperationContext): object;
}

const BOTH: readonly Version[] = ['v1.2', 'v1.3'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;
const STATUSES: readonly Status[] = ['not_confirmed', 'confirmed', 'canceled', 'checked_in', 'checked_out', 'no_show'];

const scalars = (...names: string[]): Fields => Object.fromEntries(names.map((n) => [n, 'scalar'] as const));

const invalid = (message: string) => new CloudbedsError(400, message);
const missing = (message: string) => new CloudbedsError(200, message);

function required(params: ParsedObject, name: string): string {
  const value = str(params[name])?.trim();
  if (!value) throw invalid(`Parameter ${name} is required`);
  return value;
}

function optionalDay(params: ParsedObject, name: string): string | undefined {
  const value = str(params[name]);
  if (value === undefined || value === '') return undefined;
  if (!DAY.test(value) || !DateTime.fromISO(value).isValid) throw invalid(`Parameter ${name} must be a date (YYYY-MM-DD)`);
  return value;
}

function flag(params: ParsedObject, name: string): boolean {
  const value = str(params[name]);
  if (value === undefined) return false;
  if (!['true', 'false', '1', '0'].includes(value)) throw invalid(`Parameter ${name} must be true or false`);
  return value === 'true' || value === '1';
}

/** `pageNumber` from 1, `pageSize` 1..max (default 100). */
function page(params: ParsedObject, max: number): { number: number; size: number } {
  const number = Number(str(params.pageNumber) ?? '1');
  const size = Number(str(params.pageSize) ?? '100');
  if (!Number.isInteger(number) || number < 1) throw invalid('Parameter pageNumber must be a positive integer');
  if (!Number.isInteger(size) || size < 1 || size > max) throw invalid(`Parameter pageSize must be between 1 and ${max}`);
  return { number, size };
}

function paged<T>(rows: T[], params: ParsedObject, max: number): { success: true; data: T[]; count: number; total: number } {
  const { number, size } = page(params, max);
  const data = rows.slice((number - 1) * size, number * size);
  return { success: true, data, count: data.length, total: rows.length };
}

function reservationOf(ctx: OperationContext, id: string) {
  const r = ctx.property.reservations.get(id);
  if (!r) throw missing('Reservation not found');
  return r;
}

function decimal(value: string | undefined, name: string): string {
  if (value === undefined || !/^-?\d{1,13}(\.\d{1,6})?$/.test(value.trim())) throw invalid(`Parameter ${name} must be a decimal amount`);
  return value.trim();
}

// --- reservations ---------------------------------------------------------------------------------------------------

const getReservations: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars(
    'propertyID', 'status', 'resultsFrom', 'resultsTo', 'modifiedFrom', 'modifiedTo', 'checkInFrom', 'checkInTo', 'checkOutFrom', 'checkOutTo',
    'datesQueryMode', 'roomID', 'roomName', 'roomTypeID', 'includeGuestsDetails', 'includeGuestRequirements', 'includeCustomFields', 'includeAllRooms',
    'sourceId', 'sourceReservationId', 'ratePlanId', 'firstName', 'lastName', 'guestID', 'allotmentBlockCode', 'groupCode', 'sortByRecent', 'pageNumber', 'pageSize',
  ),
  handle(ctx) {
    const { params, property } = ctx;
    const status = str(params.status);
    if (status !== undefined && !STATUSES.includes(status as Status)) throw invalid(`Parameter status must be one of ${STATUSES.join(', ')}`);
    const [inFrom, inTo, outFrom, outTo] = ['checkInFrom', 'checkInTo', 'checkOutFrom', 'checkOutTo'].map((n) => optionalDay(params, n));
    const modified = ['modifiedFrom', 'modifiedTo'].map((n) => {
      const v = str(params[n]);
      if (v !== undefined && !DATETIME.test(v)) throw invalid(`Parameter ${n} must be a date-time (YYYY-MM-DD HH:MM:SS)`);
      return v === undefined ? undefined : DateTime.fromFormat(v.length === 10 ? `${v} 00:00:00` : v, 'yyyy-MM-dd HH:mm:ss', { zone: property.timezone }).toMillis();
    });
    const lastName = str(params.lastName)?.toLowerCase();
    const firstName = str(params.firstName)?.toLowerCase();
    const guestID = str(params.guestID);
    const rows = [...property.reservations.values()].filter((r) => {
      const g = property.guests.get(r.guestID);
      return (
        (status === undefined || r.status === status) &&
        (inFrom === undefined || r.startDate >= inFrom) &&
        (inTo === undefined || r.startDate <= inTo) &&
        (outFrom === undefined || r.endDate >= outFrom) &&
        (outTo === undefined || r.endDate <= outTo) &&
        (modified[0] === undefined || r.modifiedAt >= modified[0]) &&
        (modified[1] === undefined || r.modifiedAt <= modified[1]) &&
        (lastName === undefined || g?.lastName.toLowerCase() === lastName) &&
        (firstName === undefined || g?.firstName.toLowerCase() === firstName) &&
        (guestID === undefined || r.guestID === guestID)
      );
    });
    const options = { guests: flag(params, 'includeGuestsDetails'), rooms: flag(params, 'includeAllRooms') };
    return paged(rows.map((r) => reservationRow(property, r, options)), params, 100);
  },
};

const getReservation: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars('propertyID', 'reservationID', 'includeGuestRequirements'),
  handle: (ctx) => ({ success: true, data: reservationDetail(ctx.property, reservationOf(ctx, required(ctx.params, 'reservationID'))) }),
};

// --- guests ---------------------------------------------------------------------------------------------------------

const getGuest: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars('propertyID', 'reservationID', 'guestID', 'includeGuestRequirements'),
  handle(ctx) {
    const guestID = str(ctx.params.guestID) || (str(ctx.params.reservationID) ? reservationOf(ctx, str(ctx.params.reservationID)!).guestID : undefined);
    if (!guestID) throw invalid('Parameter guestID or reservationID is required');
    const guest = ctx.property.guests.get(guestID);
    if (!guest) throw missing('Guest not found');
    return { success: true, data: guestDetail(guest) };
  },
};

const putGuest: Operation = {
  method: 'PUT',
  versions: BOTH,
  write: true,
  fields: {
    ...scalars(
      'propertyID', 'guestID', 'guestFirstName', 'guestLastName', 'guestGender', 'guestEmail', 'guestPhone', 'guestCellPhone', 'guestAddress1', 'guestAddress2',
      'guestCity', 'guestCountry', 'guestState', 'guestZip', 'guestBirthDate', 'guestDocumentType', 'guestDocumentNumber', 'guestDocumentIssueDate',
      'guestDocumentIssuingCountry', 'guestDocumentExpirationDate', 'guestCompanyName', 'guestCompanyTaxId', 'guestTaxId',
    ),
    guestRequirements: { list: {} },
    guestCustomFields: { list: scalars('customFieldName', 'customFieldValue') },
  },
  handle(ctx) {
    const { params, property } = ctx;
    const guest = property.guests.get(required(params, 'guestID'));
    if (!guest) throw missing('Guest not found');
    const email = str(params.guestEmail);
    if (email !== undefined && email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid('Parameter guestEmail is not a valid e-mail address');
    const country = str(params.guestCountry);
    if (country !== undefined && country !== '' && !/^[A-Z]{2}$/.test(country)) throw invalid('Parameter guestCountry must be an ISO-Code for Country (2 characters)');
    const custom = listOf(params.guestCustomFields).map((f) => ({ name: str(f.customFieldName) ?? '', value: str(f.customFieldValue) ?? '' }));
    for (const f of custom) if (f.name !== property.languageField) throw missing(`Custom field ${f.name || '(no name)'} not found`);
    const set = (value: string | undefined, apply: (v: string) => void) => value !== undefined && value !== '' && apply(value);
    set(str(params.guestFirstName), (v) => (guest.firstName = v));
    set(str(params.guestLastName), (v) => (guest.lastName = v));
    set(email, (v) => (guest.email = v));
    set(str(params.guestPhone), (v) => (guest.phone = v));
    set(str(params.guestCellPhone), (v) => (guest.cellPhone = v));
    set(country, (v) => (guest.country = v));
    for (const f of custom) guest.customFields.set(f.name, f.value);
    guest.modifiedAt = ctx.now;
    return { success: true };
  },
};

// --- folio ----------------------------------------------------------------------------------------------------------

/** What Cloudbeds answers when a referenceID was used before: nothing created or updated. */
export const DUPLICATE_REFERENCE_NOTICE = 'The referenceID was already used: nothing was created or updated.';

const postCustomItem: Operation = {
  method: 'POST',
  versions: BOTH,
  write: true,
  fields: {
    ...scalars('propertyID', 'reservationID', 'houseAccountID', 'groupCode', 'referenceID', 'subReservationID', 'roomID', 'saleDate', 'guestID', 'guestName', 'itemPaid'),
    items: {
      list: {
        ...scalars('appItemID', 'itemSKU', 'itemQuantity', 'itemPrice', 'itemName', 'itemCategoryName', 'itemNote'),
        itemTaxes: { list: scalars('taxName', 'taxValue') },
        itemFees: { list: scalars('feeName', 'feeValue') },
      },
    },
    payments: { list: scalars('paymentType', 'cardType', 'amount', 'notes') },
  },
  handle(ctx) {
    const { params, property, store, now } = ctx;
    if (str(params.houseAccountID) || str(params.groupCode)) throw missing('The simulator posts custom items to reservations only');
    const reservation = reservationOf(ctx, required(params, 'reservationID'));
    const referenceID = str(params.referenceID)?.trim() || null;
    const known = referenceID === null ? undefined : property.references.get(referenceID);
    if (known !== undefined) {
      const sold = property.soldProducts.get(known)!;
      return { success: true, data: { soldProductID: sold.soldProductID, transactionID: sold.transactionID, notice: DUPLICATE_REFERENCE_NOTICE } };
    }
    const lines: CustomItemLine[] = listOf(params.items).map((item, i) => {
      const name = str(item.itemName)?.trim();
      if (!name) throw invalid(`Parameter items[${i}][itemName] is required`);
      const quantity = Number(str(item.itemQuantity) ?? '1');
      if (!Number.isInteger(quantity) || quantity < 1) throw invalid(`Parameter items[${i}][itemQuantity] must be a positive integer`);
      return { itemName: name, itemPrice: decimal(str(item.itemPrice), `items[${i}][itemPrice]`), itemQuantity: quantity, itemNote: str(item.itemNote) ?? '', itemSKU: str(item.itemSKU) ?? '' };
    });
    if (lines.length === 0) throw invalid('Parameter items is required');
    const sold = { soldProductID: store.nextId(9), transactionID: store.nextId(10), reservationID: reservation.reservationID, referenceID, lines, postedAt: now };
    property.soldProducts.set(sold.soldProductID, sold);
    if (referenceID !== null) property.references.set(referenceID, sold.soldProductID);
    // The posting's transaction is its first line's; further lines get their own.
    for (const [i, line] of lines.entries()) {
      property.transactions.push({ transactionID: i === 0 ? sold.transactionID : store.nextId(10), reservationID: reservation.reservationID, description: line.itemName, notes: line.itemNote, amount: Number(line.itemPrice) * line.itemQuantity, transactionCategory: 'custom_item', postedAt: now });
    }
    return { success: true, data: { soldProductID: sold.soldProductID, transactionID: sold.transactionID } };
  },
};

/** A card charge through Cloudbeds Payments: money from the guest's card, never a folio item. */
const postCharge: Operation = {
  method: 'POST',
  versions: BOTH,
  write: true,
  fields: scalars('propertyID', 'reservationID', 'houseAccountID', 'groupId', 'accountsReceivableLedgerId', 'amount', 'currency', 'description', 'cardToken', 'paymentMethodId', 'isDeposit', 'redirectUrl'),
  handle(ctx) {
    const reservation = reservationOf(ctx, required(ctx.params, 'reservationID'));
    if (!str(ctx.params.cardToken) && !str(ctx.params.paymentMethodId)) throw invalid('Parameter cardToken or paymentMethodId is required');
    const charge = { transactionID: ctx.store.nextId(10), reservationID: reservation.reservationID, amount: decimal(str(ctx.params.amount), 'amount') };
    ctx.property.cardCharges.push(charge);
    return { success: true, data: { transactionID: charge.transactionID } };
  },
};

const getTransactions: Operation = {
  method: 'GET',
  versions: ['v1.2'],
  write: false,
  fields: scalars(
    'propertyID', 'includeDebit', 'includeCredit', 'includeDeleted', 'includeChildren', 'reservationID', 'subReservationID', 'roomID', 'guestID', 'houseAccountID',
    'transactionIDs', 'resultsFrom', 'resultsTo', 'modifiedFrom', 'modifiedTo', 'createdFrom', 'createdTo', 'transactionFilter', 'pageNumber', 'pageSize', 'sortBy', 'orderBy',
  ),
  handle(ctx) {
    const reservationID = str(ctx.params.reservationID);
    const rows = ctx.property.transactions.filter((t) => reservationID === undefined || t.reservationID === reservationID);
    return paged(rows.map((t) => transactionRow(ctx.property, t)), ctx.params, 100);
  },
};

// --- notes ----------------------------------------------------------------------------------------------------------

const postReservationNote: Operation = {
  method: 'POST',
  versions: BOTH,
  write: true,
  fields: scalars('propertyID', 'reservationID', 'reservationNote', 'userID', 'dateCreated'),
  handle(ctx) {
    const reservation = reservationOf(ctx, required(ctx.params, 'reservationID'));
    const text = required(ctx.params, 'reservationNote');
    const note = { reservationNoteID: ctx.store.nextId(8), reservationID: reservation.reservationID, reservationNote: text, createdAt: ctx.now };
    ctx.property.notes.push(note);
    // This method answers the note's id beside `success`, not under `data`.
    return { success: true, reservationNoteID: note.reservationNoteID };
  },
};

const getReservationNotes: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars('propertyID', 'reservationID'),
  handle(ctx) {
    const reservation = reservationOf(ctx, required(ctx.params, 'reservationID'));
    return { success: true, data: ctx.property.notes.filter((n) => n.reservationID === reservation.reservationID).map((n) => noteRow(ctx.property, n)) };
  },
};

// --- property and rooms ---------------------------------------------------------------------------------------------

const getHotelDetails: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars('propertyID'),
  handle: ({ property: p }) => ({
    success: true,
    data: {
      propertyID: p.propertyID,
      propertyName: p.name,
      propertyType: 'Hotel',
      propertyCurrency: { currencyCode: p.currency, currencySymbol: p.currency === 'EUR' ? '€' : p.currency, currencyPosition: 'before', currencyDecimalSeparator: '.', currencyThousandsSeparator: ',' },
      propertyPrimaryLanguage: 'en',
      propertyAddress: { propertyCountry: p.country },
      propertyTimezone: p.timezone,
      propertyPolicy: { propertyCheckInTime: '14:00', propertyCheckOutTime: '12:00' },
    },
  }),
};

const getHousekeepingStatus: Operation = {
  method: 'GET',
  versions: BOTH,
  write: false,
  fields: scalars('propertyID', 'roomTypeIDs', 'housekeeperIDs', 'roomCondition', 'roomOccupied', 'pageNumber', 'pageSize'),
  handle(ctx) {
    const condition = str(ctx.params.roomCondition);
    const rows = [...ctx.property.rooms.values()].filter((r) => condition === undefined || r.roomCondition === condition).map((r) => housekeepingRow(ctx.property, r));
    return paged(rows, ctx.params, 5000);
  },
};

export const OPERATIONS: Record<string, Operation> = {
  getReservations,
  getReservation,
  getGuest,
  putGuest,
  postCustomItem,
  postCharge,
  getTransactions,
  postReservationNote,
  getReservationNotes,
  getHotelDetails,
  getHousekeepingStatus,
};

