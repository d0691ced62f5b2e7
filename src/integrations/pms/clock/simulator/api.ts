/**
 * The Clock PMS+ `pms_api` operations the simulator answers, each with the right an API user
 * needs for it (refused with `403 {"error": "The User doesn't have <right> right"}`). Paths are
 * relative to `/pms_api/{subscription_id}/{account_id}`; a trailing slash changes nothing.
 */
import type { ApiUser, Account, ClockStore } from './store';
import { bookingQuery } from './queries';
import { ClockError, invalid, notFound, REVENUE_GROUPS, type WireBookingGuest, type WireCharge, type WireGuest, type WireToDo } from './wire';

export interface ApiContext {
  store: ClockStore;
  account: Account;
  user: ApiUser;
  query: URLSearchParams;
  body: unknown;
  params: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT';
  /** Segments, `:name` for a parameter. */
  path: string[];
  right: string;
  /** Changes data: its answer may be lost (fault `loseAnswers`). */
  write: boolean;
  handle(ctx: ApiContext): ApiAnswer;
}

const ok = (body: unknown, status = 200): ApiAnswer => ({ status, body });
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function numericId(ctx: ApiContext, name: string, what: string): number {
  const raw = ctx.params[name]!;
  if (!/^\d{1,15}$/.test(raw)) throw notFound(`${what} with 'id'=${raw}`);
  return Number(raw);
}

function bookingOf(ctx: ApiContext) {
  const id = numericId(ctx, 'booking', 'Booking');
  const booking = ctx.account.bookings.get(id);
  if (!booking) throw notFound(`Booking with 'id'=${id}`);
  return booking;
}

function guestOf(ctx: ApiContext): WireGuest {
  const id = numericId(ctx, 'guest', 'Guest');
  const guest = ctx.store.subscriptionOf(ctx.account).guests.get(id);
  if (!guest || guest.deleted_at) throw notFound(`Guest with 'id'=${id}`);
  return guest;
}

/** Rails' strong parameters: the root key is required, unknown keys inside it are dropped. */
function root(body: unknown, key: string): Record<string, unknown> {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ClockError(400, `param is missing or the value is empty: ${key}`);
  return value as Record<string, unknown>;
}

function bookingGuests(ctx: ApiContext, bookingId: number): WireBookingGuest[] {
  const guests = ctx.store.subscriptionOf(ctx.account).guests;
  return (ctx.account.bookingGuests.get(bookingId) ?? []).map((bg) => ({ ...bg, guest: guests.get(bg.guest_id)! }));
}

// --- bookings --------------------------------------------------------------------------------------

function listBookings(ctx: ApiContext): ApiAnswer {
  const query = bookingQuery(ctx.query);
  const ids = [...ctx.account.bookings.values()].filter(query.matches).map((b) => b.id).sort((a, b) => a - b);
  const start = (query.page - 1) * query.perPage;
  return ok(ids.slice(start, start + query.perPage));
}

// --- charges -----------------------------------------------------------------------------------------

const PRICE = /^-?\d+(\.\d+)?$/;

function decimal(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && PRICE.test(value.trim())) return Number(value.trim());
  return undefined;
}

function optionalText(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return value as undefined | null;
  return typeof value === 'string' ? value : undefined;
}

