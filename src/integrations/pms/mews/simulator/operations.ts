/**
 * The Connector API operations the simulator speaks, each with Mews' filters, required fields
 * and answers (operations/*.md). A request sees only the enterprises its AccessToken opens,
 * narrowed by `EnterpriseIds` where the operation takes it.
 */
import { type Body, extent, interval, limitation, matches, optionalString, page, requiredString, strings, within } from './requests';
import { type Enterprise, newId, type SimStore } from './store';
import {
  badRequest,
  forbidden,
  utc,
  type WireAmount,
  type WireCustomer,
  type WireOrderItem,
  type WireProductServiceOrder,
  type WireReservation,
  type WireServiceOrderNote,
} from './wire';

export interface OperationContext {
  store: SimStore;
  /** The enterprises the request's AccessToken opens. */
  enterprises: Enterprise[];
  body: Body;
}

export interface Operation {
  handle(ctx: OperationContext): unknown;
  /** Changes data: a lost-answer fault applies it and then drops the connection. */
  write: boolean;
}

function scope(ctx: OperationContext): Enterprise[] {
  const ids = strings(ctx.body, 'EnterpriseIds');
  return ids === undefined ? ctx.enterprises : ctx.enterprises.filter((e) => ids.includes(e.id));
}

function all<T>(enterprises: Enterprise[], pick: (e: Enterprise) => Iterable<T>): T[] {
  return enterprises.flatMap((e) => [...pick(e)]);
}

/** The enterprise a write addresses: `EnterpriseId` for portfolio tokens, else the token's only one. */
function target(ctx: OperationContext): Enterprise {
  const id = optionalString(ctx.body, 'EnterpriseId');
  if (ctx.enterprises.length === 1 && (id === undefined || id === ctx.enterprises[0]!.id)) return ctx.enterprises[0]!;
  if (id === undefined) throw badRequest('EnterpriseId is required when using a Portfolio Access Token.');
  const found = ctx.enterprises.find((e) => e.id === id);
  if (!found) throw badRequest('Invalid EnterpriseId.');
  return found;
}

function findCustomer(ctx: OperationContext, id: string): { e: Enterprise; customer: WireCustomer } | undefined {
  for (const e of ctx.enterprises) {
    const customer = e.customers.get(id);
    if (customer) return { e, customer };
  }
  return undefined;
}

// --- reservations/getAll/2023-06-06 --------------------------------------------------------------

function reservationsGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const f = {
    ids: strings(body, 'ReservationIds'),
    services: strings(body, 'ServiceIds'),
    groups: strings(body, 'ReservationGroupIds'),
    accounts: strings(body, 'AccountIds'),
    partners: strings(body, 'PartnerCompanyIds', 100),
    agencies: strings(body, 'TravelAgencyIds', 100),
    numbers: strings(body, 'Numbers'),
    channelNumbers: strings(body, 'ChannelNumbers', 100),
    resources: strings(body, 'AssignedResourceIds'),
    blocks: strings(body, 'AvailabilityBlockIds', 100),
    states: strings(body, 'States'),
    created: interval(body, 'CreatedUtc'),
    updated: interval(body, 'UpdatedUtc'),
    colliding: interval(body, 'CollidingUtc'),
    scheduledStart: interval(body, 'ScheduledStartUtc'),
    actualStart: interval(body, 'ActualStartUtc'),
    scheduledEnd: interval(body, 'ScheduledEndUtc'),
    actualEnd: interval(body, 'ActualEndUtc'),
  };
  if (f.scheduledStart && f.actualStart) throw badRequest('ScheduledStartUtc cannot be used with ActualStartUtc.');
  if (f.scheduledEnd && f.actualEnd) throw badRequest('ScheduledEndUtc cannot be used with ActualEndUtc.');
  const collides = (r: WireReservation) => !f.colliding || (Date.parse(r.ScheduledStartUtc) <= f.colliding.end && Date.parse(r.ScheduledEndUtc) >= f.colliding.start);
  const selected = all(scope(ctx), (e) => e.reservations.values()).filter(
    (r) =>
      matches(r.Id, f.ids) &&
      matches(r.ServiceId, f.services) &&
      matches(r.GroupId, f.groups) &&
      matches(r.AccountId, f.accounts) &&
      matches(r.PartnerCompanyId, f.partners) &&
      matches(r.TravelAgencyId, f.agencies) &&
      matches(r.Number, f.numbers) &&
      matches(r.ChannelNumber, f.channelNumbers) &&
      matches(r.AssignedResourceId, f.resources) &&
      matches(r.AvailabilityBlockId, f.blocks) &&
      matches(r.State, f.states) &&
      within(r.CreatedUtc, f.created) &&
      within(r.UpdatedUtc, f.updated) &&
      collides(r) &&
      within(r.ScheduledStartUtc, f.scheduledStart) &&
      within(r.ActualStartUtc, f.actualStart) &&
      within(r.ScheduledEndUtc, f.scheduledEnd) &&
      within(r.ActualEndUtc, f.actualEnd),
  );
  const p = page(ctx.store, selected, l);
  return { Reservations: p.items, Cursor: p.cursor };
}

