/**
 * Numbered ids handed out in order, one sequence per kind of record, so that a seed and a
 * sequence of calls always give the same ids. The first number of each kind (and so the look of
 * the ids) is the vendor's.
 */
export class IdSequence<K extends string> {
  private counters: Record<K, number>;

  constructor(private readonly first: Readonly<Record<K, number>>) {
    this.counters = { ...first };
  }

  /** The next id of `kind`; `step` > 1 leaves gaps, as some vendors' confirmation numbers do. */
  next(kind: K, step = 1): string {
    const id = this.counters[kind];
    this.counters[kind] += step;
    return String(id);
  }

  /** Back to the first ids (a simulator reset). */
  reset(): void {
    this.counters = { ...this.first };
  }
}
