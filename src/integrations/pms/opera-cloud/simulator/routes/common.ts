/**
 * Helpers the simulator's OHIP routes share: the hotel a request may act on, paging parameters,
 * and OHIP's error answers.
 */
import type { Request, Response } from 'express';
import { type OperaSimContext, reply } from '../context';
import type { SimHotelRecord } from '../model';
import { problem } from '../views';

/** Answers a 400 with an `exceptionDetailType` body. */
export function badRequest(ctx: OperaSimContext, req: Request, res: Response, detail: string, errorCode = 'INVALID_REQUEST'): void {
  reply(ctx, req, res, 400, problem(400, 'Bad Request', detail, req.originalUrl, errorCode));
}

export function notFound(ctx: OperaSimContext, req: Request, res: Response, detail: string): void {
  reply(ctx, req, res, 404, problem(404, 'Not Found', detail, req.originalUrl, 'NOT_FOUND'));
}

/**
 * The hotel of the path, which must be the hotel of `x-hotelid`: OPERA authorises by the header,
 * and this integration's client is granted one hotel per call. Undefined when already answered.
 */
export function pathHotel(ctx: OperaSimContext, req: Request, res: Response): SimHotelRecord | undefined {
  const code = String(req.params.hotelId);
  if (code !== res.locals.hotelId) {
    reply(ctx, req, res, 403);
    return undefined;
  }
  return ctx.store.hotels.get(code);
}

/** A query value as a list (repeated keys), or undefined. */
export function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

export function single(value: unknown): string | undefined {
  return list(value)?.[0];
}

export interface PageParams {
  offset: number;
  limit: number;
}

/** `limit` (at most the simulator's page size) and `offset` (the first row's index); a message when invalid. */
export function pageParams(ctx: OperaSimContext, req: Request): PageParams | string {
  const rawLimit = single(req.query.limit);
  const rawOffset = single(req.query.offset);
  const limit = rawLimit === undefined ? ctx.defaultPageSize : Number(rawLimit);
  const offset = rawOffset === undefined ? 0 : Number(rawOffset);
  if (!Number.isInteger(limit) || limit < 0) return 'limit must be a non-negative integer';
  if (!Number.isInteger(offset) || offset < 0) return 'offset must be a non-negative integer';
  return { offset, limit: Math.min(limit === 0 ? ctx.defaultPageSize : limit, ctx.maxPageSize) };
}

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