// --- customers -----------------------------------------------------------------------------------

function customersGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const ext = extent(body);
  const l = limitation(body);
  const f = {
    ids: strings(body, 'CustomerIds'),
    emails: strings(body, 'Emails'),
    firstNames: strings(body, 'FirstNames'),
    lastNames: strings(body, 'LastNames'),
    loyalty: strings(body, 'LoyaltyCodes'),
    companies: strings(body, 'CompanyIds', 1),
    created: interval(body, 'CreatedUtc'),
    updated: interval(body, 'UpdatedUtc'),
    deleted: interval(body, 'DeletedUtc'),
  };
  if (Object.values(f).every((v) => v === undefined)) throw badRequest('At least one filter (e.g. CustomerIds, Emails, LastNames, CreatedUtc, UpdatedUtc) is required.');
  const selected = all(ctx.enterprises, (e) => e.customers.values()).filter(
    (c) =>
      matches(c.Id, f.ids) &&
      matches(c.Email, f.emails) &&
      matches(c.FirstName, f.firstNames) &&
      matches(c.LastName, f.lastNames) &&
      matches(c.LoyaltyCode, f.loyalty) &&
      matches(c.CompanyId, f.companies) &&
      within(c.CreatedUtc, f.created) &&
      within(c.UpdatedUtc, f.updated) &&
      // Nobody is deleted here.
      f.deleted === undefined,
  );
  const p = page(ctx.store, selected, l);
  return { Customers: ext.Customers ? p.items : [], Documents: null, Cursor: p.cursor };
}

const LANGUAGE_CODE = /^[a-z]{2,3}(-[A-Z]{2})?$/;

/** Blank or absent fields stay as they are (Mews cannot clear through this operation). */
function customersUpdate(ctx: OperationContext) {
  const { body } = ctx;
  const id = requiredString(body, 'CustomerId');
  const found = findCustomer(ctx, id);
  if (!found) throw badRequest('Invalid CustomerId.');
  const { e, customer } = found;
  const text = (name: string): string | undefined => {
    const value = optionalString(body, name);
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const email = text('Email');
  if (email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw badRequest('Invalid Email.');
  if (email !== undefined && [...e.customers.values()].some((c) => c.Id !== id && c.Email?.toLowerCase() === email.toLowerCase())) {
    throw forbidden('A customer with this email already exists in the hotel.');
  }
  const language = text('PreferredLanguageCode');
  if (language !== undefined && !LANGUAGE_CODE.test(language)) throw badRequest('Invalid PreferredLanguageCode.');
  const assign: Array<[keyof WireCustomer, string | undefined]> = [
    ['FirstName', text('FirstName')],
    ['LastName', text('LastName')],
    ['SecondLastName', text('SecondLastName')],
    ['NationalityCode', text('NationalityCode')],
    ['PreferredLanguageCode', language],
    ['LanguageCode', language],
    ['Email', email],
    ['Phone', text('Phone')],
    ['LoyaltyCode', text('LoyaltyCode')],
    ['Occupation', text('Occupation')],
    ['CarRegistrationNumber', text('CarRegistrationNumber')],
    ['DietaryRequirements', text('DietaryRequirements')],
    ['TaxIdentificationNumber', text('TaxIdentificationNumber')],
  ];
  for (const [field, value] of assign) if (value !== undefined) (customer as unknown as Record<string, unknown>)[field] = value;
  // Notes are overwritten, not merged (customers.md).
  const notes = optionalString(body, 'Notes');
  if (notes !== undefined) customer.Notes = notes;
  customer.UpdatedUtc = ctx.store.touch(id);
  return customer;
}

// --- resources, services, age categories -----------------------------------------------------------

function resourcesGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const ext = extent(body);
  const l = limitation(body);
  const ids = strings(body, 'ResourceIds');
  const names = strings(body, 'Names');
  const created = interval(body, 'CreatedUtc');
  const updated = interval(body, 'UpdatedUtc');
  const selected = all(scope(ctx), (e) => e.resources.values()).filter(
    (r) => (ext.Inactive || r.IsActive) && matches(r.Id, ids) && matches(r.Name, names) && within(r.CreatedUtc, created) && within(r.UpdatedUtc, updated),
  );
  const p = page(ctx.store, selected, l);
  return { Resources: ext.Resources ? p.items : [], Cursor: p.cursor };
}

function servicesGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const ids = strings(body, 'ServiceIds');
  const type = optionalString(body, 'ServiceType');
  if (type !== undefined && type !== 'Bookable' && type !== 'Additional') throw badRequest('Invalid ServiceType.');
  const updated = interval(body, 'UpdatedUtc');
  const selected = all(scope(ctx), (e) => [e.bookable, e.additional]).filter(
    (s) => matches(s.Id, ids) && (type === undefined || s.Data.Discriminator === type) && within(s.UpdatedUtc, updated),
  );
  const p = page(ctx.store, selected, l);
  return { Services: p.items, Cursor: p.cursor };
}

function ageCategoriesGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const ids = strings(body, 'AgeCategoryIds');
  const services = strings(body, 'ServiceIds');
  const updated = interval(body, 'UpdatedUtc');
  const selected = all(scope(ctx), (e) => e.ageCategories).filter((a) => matches(a.Id, ids) && matches(a.ServiceId, services) && within(a.UpdatedUtc, updated));
  const p = page(ctx.store, selected, l);
  return { AgeCategories: p.items, Cursor: p.cursor };
}

// --- orders --------------------------------------------------------------------------------------

function amountOf(raw: unknown, where: string): WireAmount {
  if (typeof raw !== 'object' || raw === null) throw badRequest(`${where} is required.`);
  const { Currency, GrossValue, NetValue, TaxCodes } = raw as Record<string, unknown>;
  if (typeof Currency !== 'string' || !/^[A-Z]{3}$/.test(Currency)) throw badRequest(`${where}.Currency must be an ISO 4217 code.`);
  if (!Array.isArray(TaxCodes) || TaxCodes.some((t) => typeof t !== 'string')) throw badRequest(`${where}.TaxCodes is required.`);
  // The simulated hotels price gross, like Mews' UK demo enterprise.
  if (typeof GrossValue !== 'number' || !Number.isFinite(GrossValue)) {
    if (NetValue !== undefined) throw forbidden('The enterprise uses gross pricing: send GrossValue, not NetValue.');
    throw badRequest(`${where}.GrossValue is required in a gross pricing enterprise.`);
  }
  if (TaxCodes.length > 1) throw forbidden('Only one tax code can be used with GrossValue.');
  const code = (TaxCodes[0] as string | undefined) ?? null;
  return {
    Currency,
    NetValue: GrossValue,
    GrossValue,
    TaxValues: code === null ? [] : [{ Code: code, Value: 0 }],
    Breakdown: { Items: [{ TaxRateCode: code, NetValue: GrossValue, TaxValue: 0 }] },
  };
}

