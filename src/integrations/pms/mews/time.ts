/**
 * Local days and Mews time intervals. Mews filters by UTC instants, both ends inclusive, at most
 * three months per interval (guidelines/serialization.md, operations/_objects.md): a hotel's
 * local day becomes [its midnight, the next midnight − 1 s] in UTC through its time zone, and
 * the day a reservation starts is read back through the same zone.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import { FailureType } from '../../../domain/failure-types';
import type { DateRange } from '../model';

/** `{StartUtc, EndUtc}` as Mews takes it. */
export interface MewsInterval {
  StartUtc: string;
  EndUtc: string;
}

/** An interval as instants (ms), both ends inclusive. */
export interface UtcWindow {
  start: number;
  end: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function localMidnight(day: string, zone: string): DateTime {
  const dt = DAY.test(day) ? DateTime.fromISO(day, { zone }) : DateTime.invalid('not a date');
  if (!dt.isValid) throw invalid(`not a local day in ${zone}: ${day}`);
  return dt.startOf('day');
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

/** Mews' datetime format: `YYYY-MM-DDThh:mm:ssZ`. */
export function mewsInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toInterval(window: UtcWindow): MewsInterval {
  return { StartUtc: mewsInstant(window.start), EndUtc: mewsInstant(window.end) };
}

/**
 * The instants of the local days `range.from`..`range.to` (inclusive), cut into windows that
 * each stay inside Mews' three months (whole local days, less than three calendar months).
 */
export function localDayWindows(range: DateRange, zone: string): UtcWindow[] {
  const first = localMidnight(range.from, zone);
  const last = localMidnight(range.to, zone);
  if (last < first) throw invalid(`the day range ends before it starts: ${range.from}..${range.to}`);
  const windows: UtcWindow[] = [];
  let start = first;
  while (start <= last) {
    // The window ends a day before three months are up: a summer-time change inside it
    // lengthens it by an hour in UTC, where Mews measures.
    const maxEnd = start.plus({ months: 3 }).minus({ days: 2 });
    const endDay = maxEnd < last ? maxEnd : last;
    const nextMidnight = endDay.plus({ days: 1 }).startOf('day');
    windows.push({ start: start.toMillis(), end: nextMidnight.toMillis() - 1000 });
    start = nextMidnight;
  }
  return windows;
}

/** Halves a window for Mews' 408 ("request less at once"); null when it is already an hour or less. */
export function splitWindow(window: UtcWindow): [UtcWindow, UtcWindow] | null {
  if (window.end - window.start <= 3_600_000) return null;
  const middle = window.start + Math.floor((window.end - window.start) / 2000) * 1000;
  return [
    { start: window.start, end: middle },
    { start: middle + 1000, end: window.end },
  ];
}

/** The hotel's local day of a Mews instant. */
export function localDayOf(instant: string, zone: string): string {
  const dt = DateTime.fromISO(instant, { zone: 'utc' }).setZone(zone);
  if (!dt.isValid) throw new Error(`not an instant: ${instant}`);
  return dt.toISODate()!;
}
