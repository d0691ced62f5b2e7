/**
 * Demo-mode churn: every tick the hotel's staff make one change Relay should notice on its next
 * poll: a new arrival today or tomorrow, a stay moved, a room assigned, or a cancellation.
 */
import { addBooking, addGuest, assignRoom, changeStatus, localDay, reschedule, touchBooking } from './hotel';
import { generateGuest } from './people';
import { mixSeed, seededRandom } from './random';
import type { Account, ClockStore } from './store';

export function churnOnce(store: ClockStore, account: Account, rng = account.rng): void {
  const today = localDay(account, 0);
  const upcoming = [...account.bookings.values()].filter((b) => b.status === 'expected' && b.arrival >= today);
  const roll = rng.next();
  if (roll < 0.4 || upcoming.length === 0) {
    const guest = addGuest(store, account, generateGuest(rng, account.country));
    const offset = rng.chance(0.5) ? 0 : 1;
    addBooking(store, account, { arrival: localDay(account, offset), departure: localDay(account, offset + rng.int(1, 3)), guestId: guest.id, roomId: null, adults: rng.int(1, 2), children: 0, status: 'expected' });
    return;
  }
  const booking = rng.pick(upcoming);
  if (roll < 0.6) reschedule(booking, localDay(account, rng.int(0, 1)), localDay(account, rng.int(2, 4)));
  else if (roll < 0.85 && account.rooms.size > 0) assignRoom(booking, rng.pick([...account.rooms.values()]));
  else changeStatus(store, booking, 'canceled');
  touchBooking(store, booking);
}

export function startChurn(store: ClockStore, account: Account, everyMs: number, seed: number): NodeJS.Timeout {
  // Its own stream, so that the seeded hotel itself does not depend on ticks.
  const rng = seededRandom(mixSeed(seed, 0xc10c));
  const timer = setInterval(() => churnOnce(store, account, rng), everyMs);
  timer.unref();
  return timer;
}
