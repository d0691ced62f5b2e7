import { z } from '../openapi';

/** Keyset pages every list of Relay's API shares: page size, opaque cursors, the page itself. */

export const Limit = z.coerce.number().int().min(1).max(500).default(100).openapi({ description: 'Page size (1–500)' });

/** A position in a list ordered by (createdAt, id) descending (ids: UUIDs, numbers or workflow ids, per list). */
export interface Position {
  createdAt: Date;
  id: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const POSITION_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,20})$/;

/** Opaque to callers: base64url of `<createdAt ISO>|<id>`. */
export const encodeCursor = (at: Position): string => Buffer.from(`${at.createdAt.toISOString()}|${at.id}`).toString('base64url');

/**
 * The position `encodeCursor` wrote, or undefined for anything else (never a silent first page).
 * `ids`: what a row id of this list looks like (a UUID or a number by default).
 */
export function decodeCursor(cursor: string, ids: RegExp = POSITION_ID): Position | undefined {
  // Buffer skips characters outside the alphabet; only what encodeCursor writes decodes.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf('|');
  if (sep < 0) return undefined;
  const [at, id] = [text.slice(0, sep), text.slice(sep + 1)];
  if (!INSTANT.test(at) || !ids.test(id)) return undefined;
  const createdAt = new Date(at);
  return !Number.isNaN(createdAt.getTime()) && createdAt.toISOString() === at ? { createdAt, id } : undefined;
}

/** The `cursor` query parameter of a list whose row ids look like `ids`. */
export const cursorParam = (ids: RegExp = POSITION_ID) =>
  z
    .string()
    .max(300)
    .transform((value, ctx) => {
      const cursor = decodeCursor(value, ids);
      if (cursor) return cursor;
      ctx.addIssue({ code: 'custom', message: 'is not a cursor of this list; pass the nextCursor of the previous page unchanged, or none for the first page' });
      return z.NEVER;
    })
    .optional()
    .openapi({ type: 'string', description: 'The `nextCursor` of the previous page' });

export const Cursor = cursorParam();

/** The page's items and the cursor of the next page (rows hold one more than `limit` when there is one). */
export function page<Row extends { createdAt: Date; id: string | bigint }, View>(rows: Row[], limit: number, view: (row: Row) => View): { items: View[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: String(last.id) }) : null };
}

export const listOf = <T extends z.ZodType>(item: T, name: string) => z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
