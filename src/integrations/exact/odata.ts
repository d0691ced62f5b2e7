/**
 * Exact Online's OData v2 dialect as Relay's client writes and reads it: filter literals (`'…'` with quotes
 * doubled, `guid'…'`, Int64 with an `L` suffix, `datetime'…'`), the 18-character space-padded account `Code`,
 * `/Date(ms)/` dates, Int64 values that arrive as strings, and the `{"d":{"results":[…],"__next":…}}` envelope.
 */

/** Exact's account Code is 18 characters, the value right-aligned with leading spaces. */
export const CODE_LENGTH = 18;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (value: string): boolean => GUID.test(value);

/** A string literal: single quotes, a quote inside doubled (`O'Brien` → `'O''Brien'`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A GUID literal; anything else is refused here rather than by Exact (a 400 counts toward its error limit). */
export function odataGuid(value: string): string {
  if (!isGuid(value)) throw new RangeError('not a GUID');
  return `guid'${value.toLowerCase()}'`;
}

/** An Edm.Int64 literal: `123L` (without the suffix Exact refuses the comparison with Timestamp). */
export function odataInt64(value: bigint | number): string {
  const n = typeof value === 'bigint' ? value : BigInt(value);
  return `${n}L`;
}

/** An Edm.DateTime literal, UTC to the second: `datetime'2024-01-01T00:00:00'`. */
export function odataDateTime(value: Date): string {
  return `datetime'${value.toISOString().slice(0, 19)}'`;
}

/** A Code as Exact stores it, for filters: trimmed, then right-aligned in 18 characters. */
export function padCode(code: string): string {
  const trimmed = code.trim();
  if (trimmed.length > CODE_LENGTH) throw new RangeError(`an account code has at most ${CODE_LENGTH} characters`);
  return trimmed.padStart(CODE_LENGTH, ' ');
}

/** `field eq literal`. */
export const eq = (field: string, literal: string): string => `${field} eq ${literal}`;

/** Clauses joined with `and` (each parenthesised when it holds an `or`). */
export function and(...clauses: string[]): string {
  return clauses.map((c) => (/\bor\b/.test(c) ? `(${c})` : c)).join(' and ');
}

/**
 * The query string of a request: `$filter`, `$select`, `$top`, … in that order. Names keep their `$` (Exact's
 * examples and `__next` links do); values are percent-encoded once.
 */
export function odataQuery(options: { filter?: string; select?: readonly string[]; top?: number; orderby?: string }): string {
  const parts: string[] = [];
  if (options.filter !== undefined) parts.push(`$filter=${encodeURIComponent(options.filter)}`);
  if (options.select !== undefined) parts.push(`$select=${options.select.join(',')}`);
  if (options.top !== undefined) parts.push(`$top=${options.top}`);
  if (options.orderby !== undefined) parts.push(`$orderby=${encodeURIComponent(options.orderby)}`);
  return parts.join('&');
}

/** `/Date(1641034800000)/` (optionally with an offset, `/Date(1641034800000+0100)/`, which Exact's ms ignore) → Date. */
export function parseODataDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value !== 'string') return null;
  const m = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value.trim());
  if (m) return new Date(Number(m[1]));
  // ISO strings (OData v3 style) are accepted too.
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** An Edm.Int64 (Exact's Timestamp): a JSON string as OData v2 writes it, or a number. */
export function parseInt64(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : null;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  return null;
}

export const parseString = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);

export function parseBoolean(value: unknown): boolean {
  return value === true || value === 'true' || value === 1;
}

export function parseInt32(value: unknown): number | null {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) ? n : null;
}

/** Thrown when an answer is not in the shape Exact sends (the client turns it into a retryable failure). */
export class ODataShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ODataShapeError';
  }
}

export type ODataRow = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A collection page: its rows and the `__next` link (absent on the last page). */
export function unwrapCollection(body: unknown): { rows: ODataRow[]; next: string | undefined } {
  if (!isObject(body) || !isObject(body.d)) throw new ODataShapeError('no "d" object');
  const results: unknown = body.d.results;
  if (!Array.isArray(results)) throw new ODataShapeError('no "d.results" array');
  if (!results.every(isObject)) throw new ODataShapeError('a row that is not an object');
  const link: unknown = body.d.__next;
  const next = typeof link === 'string' && link !== '' ? link : undefined;
  return { rows: results, next };
}

/** One entity: `{"d":{…}}`, or the single row of `{"d":{"results":[…]}}` (current/Me). */
export function unwrapEntity(body: unknown): ODataRow {
  if (!isObject(body) || !isObject(body.d)) throw new ODataShapeError('no "d" object');
  const d = body.d;
  if (Array.isArray(d.results)) {
    const first: unknown = d.results[0];
    if (!isObject(first)) throw new ODataShapeError('an empty "d.results"');
    return first;
  }
  return d;
}

/** Exact's error text from `{"error":{"code":"","message":{"lang":"","value":"…"}}}` (or a plain string message). */
export function odataErrorMessage(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const message = body.error.message;
  if (isObject(message) && typeof message.value === 'string') return message.value.replace(/\s+/g, ' ').trim();
  if (typeof message === 'string') return message.replace(/\s+/g, ' ').trim();
  return undefined;
}

/** Exact's maintenance page (or any HTML page) instead of JSON, with 200 or 503. */
export function isHtmlAnswer(contentType: string | null, text: string): boolean {
  if (contentType !== null && /text\/html|application\/xhtml/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html)/i.test(text);
}
