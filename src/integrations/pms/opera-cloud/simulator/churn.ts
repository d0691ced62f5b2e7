/**
 * Demo churn: a front desk at work. Every tick one of a new booking arriving today or tomorrow, a
 * changed stay, a cancellation or a check-in, drawn from the hotel's own seeded stream.
 */
import type { SimHotelRecord } from './model';
import { mixSeed, type Rng, seededRng } from './random';
import { addDays } from '../../simulator-kit/days';
import type { OperaStore } from './store';

export function churnStream(hotel: SimHotelRecord): Rng {
  return seededRng(mixSeed(hotel.seed, `${hotel.code}:churn`));
}

export function churnOnce(store: OperaStore, hotel: SimHotelRecord, rng: Rng): void {
  const today = store.today(hotel);
  const upcoming = [...hotel.reservations.values()].filter((r) => r.status === 'Reserved' && r.arrival >= today && r.arrival <= addDays(today, 1));
  const draw = rng.next();
  if (draw < 0.5 || upcoming.length === 0) {
    store.seedArrival(hotel, rng, rng.int(0, 1));
    return;
  }
  const r = rng.pick(upcoming);
  if (draw < 0.75) {
    r.departure = addDays(r.departure, 1);
    r.modifiedAt = store.stamp();
  } else if (draw < 0.9) {
    store.setStatus(r, 'Cancelled');
  } else if (r.arrival === today) {
    store.checkIn(hotel, r);
  }
}
