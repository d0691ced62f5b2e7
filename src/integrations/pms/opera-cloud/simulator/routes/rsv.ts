/**
 * Reservations (rsv/v1): `getHotelReservations`, `getReservation`, and `putReservation` for the
 * one change the simulator takes, adding reservation comments (OPERA's notes).
 *
 * Search semantics (what the simulator decides where OHIP's documentation is silent):
 * - without `searchType` or with a type other than `Any`/`Cancellation`, cancelled reservations
 *   are left out, as OPERA's reservation search does by default; `Cancellation` lists only them;
 * - `reservationStatuses` keeps reservations in one of the listed states: `DueIn` = reserved,
 *   not arrived (any arrival date); `CheckedIn`/`InHouse` = in house; `DueOut` = in house and
 *   leaving today; `CheckedOut`, `Cancelled`, `NoShow` as named; `WaitList` = none here;
 * - `surname` matches the start of the guest's surname, ignoring case;
 * - rows come in arrival order, then by reservation id; 204 when no row is left to return.
 */
import express, { type Request, type Response, Router } from 'express';
import { type OperaSimContext, reply } from '../context';
import type { SimHotelRecord, SimReservationRecord } from '../model';
import { hotelReservation, pagingFields, reservationInfo } from '../views';
import { badRequest, DATE, list, notFound, pageParams, pathHotel, single } from './common';

const SEARCH_TYPES = new Set(['Any', 'Arrival', 'Arrived', 'Departure', 'Cancellation', 'CheckedOut', 'NoShow', 'InHouse', 'WaitList']);
const STATUS_FILTERS = new Set(['Cancelled', 'CheckedOut', 'CheckedIn', 'DueIn', 'DueOut', 'InHouse', 'NoShow', 'WaitList']);

function matchesStatus(ctx: OperaSimContext, hotel: SimHotelRecord, r: SimReservationRecord, filter: string): boolean {
  switch (filter) {
    case 'DueIn':
      return r.status === 'Reserved';
    case 'CheckedIn':
    case 'InHouse':
      return r.status === 'InHouse';
    case 'DueOut':
      return r.status === 'InHouse' && r.departure === ctx.store.today(hotel);
    default:
      return r.status === filter;
  }
}

type Filter = (r: SimReservationRecord) => boolean;

/** The query's criteria as one predicate, or a message saying what is wrong with them. */
function searchFilter(ctx: OperaSimContext, hotel: SimHotelRecord, req: Request): Filter | string {
  const q = req.query;
  const from = single(q.arrivalStartDate);
  const to = single(q.arrivalEndDate);
  for (const date of [from, to]) if (date !== undefined && !DATE.test(date)) return `${date} is not a date (YYYY-MM-DD)`;
  const searchType = single(q.searchType);
  if (searchType !== undefined && !SEARCH_TYPES.has(searchType)) return `searchType ${searchType} is not supported here`;
  const statuses = list(q.reservationStatuses);
  const unknown = statuses?.find((s) => !STATUS_FILTERS.has(s));
  if (unknown !== undefined) return `reservationStatuses ${unknown} is not a reservation status`;
  const confirmations = list(q.confirmationNumberList);
  const ids = list(q.reservationIdList);
  const surname = single(q.surname)?.toLowerCase();

  return (r) => {
    if (from !== undefined && r.arrival < from) return false;
    if (to !== undefined && r.arrival > to) return false;
    if (confirmations && !confirmations.includes(r.confirmation)) return false;
    if (ids && !ids.includes(r.id)) return false;
    if (surname !== undefined && !(ctx.store.profiles.get(r.profileId)?.surname.toLowerCase().startsWith(surname) ?? false)) return false;
    if (searchType === 'Cancellation' ? r.status !== 'Cancelled' : searchType !== 'Any' && r.status === 'Cancelled') return false;
    if (statuses && !statuses.some((s) => matchesStatus(ctx, hotel, r, s))) return false;
    return true;
  };
}

function search(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const page = pageParams(ctx, req);
  if (typeof page === 'string') return badRequest(ctx, req, res, page);
  const filter = searchFilter(ctx, hotel, req);
  if (typeof filter === 'string') return badRequest(ctx, req, res, filter);
  const rows = [...hotel.reservations.values()].filter(filter).sort((a, b) => a.arrival.localeCompare(b.arrival) || Number(a.id) - Number(b.id));
  const slice = rows.slice(page.offset, page.offset + page.limit);
  if (slice.length === 0) return reply(ctx, req, res, 204);
  const info = slice.map((r) => reservationInfo(r, ctx.store.profiles.get(r.profileId), ctx.store.computedStatus(hotel, r)));
  reply(ctx, req, res, 200, { reservations: { reservationInfo: info, ...pagingFields(page.offset, page.limit, slice.length, rows.length) } });
}

function getOne(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const r = hotel.reservations.get(String(req.params.reservationId));
  if (!r) return reply(ctx, req, res, 204);
  const withComments = list(req.query.fetchInstructions)?.includes('Comments') ?? false;
  const body = hotelReservation(r, ctx.store.profiles.get(r.profileId), ctx.store.computedStatus(hotel, r), withComments);
  reply(ctx, req, res, 200, { reservations: { reservation: [body] } });
}

interface CommentInput {
  comment?: { text?: { value?: unknown }; commentTitle?: unknown; type?: unknown; internal?: unknown };
  id?: unknown;
}

/** `changeReservation` with new comments (no `id`); every other element of the body is left as OPERA holds it. */
function change(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const id = String(req.params.reservationId);
  const r = hotel.reservations.get(id);
  if (!r) return notFound(ctx, req, res, `reservation ${id} does not exist in hotel ${hotel.code}`);
  const body = (req.body ?? {}) as { reservations?: Array<{ reservationIdList?: Array<{ id?: unknown; type?: unknown }>; comments?: CommentInput[] }> };
  const target = body.reservations?.[0];
  if (body.reservations?.length !== 1 || target === undefined) return badRequest(ctx, req, res, 'changeReservation takes exactly one reservation');
  if (!target.reservationIdList?.some((x) => x.type === 'Reservation' && x.id === id)) return badRequest(ctx, req, res, 'reservationIdList does not name the reservation of the path');
  const added = (target.comments ?? []).filter((c) => c.id === undefined);
  for (const c of added) {
    const text = c.comment?.text?.value;
    if (typeof text !== 'string' || text.trim() === '') return badRequest(ctx, req, res, 'a comment needs text.value');
  }
  for (const c of added) {
    ctx.store.addComment(r, {
      text: String(c.comment!.text!.value),
      title: typeof c.comment?.commentTitle === 'string' ? c.comment.commentTitle : '',
      type: typeof c.comment?.type === 'string' ? c.comment.type : 'RESERVATION',
      internal: c.comment?.internal === true,
    });
  }
  const answer = hotelReservation(r, ctx.store.profiles.get(r.profileId), ctx.store.computedStatus(hotel, r), true);
  reply(ctx, req, res, 200, { reservations: { reservation: [answer] } });
}

export function rsvRouter(ctx: OperaSimContext): Router {
  const router = Router();
  router.get('/hotels/:hotelId/reservations', (req, res) => search(ctx, req, res));
  router.get('/hotels/:hotelId/reservations/:reservationId', (req, res) => getOne(ctx, req, res));
  router.put('/hotels/:hotelId/reservations/:reservationId', express.json({ limit: '1mb' }), (req, res) => change(ctx, req, res));
  return router;
}
