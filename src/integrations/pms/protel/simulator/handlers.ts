/**
 * The messages the simulated protel I/O answers, each for the hotel whose token came with it.
 * A handler returns the answer's content or throws `OtaFailure`, which becomes an RS with OTA
 * `Errors` (HTTP 200), as protel reports business errors. What the simulator decides where
 * protel's documentation is silent is listed in the README.
 */
import type { SimHotel, SimReservation } from './model';
import type { ProtelStore } from './store';
import { hotelReservation, type OtaProblem, posting, profileInfo, room } from './views';
import { DEFAULT_PAGE_SIZE, ERR, EWT, MAX_PROFILES_PER_READ, UIT_CUSTOMER, UIT_HOTEL, UIT_RESERVATION } from './wire';
import { all, dig, type El, el, first, type Tree } from './xml';

export class OtaFailure extends Error {
  constructor(readonly problems: OtaProblem[]) {
    super(problems.map((p) => p.text).join('; '));
  }
}

const fail = (type: string, code: string, text: string): OtaFailure => new OtaFailure([{ type, code, text }]);
const missing = (what: string): OtaFailure => fail(EWT.requiredField, ERR.requiredFieldMissing, `${what} is required`);

export interface HandlerContext {
  store: ProtelStore;
  hotel: SimHotel;
  maxPageSize: number;
}

export interface HandlerResult {
  /** Attributes of the RS root besides the echoed ones. */
  attributes?: Record<string, string | undefined>;
  content?: Record<string, Tree | Tree[] | undefined>;
  warnings?: OtaProblem[];
}

export type Handler = (ctx: HandlerContext, rq: El) => HandlerResult;

/** The hotel a message names must be the token's. */
function checkHotel(ctx: HandlerContext, code: string | undefined): void {
  if (!code) throw missing('HotelCode');
  if (code !== ctx.hotel.code) throw fail(EWT.authorization, ERR.authorization, `the token does not grant access to hotel ${code}`);
}

function reservationOf(ctx: HandlerContext, idElement: El | undefined): SimReservation {
  const id = idElement?.attributes.ID;
  if (!id || idElement?.attributes.Type !== UIT_RESERVATION) throw missing(`a reservation UniqueID (Type ${UIT_RESERVATION})`);
  const r = ctx.hotel.reservations.get(id);
  if (!r) throw fail(EWT.bizRule, ERR.bookingNotFound, `booking reference ${id} not found`);
  return r;
}

// --- OTA_ReadRQ → OTA_ResRetrieveRS ----------------------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;

interface ReadQuery {
  resId?: string;
  confirmation?: string;
  surname?: string;
  givenName?: string;
  dateType: 'ArrivalDate' | 'DepartureDate';
  start?: string;
  end?: string;
  status?: string;
}

function readQuery(request: El): ReadQuery {
  const ids = all(request, 'UniqueID');
  const name = dig(request, 'Verification', 'PersonName');
  const criteria = first(request, 'SelectionCriteria');
  const dateType = criteria?.attributes.DateType ?? 'ArrivalDate';
  if (dateType !== 'ArrivalDate' && dateType !== 'DepartureDate') throw fail(EWT.bizRule, ERR.invalidValue, `DateType ${dateType} is not supported`);
  const query: ReadQuery = {
    resId: ids.find((u) => u.attributes.Type === UIT_RESERVATION)?.attributes.ID,
    confirmation: ids.find((u) => u.attributes.Type === UIT_HOTEL)?.attributes.ID,
    surname: first(name, 'Surname')?.text || undefined,
    givenName: first(name, 'GivenName')?.text || undefined,
    dateType,
    start: criteria?.attributes.Start,
    end: criteria?.attributes.End,
    status: criteria?.attributes.ResStatus,
  };
  for (const date of [query.start, query.end]) if (date !== undefined && !DATE.test(date)) throw fail(EWT.bizRule, ERR.invalidValue, `${date} is not a date (YYYY-MM-DD)`);
  if (!query.resId && !query.confirmation && !query.surname && !query.start && !query.end) throw missing('a ResID, confirmation number, name or time frame');
  return query;
}

