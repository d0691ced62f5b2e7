/**
 * Reading a booking index request as Clock does: filters `<field>.gt` / `.lt` (documented) and
 * `.gteq` / `.lteq` on dates and timestamps, equality on `number` and `status` (an array as
 * repeated `key[]=`), and the page of ids asked for (`page` from 1, `per_page` up to 500).
 */
import { badRequest, BOOKING_STATUSES, type WireBooking } from './wire';

const DATE_FIELDS = new Set(['arrival', 'departure']);
const TIME_FIELDS = new Set(['created_at', 'updated_at', 'status_changed_at']);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const OPS = { gt: (c: number) => c > 0, lt: (c: number) => c < 0, gteq: (c: number) => c >= 0, lteq: (c: number) => c <= 0 } as const;

export const DEFAULT_PER_PAGE = 100;
export const MAX_PER_PAGE = 500;

export interface BookingQuery {
  matches(booking: WireBooking): boolean;
  page: number;
  perPage: number;
}

type Condition = (booking: WireBooking) => boolean;

function compareCondition(field: string, op: keyof typeof OPS, value: string): Condition {
  const test = OPS[op];
  if (DATE_FIELDS.has(field)) {
    if (!DAY.test(value)) throw badRequest(`${field}.${op} must be a date (YYYY-MM-DD)`);
    return (b) => test(String(b[field as 'arrival' | 'departure']).localeCompare(value));
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw badRequest(`${field}.${op} must be a date and time in ISO 8601`);
  return (b) => test(Date.parse(b[field as 'created_at' | 'updated_at' | 'status_changed_at']) - at);
}

function positiveInt(value: string | null, name: string, fallback: number, max: number): number {
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw badRequest(`${name} must be an integer in 1..${max}`);
  return Number(value);
}

export function bookingQuery(params: URLSearchParams): BookingQuery {
  const conditions: Condition[] = [];
  const numbers = [...params.getAll('number'), ...params.getAll('number[]')];
  const statuses = [...params.getAll('status'), ...params.getAll('status[]')];
  for (const status of statuses) if (!(BOOKING_STATUSES as readonly string[]).includes(status)) throw badRequest(`unknown status ${status}`);
  if (numbers.length > 0) conditions.push((b) => numbers.includes(b.number));
  if (statuses.length > 0) conditions.push((b) => statuses.includes(b.status));
  for (const [key, value] of params) {
    const match = /^([a-z_]+)\.(gt|lt|gteq|lteq)$/.exec(key);
    if (!match) continue;
    const [, field, op] = match;
    if (!DATE_FIELDS.has(field!) && !TIME_FIELDS.has(field!)) throw badRequest(`bookings cannot be filtered by ${field}`);
    conditions.push(compareCondition(field!, op as keyof typeof OPS, value));
  }
  return {
    matches: (b) => conditions.every((c) => c(b)),
    page: positiveInt(params.get('page'), 'page', 1, 1_000_000),
    perPage: positiveInt(params.get('per_page'), 'per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE),
  };
}
