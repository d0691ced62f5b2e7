/**
 * Change stamps that always rise: two changes within one millisecond still get different
 * modification times, so a client paging by "modified since" never misses one.
 */
export class RisingClock {
  private last = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** An ISO instant strictly later than the previous one. */
  stamp(): string {
    this.last = Math.max(this.now(), this.last + 1);
    return new Date(this.last).toISOString();
  }
}
