/**
 * Cashiering (csh/v1): `postBillingCharges` (201 with the postings and a `Location`) and
 * `getFolio` (the reservation's folio windows with their postings; 204 "Folio not found" while it
 * holds none). A posting keeps the charge's `postingReference` as its `reference`. Charges to a
 * cancelled, checked-out or no-show reservation are refused, as OPERA refuses them; a reserved
 * (not yet arrived) reservation takes them as pre-stay charges.
 *
 * Folio paging: `limit` and `offset` apply to each window's postings (the simulator's page size at
 * most); `folioWindowNo` narrows the answer to the named windows.
 */
import express, { type Request, type Response, Router } from 'express';
import { type OperaSimContext, reply } from '../context';
import type { SimPostingRecord } from '../model';
import { folioWindow, posting } from '../views';
import { badRequest, list, notFound, pageParams, pathHotel } from './common';

const CLOSED = new Set(['Cancelled', 'CheckedOut', 'NoShow']);

interface ChargeInput {
  transactionCode?: unknown;
  price?: { amount?: unknown; currencyCode?: unknown };
  postingQuantity?: unknown;
  postingReference?: unknown;
  postingRemark?: unknown;
  folioWindowNo?: unknown;
}

function chargeProblem(c: ChargeInput): string | undefined {
  if (typeof c.transactionCode !== 'string' || c.transactionCode.trim() === '') return 'transactionCode is required';
  if (typeof c.price?.amount !== 'number' || !Number.isFinite(c.price.amount)) return 'price.amount must be a number';
  if (typeof c.price.currencyCode !== 'string' || !/^[A-Z]{3}$/.test(c.price.currencyCode)) return 'price.currencyCode must be a currency code';
  if (c.postingQuantity !== undefined && !(Number.isInteger(c.postingQuantity) && (c.postingQuantity as number) >= 1)) return 'postingQuantity must be a positive integer';
  if (c.postingReference !== undefined && (typeof c.postingReference !== 'string' || c.postingReference.length > 2000)) return 'postingReference has at most 2000 characters';
  return undefined;
}

function postCharges(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const id = String(req.params.reservationId);
  const r = hotel.reservations.get(id);
  if (!r) return notFound(ctx, req, res, `reservation ${id} does not exist in hotel ${hotel.code}`);
  const criteria = (req.body as { criteria?: { hotelId?: unknown; reservationId?: { id?: unknown }; charges?: ChargeInput[] } } | undefined)?.criteria;
  if (!criteria || !Array.isArray(criteria.charges) || criteria.charges.length === 0) return badRequest(ctx, req, res, 'criteria.charges is required');
  if (criteria.hotelId !== undefined && criteria.hotelId !== hotel.code) return badRequest(ctx, req, res, 'criteria.hotelId is not the hotel of the path');
  if (criteria.reservationId?.id !== undefined && criteria.reservationId.id !== id) return badRequest(ctx, req, res, 'criteria.reservationId is not the reservation of the path');
  const problem = criteria.charges.map(chargeProblem).find((p) => p !== undefined);
  if (problem !== undefined) return badRequest(ctx, req, res, problem);
  if (CLOSED.has(r.status)) return badRequest(ctx, req, res, `reservation ${id} is ${r.status}: no charges can be posted to it`, 'RESERVATION_CLOSED');

  const postings = criteria.charges.map((c) =>
    ctx.store.addPosting(hotel, {
      reservationId: id,
      transactionCode: c.transactionCode as string,
      amount: (c.price as { amount: number }).amount,
      currency: (c.price as { currencyCode: string }).currencyCode,
      quantity: (c.postingQuantity as number | undefined) ?? 1,
      reference: typeof c.postingReference === 'string' ? c.postingReference : null,
      remark: typeof c.postingRemark === 'string' ? c.postingRemark : null,
      folioWindowNo: Number.isInteger(c.folioWindowNo) ? (c.folioWindowNo as number) : 1,
    }),
  );
  const location = `/csh/v1/hotels/${hotel.code}/reservations/${id}/folios`;
  reply(ctx, req, res, 201, { postings: postings.map(posting) }, { location });
}

function getFolio(ctx: OperaSimContext, req: Request, res: Response): void {
  const hotel = pathHotel(ctx, req, res);
  if (!hotel) return;
  const id = String(req.params.reservationId);
  if (!hotel.reservations.has(id)) return notFound(ctx, req, res, `reservation ${id} does not exist in hotel ${hotel.code}`);
  const page = pageParams(ctx, req);
  if (typeof page === 'string') return badRequest(ctx, req, res, page);
  const withPostings = list(req.query.fetchInstructions)?.includes('Postings') ?? false;
  const only = list(req.query.folioWindowNo)?.map(Number);

  const windows = new Map<number, SimPostingRecord[]>();
  for (const p of hotel.postings) if (p.reservationId === id) windows.set(p.folioWindowNo, [...(windows.get(p.folioWindowNo) ?? []), p]);
  const numbers = [...windows.keys()].filter((n) => only === undefined || only.includes(n)).sort((a, b) => a - b);
  if (numbers.length === 0) return reply(ctx, req, res, 204);
  const folioWindows = numbers.map((n) => {
    const all = windows.get(n)!;
    const slice = withPostings ? all.slice(page.offset, page.offset + page.limit) : [];
    return folioWindow(n, all, slice, page.offset, page.limit, hotel.currency);
  });
  reply(ctx, req, res, 200, { reservationFolioInformation: { reservationInfo: { reservationIdList: [{ id, type: 'Reservation' }] }, folioWindows } });
}

export function cshRouter(ctx: OperaSimContext): Router {
  const router = Router();
  router.post('/hotels/:hotelId/reservations/:reservationId/charges', express.json({ limit: '1mb' }), (req, res) => postCharges(ctx, req, res));
  router.get('/hotels/:hotelId/reservations/:reservationId/folios', (req, res) => getFolio(ctx, req, res));
  return router;
}
