/**
 * What a simulator's store of hotels and stays has whatever the vendor: ids numbered in order
 * (so a seed and a sequence of calls always give the same ids), change stamps that always rise,
 * and the hotel's today. The records, and what a reset forgets of them, are the vendor's.
 */
import { type BookedStay, bookedStay, type StayRequest } from './bookings';
import { localDay } from './days';
import { IdSequence } from './ids';
import { RisingClock } from './rising-clock';
import { occupyRoom, type RoomOfStay } from './rooms';

/** The numbers every booking gets: its id and its confirmation number. */
type BookingIds = 'reservation' | 'confirmation';

/** What a new booking holds before the vendor adds its own fields. */
export interface NewBooking extends BookedStay {
  id: string;
  confirmation: string;
  createdAt: string;
  modifiedAt: string;
}

export abstract class StayStore<K extends string> {
  private readonly ids: IdSequence<K | BookingIds>;
  private readonly clock: RisingClock;

  /** `firstIds`: the first number of each kind of record, as the vendor's ids look. */
  constructor(
    firstIds: Readonly<Record<K | BookingIds, number>>,
    protected readonly now: () => number = Date.now,
  ) {
    this.ids = new IdSequence(firstIds);
    this.clock = new RisingClock(now);
  }

  /** An ISO instant strictly later than the previous one: every change gets its own modification time. */
  stamp(): string {
    return this.clock.stamp();
  }

  /** A record changed now (its modification time stamped). */
  touch(record: { modifiedAt: string }): void {
    record.modifiedAt = this.stamp();
  }

  /** A booking's status changed now, in the vendor's own statuses. */
  setStatus<S>(booking: { status: S; modifiedAt: string }, status: NoInfer<S>): void {
    booking.status = status;
    this.touch(booking);
  }

  today(hotel: { timezone: string }): string {
    return localDay(hotel.timezone, 0, this.now());
  }

  /** A booking's own fields, numbered and stamped now; confirmation numbers step by 7, so they are not mistaken for ids. */
  protected newBooking(rooms: ReadonlyArray<{ id: string; roomType: string }>, request: StayRequest, fallbackType: string): NewBooking {
    const at = this.stamp();
    return { id: this.nextId('reservation'), confirmation: this.nextId('confirmation', 7), ...bookedStay(rooms, request, fallbackType), createdAt: at, modifiedAt: at };
  }

  /** Checks a booking in: a vacant room when it has none (see occupyRoom), then the vendor's in-house status. */
  protected checkInto<S, R extends RoomOfStay & { status: S; modifiedAt: string }>(rooms: Parameters<typeof occupyRoom>[0], bookings: Iterable<R>, booking: R, inHouse: S): void {
    occupyRoom(rooms, booking, [...bookings].filter((x) => x.status === inHouse));
    this.setStatus(booking, inHouse);
  }

  protected nextId(kind: K | BookingIds, step = 1): string {
    return this.ids.next(kind, step);
  }

  /** Back to the first ids; the vendor's reset forgets its records. */
  protected resetIds(): void {
    this.ids.reset();
  }
}
