/**
 * Per-sender send queues. Real Twilio accepts messages beyond a sender's throughput and queues them; each leaves
 * the queue at most R times a second. The simulator models the queue by assigning each accepted message the time
 * it leaves (its dispatch slot), spaced at least 1000/R ms after the previous one from the same sender.
 */

interface QueueState {
  /** Integer epoch ms of the first slot of the current run of back-to-back slots. */
  base: number;
  /** Slots handed out since `base`. */
  k: number;
  rate: number;
}

export class SenderQueues {
  private queues = new Map<string, QueueState>();

  /** Dispatch time for a message accepted at `now` (integer epoch ms) from `sender` (rate 0 = unlimited). */
  schedule(sender: string, now: number, ratePerSecond: number): number {
    if (ratePerSecond <= 0) return now;
    const q = this.queues.get(sender);
    // Slots are base + ceil(k * 1000 / R): integer ms, and any R + 1 consecutive slots span at least one second,
    // without the drift that adding 1000 / R repeatedly in floating point would bring.
    const next = q ? q.base + Math.ceil((q.k * 1000) / q.rate) : now;
    if (!q || next <= now || q.rate !== ratePerSecond) {
      this.queues.set(sender, { base: Math.max(now, next), k: 1, rate: ratePerSecond });
      return Math.max(now, next);
    }
    q.k += 1;
    return next;
  }

  reset(): void {
    this.queues.clear();
  }
}

export interface WindowStats {
  count: number;
  /** Messages per second between the first and the last event (null with fewer than two). */
  achievedPerSecond: number | null;
  /** Most events in any one-second window. */
  maxInAnyWindow: number;
  /** Events that are beyond the `limit`th in the one-second window ending at them (0 when no limit). */
  overLimit: number;
}

/** Sliding one-second-window figures over epoch-ms times, for measuring a sender's achieved rate. */
export function windowStats(times: readonly number[], limit: number, windowMs = 1000): WindowStats {
  const sorted = [...times].sort((a, b) => a - b);
  let maxInAnyWindow = 0;
  let overLimit = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    // Window (t - windowMs, t]: half-open so events exactly windowMs apart fall in different windows.
    while (sorted[lo]! <= sorted[hi]! - windowMs) lo++;
    const inWindow = hi - lo + 1;
    if (inWindow > maxInAnyWindow) maxInAnyWindow = inWindow;
    if (limit > 0 && inWindow > limit) overLimit++;
  }
  const span = sorted.length > 1 ? sorted[sorted.length - 1]! - sorted[0]! : 0;
  return {
    count: sorted.length,
    achievedPerSecond: span > 0 ? ((sorted.length - 1) * 1000) / span : null,
    maxInAnyWindow,
    overLimit,
  };
}
