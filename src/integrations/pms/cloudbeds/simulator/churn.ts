/**
 * Demo-mode churn: every tick the hotel's staff make one change Relay should notice on its next
 * poll: a new arrival today or tomorrow, a stay moved by a day, a room assigned, or a cancellation.
 */
import { generateGuest } from './people';
import { mixSeed, type Random, seededRandom } from './random';
import { addGuest, addReservation, LANGUAGE_FIELD, localDay } from './seed';
import type { Property, SimStore } from './store';

export function churnOnce(store: SimStore, p: Property, rng: Random): void {
  const today = localDay(p, 0);
  const tomorrow = localDay(p, 1);
  const upcoming = [...p.reservations.values()].filter((r) => (r.status === 'confirmed' || r.status === 'not_confirmed') && r.startDate >= today);
  const roll = rng.next();
  if (roll < 0.4 || upcoming.length === 0) {
    const g = generateGuest(rng, p.country);
    const guest = addGuest(store, p, { ...g, customFields: g.language ? { [LANGUAGE_FIELD]: g.language } : {} });
    const start = rng.chance(0.5) ? today : tomorrow;
    addReservation(store, p, { guestID: guest.guestID, startDate: start, endDate: localDay(p, (start === today ? 0 : 1) + rng.int(1, 3)), adults: rng.int(1, 2), children: 0, roomID: null, status: 'confirmed' });
    return;
  }
  const r = rng.pick(upcoming);
  if (roll < 0.6) {
    r.startDate = localDay(p, rng.int(0, 1));
    r.endDate = localDay(p, rng.int(2, 4));
  } else if (roll < 0.85) r.roomID = rng.pick([...p.rooms.values()]).roomID;
  else r.status = 'canceled';
  r.modifiedAt = Date.now();
}

export function startChurn(store: SimStore, p: Property, everyMs: number, seed: number): NodeJS.Timeout {
  // Its own stream for the choices, so that the seeded hotel itself does not depend on ticks.
  const rng = seededRandom(mixSeed(seed, 0x5eed));
  const timer = setInterval(() => churnOnce(store, p, rng), everyMs);
  timer.unref();
  return timer;
}
