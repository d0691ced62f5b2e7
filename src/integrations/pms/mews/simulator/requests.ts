/**
 * Reading a Connector API request body as Mews does: `Limitation` required on getAll (Count
 * 1..1000, Cursor = the last item of the previous page), id filters of bounded length, and
 * time intervals in UTC, inclusive on both ends and at most three months long.
 */
import { DateTime } from 'luxon';
import type { SimStore } from './store';
import { badRequest, MAX_COUNT } from './wire';

export type Body = Record<string, unknown>;

export interface Limitation {
  count: number;
  cursor: string | null;
}

export function limitation(body: Body): Limitation {
  const l = body.Limitation;
  if (typeof l !== 'object' || l === null) throw badRequest('Limitation is required.');
  const { Count, Cursor } = l as { Count?: unknown; Cursor?: unknown };
  if (typeof Count !== 'number' || !Number.isInteger(Count) || Count < 1 || Count > MAX_COUNT) throw badRequest(`Limitation.Count must be an integer between 1 and ${MAX_COUNT}.`);
  if (Cursor !== undefined && Cursor !== null && typeof Cursor !== 'string') throw badRequest('Limitation.Cursor must be a string.');
  return { count: Count, cursor: Cursor ?? null };
}

/** One page, newest first; `Cursor` names the last (oldest) item returned and is null only when none is. */
export function page<T extends { Id: string }>(store: SimStore, items: Iterable<T>, l: Limitation): { items: T[]; cursor: string | null } {
  let after = Infinity;
  if (l.cursor !== null) {
    const seq = store.sequence(l.cursor);
    if (seq === undefined) throw badRequest('Invalid Limitation.Cursor.');
    after = seq;
  }
  const ordered = [...items]
    .map((item) => ({ item, seq: store.sequence(item.Id) ?? 0 }))
    .filter((x) => x.seq < after)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, l.count)
    .map((x) => x.item);
  return { items: ordered, cursor: ordered.length === 0 ? null : ordered[ordered.length - 1]!.Id };
}

/** An optional array of strings (ids, numbers, names), at most `max` long. */
export function strings(body: Body, name: string, max = 1000): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(`${name} must be an array of strings.`);
  if (value.length > max) throw badRequest(`${name} may hold at most ${max} items.`);
  return value as string[];
}

export function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${name} is required.`);
  return value;
}

export function optionalString(body: Body, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name} must be a string.`);
  return value;
}

export interface Interval {
  start: number;
  end: number;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

function instant(value: unknown, name: string): number {
  if (typeof value !== 'string' || !INSTANT.test(value)) throw badRequest(`${name} must be a UTC datetime in ISO 8601 format (YYYY-MM-DDThh:mm:ssZ).`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest(`${name} is not a valid datetime.`);
  return ms;
}

/** An optional `{StartUtc, EndUtc}` filter: both required, start ≤ end, at most three months apart. */
export function interval(body: Body, name: string): Interval | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') throw badRequest(`${name} must be a time interval.`);
  const { StartUtc, EndUtc } = value as { StartUtc?: unknown; EndUtc?: unknown };
  const start = instant(StartUtc, `${name}.StartUtc`);
  const end = instant(EndUtc, `${name}.EndUtc`);
  if (end < start) throw badRequest(`${name}.EndUtc must not be before ${name}.StartUtc.`);
  const limit = DateTime.fromMillis(start, { zone: 'utc' }).plus({ months: 3 }).toMillis();
  if (end > limit) throw badRequest(`${name} exceeds the maximum length of 3 months.`);
  return { start, end };
}

/** Inclusive on both ends, as Mews' intervals are. */
export function within(value: string | null, i: Interval | undefined): boolean {
  if (i === undefined) return true;
  if (value === null) return false;
  const ms = Date.parse(value);
  return ms >= i.start && ms <= i.end;
}

export function matches(value: string | null, allowed: string[] | undefined): boolean {
  return allowed === undefined || (value !== null && allowed.includes(value));
}

/** `Extent` is required where Mews says so; returns its flags. */
export function extent(body: Body): Record<string, boolean> {
  const e = body.Extent;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw badRequest('Extent is required.');
  return e as Record<string, boolean>;
}