function matches(ctx: HandlerContext, q: ReadQuery, r: SimReservation): boolean {
  const profile = ctx.hotel.profiles.get(r.profileId);
  const day = q.dateType === 'ArrivalDate' ? r.arrival : r.departure;
  if (q.resId !== undefined && r.id !== q.resId) return false;
  if (q.confirmation !== undefined && r.confirmation !== q.confirmation) return false;
  if (q.surname !== undefined && !(profile?.surname.toLowerCase().startsWith(q.surname.toLowerCase()) ?? false)) return false;
  if (q.givenName !== undefined && !(profile?.givenName?.toLowerCase().startsWith(q.givenName.toLowerCase()) ?? false)) return false;
  if (q.start !== undefined && day < q.start) return false;
  if (q.end !== undefined && day > q.end) return false;
  if (q.status !== undefined && r.status !== q.status) return false;
  return true;
}

/** The page token names the query it belongs to, so it cannot continue another one. */
function pageToken(offset: number, q: ReadQuery): string {
  return Buffer.from(JSON.stringify({ o: offset, q })).toString('base64url');
}

function pageOffset(token: string | undefined, q: ReadQuery): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (Number.isInteger(parsed.o) && JSON.stringify(parsed.q) === JSON.stringify(q)) return parsed.o as number;
  } catch {
    // falls through to the refusal
  }
  throw fail(EWT.bizRule, ERR.invalidValue, 'MoreDataEchoToken does not continue this request');
}

export const readReservations: Handler = (ctx, rq) => {
  const requests = all(first(rq, 'ReadRequests'), 'HotelReadRequest');
  if (requests.length !== 1) throw fail(EWT.bizRule, ERR.invalidValue, 'one HotelReadRequest per message');
  const request = requests[0]!;
  checkHotel(ctx, request.attributes.HotelCode);
  const q = readQuery(request);
  const max = rq.attributes.MaxResponses === undefined ? DEFAULT_PAGE_SIZE : Number(rq.attributes.MaxResponses);
  if (!Number.isInteger(max) || max < 1) throw fail(EWT.bizRule, ERR.invalidValue, 'MaxResponses must be a positive integer');
  const offset = pageOffset(rq.attributes.MoreDataEchoToken, q);
  const rows = [...ctx.hotel.reservations.values()].filter((r) => matches(ctx, q, r)).sort((a, b) => a.arrival.localeCompare(b.arrival) || Number(a.id) - Number(b.id));
  // Asked by ResID and unknown: protel answers "booking reference not found".
  if (rows.length === 0 && q.resId !== undefined) throw fail(EWT.bizRule, ERR.bookingNotFound, `booking reference ${q.resId} not found`);
  const size = Math.min(max, ctx.maxPageSize);
  const page = rows.slice(offset, offset + size);
  const more = offset + page.length < rows.length;
  const full = q.resId !== undefined;
  return {
    attributes: more ? { MoreIndicator: 'true', MoreDataEchoToken: pageToken(offset + page.length, q) } : {},
    content: { ReservationsList: page.length > 0 ? el({}, { HotelReservation: page.map((r) => hotelReservation(r, ctx.hotel.profiles.get(r.profileId), full)) }) : undefined },
    warnings: rows.length === 0 ? [{ type: EWT.advisory, code: ERR.bookingNotFound, text: 'no reservation matches the criteria' }] : undefined,
  };
};

// --- profiles --------------------------------------------------------------------------------------------------------

function profileId(idElement: El | undefined): string {
  const id = idElement?.attributes.ID;
  if (!id || idElement?.attributes.Type !== UIT_CUSTOMER) throw missing(`a profile UniqueID (Type ${UIT_CUSTOMER})`);
  return id;
}

export const readProfiles: Handler = (ctx, rq) => {
  const requests = all(first(rq, 'ReadRequests'), 'ProfileReadRequest');
  if (requests.length === 0) throw missing('ProfileReadRequest');
  if (requests.length > MAX_PROFILES_PER_READ) throw fail(EWT.bizRule, ERR.invalidValue, `at most ${MAX_PROFILES_PER_READ} profiles per request`);
  const ids = requests.map((r) => profileId(first(r, 'UniqueID')));
  const found = ids.flatMap((id) => ctx.hotel.profiles.get(id) ?? []);
  const unknown = ids.filter((id) => !ctx.hotel.profiles.has(id));
  return {
    content: { Profiles: found.length > 0 ? el({}, { ProfileInfo: found.map(profileInfo) }) : undefined },
    warnings: unknown.map((id) => ({ type: EWT.advisory, code: ERR.profileNotFound, text: `profile ${id} not found` })),
  };
};

