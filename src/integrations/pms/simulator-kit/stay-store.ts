/**
 * What a simulator's store of hotels and stays has whatever the vendor: ids numbered in order
 * (so a seed and a sequence of calls always give the same ids), change stamps that always rise,
 * and the hotel's today. The records, and what a reset forgets of them, are the vendor's.
 */
import { localDay } from './days';
import { IdSequence } from './ids';
import { RisingClock } from './rising-clock';

export abstract class StayStore<K extends string> {
  private readonly ids: IdSequence<K>;
  private readonly clock: RisingClock;

  /** `firstIds`: the first number of each kind of record, as the vendor's ids look. */
  constructor(
    firstIds: Readonly<Record<K, number>>,
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

  protected nextId(kind: K, step = 1): string {
    return this.ids.next(kind, step);
  }

  /** Back to the first ids; the vendor's reset forgets its records. */
  protected resetIds(): void {
    this.ids.reset();
  }
}