function ordersAdd(ctx: OperationContext) {
  const { body, store } = ctx;
  const e = target(ctx);
  const serviceId = requiredString(body, 'ServiceId');
  const accountId = requiredString(body, 'AccountId');
  const service = [e.bookable, e.additional].find((s) => s.Id === serviceId);
  if (!service) throw badRequest('Invalid ServiceId.');
  if (service.Data.Discriminator !== 'Additional') throw forbidden('Orders can only be added to an orderable (Additional) service.');
  if (!e.customers.has(accountId)) throw badRequest('Invalid AccountId.');
  const linked = optionalString(body, 'LinkedReservationId');
  if (linked !== undefined && !e.reservations.has(linked)) throw badRequest('Invalid LinkedReservationId.');
  if (body.ProductOrders !== undefined && body.ProductOrders !== null && (!Array.isArray(body.ProductOrders) || body.ProductOrders.length > 0)) {
    throw badRequest('Invalid ProductId: this enterprise has no products.');
  }
  const items = body.Items;
  if (!Array.isArray(items) || items.length === 0) throw badRequest('Items or ProductOrders are required.');
  const parsed = items.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw badRequest(`Items[${i}] is invalid.`);
    const item = raw as Body;
    const name = requiredString(item, 'Name');
    const count = item.UnitCount;
    if (typeof count !== 'number' || !Number.isInteger(count)) throw badRequest(`Items[${i}].UnitCount must be an integer.`);
    const external = optionalString(item, 'ExternalIdentifier');
    if (external !== undefined && external.length > 255) throw badRequest(`Items[${i}].ExternalIdentifier is longer than 255 characters.`);
    return { name, count, unit: amountOf(item.UnitAmount, `Items[${i}].UnitAmount`), category: optionalString(item, 'AccountingCategoryId') ?? null, external: external ?? null };
  });
  const consumption = optionalString(body, 'ConsumptionUtc');
  if (consumption !== undefined && Number.isNaN(Date.parse(consumption))) throw badRequest('Invalid ConsumptionUtc.');
  const now = utc(Date.now());
  const orderId = newId(store, e);
  const order: WireProductServiceOrder = {
    Id: orderId,
    ServiceId: service.Id,
    AccountId: accountId,
    AccountType: 'Customer',
    CreatorProfileId: e.profileId,
    UpdaterProfileId: e.profileId,
    BookerId: null,
    Number: String(e.nextNumber++),
    State: 'Confirmed',
    Origin: 'Connector',
    CommanderOrigin: null,
    OriginDetails: null,
    CreatedUtc: now,
    UpdatedUtc: store.touch(orderId),
    CancelledUtc: null,
    VoucherId: null,
    BusinessSegmentId: optionalString(body, 'BusinessSegmentId') ?? null,
    LinkedReservationId: linked ?? null,
    Options: { OwnerCheckedIn: false, AllCompanionsCheckedIn: false, AnyCompanionCheckedIn: false, ConnectorCheckIn: false },
  };
  e.orders.set(orderId, order);
  for (const p of parsed) {
    const total: WireAmount = { ...p.unit, NetValue: p.unit.NetValue * p.count, GrossValue: p.unit.GrossValue * p.count };
    const item: WireOrderItem = {
      Id: newId(store, e),
      EnterpriseId: e.id,
      AccountId: accountId,
      AccountType: 'Customer',
      ServiceId: service.Id,
      ServiceOrderId: orderId,
      Notes: optionalString(body, 'Notes') ?? null,
      BillId: null,
      AccountingCategoryId: p.category,
      BillingName: p.name,
      ExternalIdentifier: p.external,
      UnitCount: p.count,
      UnitAmount: p.unit,
      Amount: total,
      OriginalAmount: total,
      RevenueType: 'Additional',
      CreatorProfileId: e.profileId,
      UpdaterProfileId: e.profileId,
      CreatedUtc: now,
      UpdatedUtc: now,
      ConsumedUtc: consumption ?? now,
      CanceledUtc: null,
      ClosedUtc: null,
      StartUtc: null,
      ClaimedUtc: null,
      AccountingState: 'Open',
      Type: 'CustomItem',
      Options: { CanceledWithReservation: false },
      Data: null,
    };
    e.orderItems.set(item.Id, item);
  }
  return { OrderId: orderId };
}

function productServiceOrdersGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const services = strings(body, 'ServiceIds');
  if (services === undefined || services.length === 0) throw badRequest('ServiceIds is required.');
  const ids = strings(body, 'ProductServiceOrderIds');
  const accounts = strings(body, 'AccountIds');
  const linked = strings(body, 'LinkedReservationIds');
  const states = strings(body, 'States');
  const updated = interval(body, 'UpdatedUtc');
  const selected = all(scope(ctx), (e) => e.orders.values()).filter(
    (o) => matches(o.ServiceId, services) && matches(o.Id, ids) && matches(o.AccountId, accounts) && matches(o.LinkedReservationId, linked) && matches(o.State, states) && within(o.UpdatedUtc, updated),
  );
  const p = page(ctx.store, selected, l);
  return { ProductServiceOrders: p.items, Cursor: p.cursor };
}

function orderItemsGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const f = {
    ids: strings(body, 'OrderItemIds'),
    accounts: strings(body, 'AccountIds', 100),
    orders: strings(body, 'ServiceOrderIds'),
    services: strings(body, 'ServiceIds'),
    bills: strings(body, 'BillIds'),
    created: interval(body, 'CreatedUtc'),
    updated: interval(body, 'UpdatedUtc'),
    consumed: interval(body, 'ConsumedUtc'),
    canceled: interval(body, 'CanceledUtc'),
    closed: interval(body, 'ClosedUtc'),
  };
  if (Object.values(f).every((v) => v === undefined)) throw badRequest('At least one of OrderItemIds, AccountIds, ServiceOrderIds, ServiceIds, BillIds or a time interval is required.');
  const states = strings(body, 'AccountingStates');
  const types = strings(body, 'Types');
  const selected = all(scope(ctx), (e) => e.orderItems.values()).filter(
    (i) =>
      matches(i.Id, f.ids) &&
      matches(i.AccountId, f.accounts) &&
      matches(i.ServiceOrderId, f.orders) &&
      matches(i.ServiceId, f.services) &&
      matches(i.BillId, f.bills) &&
      within(i.CreatedUtc, f.created) &&
      within(i.UpdatedUtc, f.updated) &&
      within(i.ConsumedUtc, f.consumed) &&
      within(i.CanceledUtc, f.canceled) &&
      within(i.ClosedUtc, f.closed) &&
      matches(i.AccountingState, states) &&
      matches(i.Type, types),
  );
  const p = page(ctx.store, selected, l);
  return { OrderItems: p.items, Cursor: p.cursor };
}

// --- service order notes -------------------------------------------------------------------------

/** The enterprise holding a service order (a reservation or a product order). */
function orderOwner(ctx: OperationContext, id: string): Enterprise | undefined {
  return ctx.enterprises.find((e) => e.reservations.has(id) || e.orders.has(id));
}

function serviceOrderNotesAdd(ctx: OperationContext) {
  const list = ctx.body.ServiceOrderNotes;
  if (!Array.isArray(list) || list.length === 0) throw badRequest('ServiceOrderNotes is required.');
  if (list.length > 1000) throw badRequest('ServiceOrderNotes may hold at most 1000 items.');
  const parsed = list.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw badRequest(`ServiceOrderNotes[${i}] is invalid.`);
    const orderId = requiredString(raw as Body, 'ServiceOrderId');
    const text = requiredString(raw as Body, 'Text');
    const e = orderOwner(ctx, orderId);
    if (!e) throw badRequest(`Invalid ServiceOrderNotes[${i}].ServiceOrderId.`);
    return { e, orderId, text };
  });
  const added = parsed.map(({ e, orderId, text }) => {
    const id = newId(ctx.store, e);
    const now = ctx.store.touch(id);
    const note: WireServiceOrderNote = { Id: id, OrderId: orderId, Text: text, Type: 'General', CreatedUtc: now, UpdatedUtc: now };
    e.notes.set(id, note);
    return note;
  });
  return { ServiceOrderNotes: added };
}

function serviceOrderNotesGetAll(ctx: OperationContext) {
  const { body } = ctx;
  const l = limitation(body);
  const orders = strings(body, 'ServiceOrderIds');
  if (orders === undefined || orders.length === 0) throw badRequest('ServiceOrderIds is required.');
  const ids = strings(body, 'ServiceOrderNoteIds');
  const types = strings(body, 'Types') ?? ['General', 'ChannelManager'];
  const updated = interval(body, 'UpdatedUtc');
  const selected = all(scope(ctx), (e) => e.notes.values()).filter((n) => matches(n.OrderId, orders) && matches(n.Id, ids) && matches(n.Type, types) && within(n.UpdatedUtc, updated));
  const p = page(ctx.store, selected, l);
  return { ServiceOrderNotes: p.items, Cursor: p.cursor };
}

/** Exact addresses under /api/connector/v1/ (case-sensitive); anything else is a 404. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  'reservations/getAll/2023-06-06': { handle: reservationsGetAll, write: false },
  'customers/getAll': { handle: customersGetAll, write: false },
  'customers/update': { handle: customersUpdate, write: true },
  'resources/getAll': { handle: resourcesGetAll, write: false },
  'services/getAll': { handle: servicesGetAll, write: false },
  'ageCategories/getAll': { handle: ageCategoriesGetAll, write: false },
  'orders/add': { handle: ordersAdd, write: true },
  'productServiceOrders/getAll': { handle: productServiceOrdersGetAll, write: false },
  'orderItems/getAll': { handle: orderItemsGetAll, write: false },
  'serviceOrderNotes/add': { handle: serviceOrderNotesAdd, write: true },
  'serviceOrderNotes/getAll': { handle: serviceOrderNotesGetAll, write: false },
};
