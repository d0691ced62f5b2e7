/**
 * Clock keeps a stay's days as the hotel's local dates (`YYYY-MM-DD`), so no instants are needed
 * to list arrivals, only calendar arithmetic; "today" (a charge's service date, a to-do's date)
 * is the hotel's own, through its time zone.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import { FailureType } from '../../../domain/failure-types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function checkDay(day: string, name = 'day'): string {
  if (!DAY.test(day) || !DateTime.fromISO(day, { zone: 'utc' }).isValid) {
    throw ApplicationFailure.create({ type: FailureType.InvalidInput, message: `${name} is not a date (YYYY-MM-DD): ${day}`, nonRetryable: true });
  }
  return day;
}

/** The calendar day `days` after `day`. */
export function shiftDay(day: string, days: number): string {
  return DateTime.fromISO(checkDay(day), { zone: 'utc' }).plus({ days }).toISODate()!;
}

/** The hotel's local date now. */
export function localToday(zone: string, now = Date.now()): string {
  return DateTime.fromMillis(now, { zone }).toISODate()!;
}