/** Elements present replace what the profile holds; preferences are replaced as a whole. */
export const modifyProfile: Handler = (ctx, rq) => {
  const modify = first(rq, 'ProfileModify');
  const id = profileId(first(modify, 'UniqueID'));
  const profile = ctx.hotel.profiles.get(id);
  if (!profile) throw fail(EWT.bizRule, ERR.profileNotFound, `profile ${id} not found`);
  const customer = dig(modify, 'Profile', 'Customer');
  const name = first(customer, 'PersonName');
  const given = first(name, 'GivenName');
  const surname = first(name, 'Surname');
  const phone = first(customer, 'Telephone');
  const email = first(customer, 'Email');
  const language = customer?.attributes.Language;
  const prefs = dig(modify, 'Profile', 'PrefCollections');
  if (surname !== undefined && surname.text === '') throw missing('Surname');
  if (phone !== undefined && !phone.attributes.PhoneNumber) throw missing('Telephone/@PhoneNumber');
  if (email !== undefined && email.text === '') throw missing('the Email address');
  if (language !== undefined && !/^[a-z]{2}$/i.test(language)) throw fail(EWT.bizRule, ERR.invalidValue, `Language ${language} is not ISO 639-1`);
  if (given !== undefined) profile.givenName = given.text || null;
  if (surname !== undefined) profile.surname = surname.text;
  if (phone !== undefined) profile.phone = phone.attributes.PhoneNumber!;
  if (email !== undefined) profile.email = email.text;
  if (language !== undefined) profile.language = language.toLowerCase();
  if (prefs !== undefined) profile.preferences = all(prefs, 'PrefCollection').flatMap((c) => all(c, 'HotelPref')).flatMap((h) => all(h, 'SpecRequestPref')).map((p) => p.text).filter(Boolean);
  ctx.store.touch(profile);
  return { content: { UniqueID: el({ Type: UIT_CUSTOMER, ID: id, ID_Context: 'protelIO' }) } };
};

// --- cashiering ------------------------------------------------------------------------------------------------------

const AMOUNT = /^-?\d{1,13}(\.\d{1,6})?$/;
const CLOSED = new Set(['Cancelled', 'Checked out', 'No-show']);

interface PostingInput {
  reservation: SimReservation;
  referenceId: string | null;
  itemId: string;
  description: string;
  quantity: number;
  amount: string;
  currency: string;
}

function postingInput(ctx: HandlerContext, p: El): PostingInput {
  checkHotel(ctx, p.attributes.HotelCode);
  const reservation = reservationOf(ctx, first(p, 'ReservationID'));
  const detail = first(p, 'RevenueDetail');
  if (detail === undefined) throw missing('RevenueDetail');
  const { ItemID, Amount, CurrencyCode, Quantity, Description } = detail.attributes;
  const referenceId = p.attributes.ReferenceID ?? null;
  if (!ItemID) throw missing('RevenueDetail/@ItemID');
  if (Amount === undefined || !AMOUNT.test(Amount)) throw fail(EWT.bizRule, ERR.invalidValue, `Amount ${Amount ?? '(none)'} is not a decimal amount`);
  if (CurrencyCode !== ctx.hotel.currency) throw fail(EWT.bizRule, ERR.invalidCurrency, `the hotel posts in ${ctx.hotel.currency}, not ${CurrencyCode ?? '(none)'}`);
  const quantity = Quantity === undefined ? 1 : Number(Quantity);
  if (!Number.isInteger(quantity) || quantity < 1) throw fail(EWT.bizRule, ERR.invalidValue, 'Quantity must be a positive integer');
  if (referenceId !== null && (referenceId.length < 1 || referenceId.length > 32)) throw fail(EWT.bizRule, ERR.invalidValue, 'ReferenceID has 1 to 32 characters');
  if (reservation.status === 'Cancelled') throw fail(EWT.bizRule, ERR.bookingCancelled, `booking ${reservation.id} is cancelled`);
  if (CLOSED.has(reservation.status)) throw fail(EWT.bizRule, ERR.reservationClosed, `booking ${reservation.id} is ${reservation.status}: its folio takes no postings`);
  return { reservation, referenceId, itemId: ItemID, description: Description ?? '', quantity, amount: Amount, currency: CurrencyCode };
}

