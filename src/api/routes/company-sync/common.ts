import type { Request } from 'express';
import { HttpError } from '../../http-errors';
import { z } from '../../openapi';
import { requestProblem } from '../../request-problem';

/** Helpers every company-sync route shares: keyset cursors, ids, If-Match versions. */

export const Uuid = z.uuid({ message: 'must be a UUID' });
export const IdParams = z.object({ id: Uuid });

export { Cursor, decodeCursor, encodeCursor, Limit, listOf, page, type Position } from '../pagination';

/** 428: the request must say which version it was made against. */
export class PreconditionRequiredError extends HttpError {
  readonly status = 428;
  readonly code = 'precondition_required';
}

/** A company's version as an entity tag: `"3"`. */
export const etagOf = (version: number) => `"${version}"`;

/**
 * The version an `If-Match` header names: `"3"`, `W/"3"` or a bare `3` (what people type).
 * Undefined when the header is absent; 400 when it names no version (`*`, a list, text).
 */
export function ifMatchVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) throw headerProblem('If-Match', 'must name one company version, e.g. "3" (the ETag of GET /v1/companies/{id})');
  return Number(m[1]);
}

/** The version `PUT` was made against; 428 when the caller did not say. */
export function requiredIfMatch(req: Request, what: string): number {
  const version = ifMatchVersion(req);
  if (version === undefined) {
    throw new PreconditionRequiredError(`Send If-Match with the version you read (the ETag of GET ${what}), so that a change made meanwhile is not overwritten`, {
      header: 'If-Match',
    });
  }
  return version;
}

const headerProblem = (header: string, message: string) => {
  const err = requestProblem('params', header, message);
  return Object.assign(err, { message: `Invalid request header: ${header}: ${message}` });
};

export const IfMatchHeader = z.object({
  'if-match': z.string().optional().openapi({ description: 'The company version you read (its ETag), e.g. "3"' }),
});