function createCharge(ctx: ApiContext): ApiAnswer {
  const booking = bookingOf(ctx);
  const c = root(ctx.body, 'charge');
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (c.charge_template_id !== undefined && c.charge_template_id !== null) add('charge_template_id', 'is not a charge template of this account');
  const text = typeof c.text === 'string' ? c.text.trim() : '';
  if (text === '') add('text', "can't be blank");
  if (text.length > 255) add('text', 'is too long (maximum is 255 characters)');
  const printText = optionalText(c.print_text);
  if (printText === undefined && c.print_text !== undefined) add('print_text', 'is invalid');
  if (printText && printText.length > 255) add('print_text', 'is too long (maximum is 255 characters)');
  const price = decimal(c.price);
  if (price === undefined) add('price', 'is not a number');
  const currency = typeof c.currency === 'string' ? c.currency : '';
  if (!/^[A-Z]{3}$/.test(currency)) add('currency', 'is not a currency');
  const group = typeof c.revenue_group === 'string' ? c.revenue_group : '';
  if (!(REVENUE_GROUPS as readonly string[]).includes(group)) add('revenue_group', 'is not included in the list');
  const category = optionalText(c.revenue_category);
  if (category === undefined && c.revenue_category !== undefined) add('revenue_category', 'is invalid');
  const qty = c.qty === undefined ? 1 : decimal(c.qty);
  if (qty === undefined || qty === 0) add('qty', 'must be a number other than 0');
  const taxRate = c.tax_rate === undefined ? 0 : decimal(c.tax_rate);
  if (taxRate === undefined || taxRate < 0 || taxRate > 100) add('tax_rate', 'must be in 0..100');
  const serviceDate = c.service_date;
  if (typeof serviceDate !== 'string' || !DAY.test(serviceDate)) add('service_date', 'is not a date');
  if (Object.keys(errors).length > 0) throw invalid(errors);

  const id = ctx.store.nextId('charge');
  const now = ctx.store.touch(`charge:${id}`);
  const priceCents = Math.round(price! * 100);
  const gross = Math.round(priceCents * qty!);
  const net = Math.round(gross / (1 + taxRate! / 100));
  const folioId = ctx.account.folios.get(booking.id)!;
  const charge: WireCharge = {
    id,
    folio_id: folioId,
    text,
    print_text: printText ?? null,
    service_date: serviceDate as string,
    archived_at: null,
    voided_at: null,
    created_at: now,
    updated_at: now,
    price_cents: priceCents,
    currency,
    qty: qty!,
    revenue_group: group,
    revenue_category: category ?? null,
    tax_rate: taxRate!,
    fixed_value_cents: gross,
    fixed_value_currency: currency,
    net_value_cents: net,
    tax_value_cents: gross - net,
    gross_value_cents: gross,
    version: 1,
    invoice_to_id: folioId,
    invoice_to_type: 'Folio',
    source_id: booking.id,
    source_type: 'Booking',
  };
  ctx.account.charges.set(id, charge);
  return ok(charge, 201);
}

function listCharges(ctx: ApiContext): ApiAnswer {
  const booking = bookingOf(ctx);
  return ok([...ctx.account.charges.values()].filter((c) => c.source_id === booking.id).sort((a, b) => a.id - b.id));
}

// --- to-dos ------------------------------------------------------------------------------------------

const PRIORITIES = ['low', 'normal', 'high'];

function createToDo(ctx: ApiContext): ApiAnswer {
  const booking = bookingOf(ctx);
  const t = root(ctx.body, 'self_service_to_do');
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const text = typeof t.text === 'string' ? t.text : '';
  if (text.trim() === '') add('text', "can't be blank");
  if (text.length > 4000) add('text', 'is too long (maximum is 4000 characters)');
  if (typeof t.date !== 'string' || !DAY.test(t.date)) add('date', 'is not a date');
  if (t.priority !== undefined && t.priority !== null && !PRIORITIES.includes(String(t.priority))) add('priority', 'is not included in the list');
  if (Object.keys(errors).length > 0) throw invalid(errors);
  const id = ctx.store.nextId('todo');
  const now = ctx.store.touch(`todo:${id}`);
  const todo: WireToDo = {
    id,
    text,
    date: t.date as string,
    created_at: now,
    updated_at: now,
    priority: typeof t.priority === 'string' ? t.priority : 'normal',
    completed_dt: null,
    completed_user_id: null,
    assigned_user_id: null,
    channel: 'api',
    housekeeping_credits: null,
    user_created_id: null,
    user_updated_id: null,
  };
  ctx.account.todos.set(id, { bookingId: booking.id, todo });
  return ok(todo, 201);
}

function listToDos(ctx: ApiContext): ApiAnswer {
  const booking = bookingOf(ctx);
  return ok([...ctx.account.todos.values()].filter((t) => t.bookingId === booking.id).map((t) => t.todo));
}

// --- guests ------------------------------------------------------------------------------------------

const GUEST_TEXT = ['first_name', 'middle_name', 'last_name', 'e_mail', 'phone_number', 'language', 'country', 'state', 'city', 'address', 'zip_code', 'notes'] as const;

function updateGuest(ctx: ApiContext): ApiAnswer {
  const guest = guestOf(ctx);
  const g = root(ctx.body, 'guest');
  const errors: Record<string, string[]> = {};
  const changes: Partial<Record<(typeof GUEST_TEXT)[number], string | null>> = {};
  for (const field of GUEST_TEXT) {
    if (!(field in g)) continue;
    const value = g[field];
    if (value !== null && typeof value !== 'string') (errors[field] ??= []).push('is invalid');
    else changes[field] = value === null || value.trim() === '' ? null : value.trim();
  }
  if (changes.e_mail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(changes.e_mail)) (errors.e_mail ??= []).push('is invalid');
  if (changes.country && !/^[A-Za-z]{2}$/.test(changes.country)) (errors.country ??= []).push('is invalid');
  if ('accept_marketing_emails' in g && typeof g.accept_marketing_emails !== 'boolean') (errors.accept_marketing_emails ??= []).push('is invalid');
  if (Object.keys(errors).length > 0) throw invalid(errors);
  Object.assign(guest, changes);
  if (typeof g.accept_marketing_emails === 'boolean') guest.accept_marketing_emails = g.accept_marketing_emails;
  guest.updated_at = ctx.store.touch(`guest:${guest.id}`);
  return ok(guest);
}

