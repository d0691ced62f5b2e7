/**
 * The simulator's clock: real time plus an offset that tests move forward (`advance`) to reach token expiry, the
 * 570-second refresh guard, the next rate-limit minute or the next day without waiting. Everything time-based in
 * the simulator (tokens, codes, rate windows, Modified/Created, the Deleted log's retention) reads this clock;
 * only the `timeout`/`loseAnswer` faults wait in real time.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError('advanceMs must be a finite number');
    this.offsetMs += ms;
    return this.now();
  }

  offset(): number {
    return this.offsetMs;
  }

  setOffset(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('offsetMs must be a finite number');
    this.offsetMs = ms;
  }
}
