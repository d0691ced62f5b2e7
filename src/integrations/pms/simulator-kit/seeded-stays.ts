/**
 * The stays a generated hotel starts with: arrivals today and the two days after, in the hotel's
 * calendar, some already in house, a few cancelled. The order of the draws is fixed here, so a
 * seed gives the same stays in every simulator built on it.
 */
import { addDays, localDay } from './days';
import type { SeededRandom } from './random';

const SEEDED_DAYS = 3;

/** Calls `arrive(day)` `perDay` times for each seeded day (0 = today), day by day. */
export function seedArrivals(perDay: number, arrive: (day: number) => void): void {
  for (let day = 0; day < SEEDED_DAYS; day++) for (let i = 0; i < perDay; i++) arrive(day);
}

export interface DrawnStay {
  arrivalDate: string;
  departureDate: string;
  adults: number;
}

/** A stay arriving `day` days from today: one to four nights, one or two adults. */
export function drawStay(rng: SeededRandom, timezone: string, day: number, now: number): DrawnStay {
  const arrivalDate = localDay(timezone, day, now);
  const departureDate = addDays(arrivalDate, rng.int(1, 4));
  return { arrivalDate, departureDate, adults: rng.int(1, 2) };
}

/** What became of a seeded stay: a quarter of today's arrivals have checked in, about one in twelve is cancelled. */
export type SeededFate = 'checkedIn' | 'cancelled' | 'booked';

export function drawFate(rng: SeededRandom, day: number): SeededFate {
  const draw = rng.next();
  if (day === 0 && draw < 0.25) return 'checkedIn';
  return draw > 0.92 ? 'cancelled' : 'booked';
}
