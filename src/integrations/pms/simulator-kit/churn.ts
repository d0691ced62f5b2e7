/**
 * Demo churn: a front desk at work. Every tick one of a new booking arriving today or tomorrow, a
 * longer stay, a cancellation or a check-in, drawn from the hotel's own seeded stream. What each
 * of those does to the vendor's records is the simulator's.
 */
import { addDays } from './days';
import type { SeededRandom } from './random';

export interface FrontDesk<R extends { arrival: string }> {
  /** The hotel's calendar day. */
  today: string;
  /** Bookings not yet checked in (nor cancelled). */
  booked: Iterable<R>;
  /** Books a new guest arriving `day` days from today. */
  arrive(day: number): void;
  /** One more night. */
  extend(booking: R): void;
  cancel(booking: R): void;
  checkIn(booking: R): void;
}

export function frontDeskTick<R extends { arrival: string }>(rng: SeededRandom, desk: FrontDesk<R>): void {
  const { today } = desk;
  const upcoming = [...desk.booked].filter((r) => r.arrival >= today && r.arrival <= addDays(today, 1));
  const draw = rng.next();
  if (draw < 0.5 || upcoming.length === 0) return desk.arrive(rng.int(0, 1));
  const booking = rng.pick(upcoming);
  if (draw < 0.75) desk.extend(booking);
  else if (draw < 0.9) desk.cancel(booking);
  else if (booking.arrival === today) desk.checkIn(booking);
}
