/**
 * Switchable failure modes of the simulated API. Rates are fractions of calls (0..1) drawn from one seeded
 * stream; forced faults (`forceNext`) are consumed first, in order, for deterministic tests.
 */
import type { Random } from './random';

export type FaultKind = 'error' | 'tooManyRequests' | 'timeout' | 'dropAfterAccept';
/** Message creates, or reads (list and fetch). */
export type ApiOperation = 'create' | 'read';

interface ForcedFault {
  kind: FaultKind;
  on: ApiOperation;
}

export interface TwilioFaults {
  /** Fraction of calls answered 5xx (the message is not accepted). */
  errorRate: number;
  errorStatus: 500 | 502 | 503;
  /** Fraction of calls answered 429 / 20429 with Retry-After. */
  tooManyRequestsRate: number;
  retryAfterSeconds: number;
  /** Fraction of calls held open and never answered (until the client gives up or the simulator stops). */
  timeoutRate: number;
  /** Whether a held create still accepts the message: the worst case, an ambiguous outcome for the client. */
  timeoutAccepts: boolean;
  /** Fraction of creates whose message is accepted and recorded, then the socket is destroyed before answering. */
  dropAfterAcceptRate: number;
  /** Added to every API call before it is answered, plus a uniform random jitter. */
  latencyMs: number;
  latencyJitterMs: number;
  /** Twilio's REST limit is per-account concurrency: beyond this many calls in flight, 429 / 20429. 0 = none. */
  maxConcurrentRequests: number;
  /** Which calls the rate-based faults hit: message creates only, or list/fetch too. */
  scope: 'create' | 'all';
  /**
   * Sending rate per sender in messages per second (0 = unlimited). Like Twilio, messages beyond the rate are
   * queued, not refused: each leaves its sender's queue at most this often.
   */
  senderRatePerSecond: number;
  /** Per-sender overrides of `senderRatePerSecond`, keyed by `From` (or Messaging Service SID). */
  senderRates: Record<string, number>;
  /**
   * How long after its creation a message first shows in the Messages list (fetch by SID sees it at once). Twilio
   * does not promise that a list shows a new message at once: a look-up right after a create may miss it.
   */
  listLagMs: number;
}

export const defaultFaults = (): TwilioFaults => ({
  errorRate: 0,
  errorStatus: 500,
  tooManyRequestsRate: 0,
  retryAfterSeconds: 1,
  timeoutRate: 0,
  timeoutAccepts: false,
  dropAfterAcceptRate: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
  maxConcurrentRequests: 0,
  scope: 'all',
  senderRatePerSecond: 0,
  senderRates: {},
  listLagMs: 0,
});

const RATE_KEYS = ['errorRate', 'tooManyRequestsRate', 'timeoutRate', 'dropAfterAcceptRate'] as const;

/** Rejects nonsense early so a typo in a benchmark does not silently run without faults. */
export function validateFaults(faults: TwilioFaults): string[] {
  const known = Object.keys(defaultFaults());
  const problems: string[] = Object.keys(faults)
    .filter((key) => !known.includes(key))
    .map((key) => `unknown fault setting ${key}`);
  for (const key of RATE_KEYS) {
    const v = faults[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) problems.push(`${key} must be a number in [0, 1]`);
  }
  const sum = RATE_KEYS.reduce((acc, key) => acc + faults[key], 0);
  if (sum > 1) problems.push('the fault rates must add up to at most 1');
  for (const key of ['latencyMs', 'latencyJitterMs', 'retryAfterSeconds', 'maxConcurrentRequests', 'senderRatePerSecond', 'listLagMs'] as const) {
    const v = faults[key];
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) problems.push(`${key} must be a non-negative number`);
  }
  if (![500, 502, 503].includes(faults.errorStatus)) problems.push('errorStatus must be 500, 502 or 503');
  if (faults.scope !== 'create' && faults.scope !== 'all') problems.push("scope must be 'create' or 'all'");
  if (typeof faults.timeoutAccepts !== 'boolean') problems.push('timeoutAccepts must be a boolean');
  if (typeof faults.senderRates !== 'object' || faults.senderRates === null) problems.push('senderRates must be an object');
  else
    for (const [sender, rate] of Object.entries(faults.senderRates))
      if (typeof rate !== 'number' || !(rate >= 0) || !Number.isFinite(rate)) problems.push(`senderRates[${sender}] must be a non-negative number`);
  return problems;
}

export class FaultPlan {
  private current: TwilioFaults;
  private forced: ForcedFault[] = [];

  constructor(
    private random: Random,
    initial: Partial<TwilioFaults> = {},
  ) {
    this.current = defaultFaults();
    this.set(initial);
  }

  reseed(random: Random): void {
    this.random = random;
  }

  get(): TwilioFaults {
    return { ...this.current, senderRates: { ...this.current.senderRates } };
  }

  /** Merges `partial` into the current faults; throws with every problem if the result is invalid. */
  set(partial: Partial<TwilioFaults>): TwilioFaults {
    const next = { ...this.current, ...partial, senderRates: { ...this.current.senderRates, ...(partial.senderRates ?? {}) } };
    const problems = validateFaults(next);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.current = next;
    return this.get();
  }

  reset(initial: Partial<TwilioFaults> = {}): void {
    this.current = defaultFaults();
    this.forced = [];
    this.set(initial);
  }

  /** The next `count` calls of operation `on` get `kind`, ahead of any random draw. */
  forceNext(kind: FaultKind, count = 1, on: ApiOperation = 'create'): void {
    if (kind === 'dropAfterAccept' && on !== 'create') throw new RangeError('dropAfterAccept applies to creates only');
    for (let i = 0; i < count; i++) this.forced.push({ kind, on });
  }

  pendingForced(): ForcedFault[] {
    return this.forced.map((f) => ({ ...f }));
  }

  rateFor(sender: string): number {
    return this.current.senderRates[sender] ?? this.current.senderRatePerSecond;
  }

  latency(): number {
    const { latencyMs, latencyJitterMs } = this.current;
    return latencyMs + (latencyJitterMs > 0 ? this.random.next() * latencyJitterMs : 0);
  }

  /** Draws the fault for one API call; `dropAfterAccept` only ever applies to creates. */
  draw(op: ApiOperation): FaultKind | null {
    const forcedIndex = this.forced.findIndex((f) => f.on === op);
    if (forcedIndex !== -1) return this.forced.splice(forcedIndex, 1)[0]!.kind;
    const isCreate = op === 'create';
    if (!isCreate && this.current.scope === 'create') return null;
    const { tooManyRequestsRate, errorRate, timeoutRate, dropAfterAcceptRate } = this.current;
    if (tooManyRequestsRate + errorRate + timeoutRate + dropAfterAcceptRate <= 0) return null;
    // One draw per call with cumulative bands, so the configured rates are the observed rates.
    const r = this.random.next();
    let edge = tooManyRequestsRate;
    if (r < edge) return 'tooManyRequests';
    if (r < (edge += errorRate)) return 'error';
    if (r < (edge += timeoutRate)) return 'timeout';
    if (isCreate && r < (edge += dropAfterAcceptRate)) return 'dropAfterAccept';
    return null;
  }
}
