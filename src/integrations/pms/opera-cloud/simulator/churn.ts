/** Demo churn in an OPERA hotel (the kit's front desk), drawn from the hotel's own seeded stream. */
import type { SimHotelRecord } from './model';
import { mixSeed, type Rng, seededRng } from './random';
import { frontDeskTick } from '../../simulator-kit/churn';
import { addDays } from '../../simulator-kit/days';
import type { OperaStore } from './store';

export function churnStream(hotel: SimHotelRecord): Rng {
  return seededRng(mixSeed(hotel.seed, `${hotel.code}:churn`));
}

export function churnOnce(store: OperaStore, hotel: SimHotelRecord, rng: Rng): void {
  frontDeskTick(rng, {
    today: store.today(hotel),
    booked: [...hotel.reservations.values()].filter((r) => r.status === 'Reserved'),
    arrive: (day) => store.seedArrival(hotel, rng, day),
    extend: (r) => {
      r.departure = addDays(r.departure, 1);
      r.modifiedAt = store.stamp();
    },
    cancel: (r) => store.setStatus(r, 'Cancelled'),
    checkIn: (r) => store.checkIn(hotel, r),
  });
}
