/** Demo churn in a protel hotel (the kit's front desk), drawn from the hotel's own seeded stream. */
import type { SimHotel } from './model';
import { mixSeed, type Rng, seededRng } from './random';
import { frontDeskTick } from '../../simulator-kit/churn';
import { addDays } from '../../simulator-kit/days';
import type { ProtelStore } from './store';

export function churnStream(hotel: SimHotel): Rng {
  return seededRng(mixSeed(hotel.seed, `${hotel.code}:churn`));
}

export function churnOnce(store: ProtelStore, hotel: SimHotel, rng: Rng): void {
  frontDeskTick(rng, {
    today: store.today(hotel),
    booked: [...hotel.reservations.values()].filter((r) => r.status === 'Reserved'),
    arrive: (day) => store.seedArrival(hotel, rng, day),
    extend: (r) => {
      r.departure = addDays(r.departure, 1);
      store.touch(r);
    },
    cancel: (r) => store.setStatus(r, 'Cancelled'),
    checkIn: (r) => store.checkIn(store.hotels.get(hotel.code)!, r),
  });
}
