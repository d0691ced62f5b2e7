/**
 * Demo-mode churn: every tick the hotel's staff make one change Relay should notice on its
 * next poll (or through a push): a new arrival today or tomorrow, a stay moved by a day, a
 * room assigned, or a cancellation.
 */
import { generateGuest } from './people';
import { addCustomer, addReservation, applyState, localDay, reschedule } from './hotel';
import { mixSeed, seededRandom } from './random';
import type { Enterprise, SimStore } from './store';

export function churnOnce(store: SimStore, e: Enterprise, rng = e.rng): void {
  const today = localDay(e, 0);
  const tomorrow = localDay(e, 1);
  const upcoming = [...e.reservations.values()].filter(
    (r) => (r.State === 'Confirmed' || r.State === 'Optional') && Date.parse(r.ScheduledStartUtc) >= Date.parse(`${today}T00:00:00Z`) - 86_400_000,
  );
  const roll = rng.next();
  if (roll < 0.4 || upcoming.length === 0) {
    const guest = generateGuest(rng, e.country);
    const customer = addCustomer(store, e, { ...guest, languageCode: guest.languageCode });
    const arrival = rng.chance(0.5) ? today : tomorrow;
    addReservation(store, e, { arrivalDate: arrival, departureDate: localDay(e, arrival === today ? rng.int(1, 3) : rng.int(2, 4)), customerId: customer.Id, roomId: null, adults: rng.int(1, 2), children: 0, state: 'Confirmed' });
    return;
  }
  const r = rng.pick(upcoming);
  if (roll < 0.6) reschedule(e, r, localDay(e, rng.int(0, 1)), localDay(e, rng.int(2, 4)));
  else if (roll < 0.85) r.AssignedResourceId = rng.pick([...e.resources.values()]).Id;
  else applyState(r, 'Canceled');
  r.UpdatedUtc = store.touch(r.Id);
}

export function startChurn(store: SimStore, e: Enterprise, everyMs: number, seed: number): NodeJS.Timeout {
  // Its own stream for the choices, so that the seeded hotel itself does not depend on ticks.
  const rng = seededRandom(mixSeed(seed, 0x5eed));
  const timer = setInterval(() => churnOnce(store, e, rng), everyMs);
  timer.unref();
  return timer;
}