function searchGuests(ctx: ApiContext): ApiAnswer {
  const q = (ctx.query.get('q') ?? '').trim().toLowerCase();
  if (q.length < 2) throw new ClockError(400, 'q must have at least 2 characters');
  const found = [...ctx.store.subscriptionOf(ctx.account).guests.values()].filter(
    (g) => !g.deleted_at && [g.e_mail, g.phone_number, g.first_name, g.last_name].some((v) => v?.toLowerCase().includes(q)),
  );
  return ok(found.slice(0, 100));
}

// --- rooms -------------------------------------------------------------------------------------------

function listRooms(ctx: ApiContext): ApiAnswer {
  const name = ctx.query.get('name');
  return ok([...ctx.account.rooms.values()].filter((r) => name === null || r.name === name));
}

function showRoom(ctx: ApiContext): ApiAnswer {
  const id = numericId(ctx, 'room', 'Room');
  const room = ctx.account.rooms.get(id);
  if (!room) throw notFound(`Room with 'id'=${id}`);
  return ok(room);
}

function root_(ctx: ApiContext): ApiAnswer {
  const a = ctx.account;
  return ok({ id: a.id, name: a.name, created_at: a.createdAt, type: 'hotel', email: `frontdesk+${a.id}@example.com`, time_zone: a.timezone, default_language: 'en' });
}

export const OPERATIONS: Operation[] = [
  { method: 'GET', path: [], right: 'pms_api_root_show', write: false, handle: root_ },
  { method: 'GET', path: ['bookings'], right: 'pms_api_bookings_index', write: false, handle: listBookings },
  { method: 'GET', path: ['bookings', ':booking'], right: 'pms_api_bookings_show', write: false, handle: (ctx) => ok(bookingOf(ctx)) },
  { method: 'GET', path: ['bookings', ':booking', 'booking_guests'], right: 'pms_api_booking_guests_index', write: false, handle: (ctx) => ok(bookingGuests(ctx, bookingOf(ctx).id)) },
  { method: 'GET', path: ['bookings', ':booking', 'charges_by_source'], right: 'pms_api_booking_charges_by_source_index', write: false, handle: listCharges },
  { method: 'POST', path: ['bookings', ':booking', 'charges_by_source'], right: 'pms_api_booking_charges_by_source_create', write: true, handle: createCharge },
  { method: 'GET', path: ['bookings', ':booking', 'booking_self_service_to_dos'], right: 'pms_api_booking_self_service_to_dos_index', write: false, handle: listToDos },
  { method: 'POST', path: ['bookings', ':booking', 'booking_self_service_to_dos'], right: 'pms_api_booking_self_service_to_dos_create', write: true, handle: createToDo },
  { method: 'GET', path: ['guests', 'search'], right: 'pms_api_guests_search', write: false, handle: searchGuests },
  { method: 'GET', path: ['guests', ':guest'], right: 'pms_api_guests_show', write: false, handle: (ctx) => ok(guestOf(ctx)) },
  { method: 'PUT', path: ['guests', ':guest'], right: 'pms_api_guests_update', write: true, handle: updateGuest },
  { method: 'GET', path: ['rooms'], right: 'pms_api_rooms_index', write: false, handle: listRooms },
  { method: 'GET', path: ['rooms', ':room'], right: 'pms_api_rooms_show', write: false, handle: showRoom },
  { method: 'GET', path: ['room_types'], right: 'pms_api_room_types_index', write: false, handle: (ctx) => ok([...ctx.account.roomTypes.values()]) },
];

/** The operation at `segments` (below the account), with its parameters; the first match wins. */
export function route(method: string, segments: string[]): { operation: Operation; params: Record<string, string> } | undefined {
  for (const operation of OPERATIONS) {
    if (operation.method !== method || operation.path.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = operation.path.every((part, i) => {
      if (part.startsWith(':')) return (params[part.slice(1)] = segments[i]!) !== '';
      return part === segments[i];
    });
    if (fits) return { operation, params };
  }
  return undefined;
}
