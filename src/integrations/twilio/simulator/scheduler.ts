/**
 * Timers and in-flight work of the simulator, tracked so that `stop()`/`reset()` cancel everything and tests can
 * wait until every scheduled status change and callback has happened.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private busy = 0;
  private waiters: Array<() => void> = [];
  private generation = 0;

  /** Runs `fn` after `delayMs` unless cancelled; a rejected promise from `fn` is swallowed (it logs its own). */
  at(delayMs: number, fn: () => void | Promise<void>): void {
    const generation = this.generation;
    this.busy++;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (generation !== this.generation) return this.done();
        void Promise.resolve()
          .then(fn)
          .catch(() => undefined)
          .finally(() => this.done());
      },
      Math.max(0, delayMs),
    );
    this.timers.add(timer);
  }

  /** An AbortSignal that `cancelAll()` fires, for outgoing HTTP calls. */
  signal(): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.aborts.add(controller);
    return { signal: controller.signal, release: () => this.aborts.delete(controller) };
  }

  /** Resolves once no timer is pending and no scheduled function is running. */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Changes on every `cancelAll()`, so long-running work can tell it was cancelled. */
  epoch(): number {
    return this.generation;
  }

  pending(): number {
    return this.busy;
  }

  cancelAll(): void {
    this.generation++;
    for (const timer of this.timers) {
      clearTimeout(timer);
      this.done();
    }
    this.timers.clear();
    for (const controller of this.aborts) controller.abort();
    this.aborts.clear();
  }

  private done(): void {
    this.busy--;
    if (this.busy === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