/** Every posting is checked before any is applied. protel keeps ReferenceID; it does not deduplicate by it. */
export const postCharges: Handler = (ctx, rq) => {
  const requested = all(first(rq, 'Postings'), 'Posting');
  if (requested.length === 0) throw missing('Postings/Posting');
  const inputs = requested.map((p) => postingInput(ctx, p));
  const posted = inputs.map(({ reservation, ...rest }) => ctx.store.addPosting(ctx.hotel, { ...rest, reservationId: reservation.id }));
  return { content: { Postings: el({}, { Posting: posted.map(posting) }) } };
};

export const readFolios: Handler = (ctx, rq) => {
  const request = first(rq, 'FolioRequest');
  checkHotel(ctx, request?.attributes.HotelCode);
  const r = reservationOf(ctx, first(request, 'ReservationID'));
  const postings = ctx.hotel.postings.filter((p) => p.reservationId === r.id);
  const balance = postings.reduce((sum, p) => sum + Math.round(Number(p.amount) * 100) * p.quantity, 0) / 100;
  const folio = el({ FolioID: `${r.id}-1`, FolioWindow: 1, Balance: balance.toFixed(2), CurrencyCode: ctx.hotel.currency }, { Postings: postings.length > 0 ? el({}, { Posting: postings.map(posting) }) : undefined });
  return { content: { Folios: el({}, { Folio: folio }) } };
};

// --- reservation changes ---------------------------------------------------------------------------------------------

/** IO_ResModifyNotifRQ: only comments with Action CREATE are taken here; anything else is refused, not ignored. */
export const modifyReservation: Handler = (ctx, rq) => {
  const reservations = first(rq, 'Reservations');
  checkHotel(ctx, reservations?.attributes.HotelCode);
  const target = all(reservations, 'Reservation');
  if (target.length !== 1) throw fail(EWT.bizRule, ERR.invalidValue, 'one Reservation per message');
  const r = reservationOf(ctx, first(target[0], 'UniqueID'));
  const other = target[0]!.elements.find((e) => e.local !== 'UniqueID' && e.local !== 'Comments');
  if (other) throw fail(EWT.bizRule, ERR.invalidValue, `changing ${other.local} is not supported by this simulator`);
  const comments = all(first(target[0], 'Comments'), 'Comment');
  if (comments.length === 0) throw missing('Comments/Comment');
  for (const c of comments) {
    if (c.attributes.Action !== 'CREATE') throw fail(EWT.bizRule, ERR.invalidValue, `Comment Action ${c.attributes.Action ?? '(none)'} is not supported`);
    if (!first(c, 'Text')?.text) throw missing('Comment/Text');
  }
  const created = comments.map((c) => ctx.store.addComment(r, first(c, 'Text')!.text, c.attributes.GuestViewable === 'true'));
  return {
    content: {
      Reservations: el({ HotelCode: ctx.hotel.code }, {
        Reservation: el({}, {
          UniqueID: el({ ID: r.id, Type: UIT_RESERVATION, ID_Context: 'protelIO' }),
          Comments: el({}, { Comment: created.map((c) => el({ ID: c.id, Action: 'CREATE' })) }),
        }),
      }),
    },
  };
};

// --- rooms -----------------------------------------------------------------------------------------------------------

export const roomStatus: Handler = (ctx, rq) => {
  checkHotel(ctx, first(rq, 'RoomStatusRequest')?.attributes.HotelCode);
  return { content: { Rooms: ctx.hotel.rooms.length > 0 ? el({}, { Room: ctx.hotel.rooms.map(room) }) : undefined } };
};

export const HANDLERS: Record<string, Handler> = {
  OTA_ReadRQ: readReservations,
  OTA_ProfileReadRQ: readProfiles,
  OTA_ProfileModifyRQ: modifyProfile,
  HTNG_ChargePostingRQ: postCharges,
  HTNG_HotelFolioRQ: readFolios,
  IO_ResModifyNotifRQ: modifyReservation,
  HTNG_HotelRoomStatusRQ: roomStatus,
};
