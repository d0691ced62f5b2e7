/**
 * Housekeeping (hsk/v1): `getHousekeepingOverview`, the hotel's rooms in room order with their
 * housekeeping and front-office status, paged by `limit`/`offset`; `housekeepingRoomStatus` and
 * `frontOfficeRoomStatus` narrow it. 204 when no room is left to return.
 */
import { type Request, type Response, Router } from 'express';
import { type OperaSimContext, reply } from '../context';
import { housekeepingRoom, pagingFields } from '../views';
import { badRequest, list, pageParams, pathHotel } from './common';

function overview(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const page = pageParams(ctx, req);
  if (typeof page === 'string') return badRequest(ctx, req, res, page);
  const statuses = list(req.query.housekeepingRoomStatus);
  const frontOffice = list(req.query.frontOfficeRoomStatus);
  const rooms = hotel.rooms
    .filter((r) => statuses === undefined || statuses.includes(r.status))
    .filter((r) => frontOffice === undefined || frontOffice.includes(r.occupied ? 'Occupied' : 'Vacant'))
    .sort((a, b) => Number(a.id) - Number(b.id));
  const slice = rooms.slice(page.offset, page.offset + page.limit);
  if (slice.length === 0) return reply(ctx, req, res, 204);
  reply(ctx, req, res, 200, {
    housekeepingRoomInfo: { housekeepingRooms: { room: slice.map(housekeepingRoom), hotelId: hotel.code }, ...pagingFields(page.offset, page.limit, slice.length, rooms.length) },
  });
}

export function hskRouter(ctx: OperaSimContext): Router {
  const router = Router();
  router.get('/hotels/:hotelId/housekeepingOverview', (req, res) => overview(ctx, req, res));
  return router;
}
