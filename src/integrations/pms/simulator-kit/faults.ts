/**
 * The switchable faults of the control protocol (`PUT /__sim/faults` replaces the set): outage,
 * a share of 5xx and of 429s, added latency, and lost answers (the next N writes are applied,
 * then the connection is destroyed without an answer). How a vendor answers a fault (its status
 * codes, error bodies, retry hints) stays in its simulator.
 */
import type { SimFaults } from '../simulator-control';
import { type SeededRandom, seededRandom } from './random';

const KNOWN = new Set(['outage', 'error5xxRate', 'rate429Rate', 'latencyMs', 'loseAnswers']);

/** Refuses nonsense (a RangeError naming every problem), so that a typo in a test or benchmark does not run without its fault. */
export function validateFaults(input: unknown): SimFaults {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new RangeError('faults must be an object');
  const f = input as Record<string, unknown>;
  const problems = Object.keys(f)
    .filter((k) => !KNOWN.has(k))
    .map((k) => `unknown fault ${k}`);
  if (f.outage !== undefined && typeof f.outage !== 'boolean') problems.push('outage must be a boolean');
  for (const rate of ['error5xxRate', 'rate429Rate'] as const) {
    const v = f[rate];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) problems.push(`${rate} must be a number in [0, 1]`);
  }
  if (f.latencyMs !== undefined && !(typeof f.latencyMs === 'number' && f.latencyMs >= 0 && f.latencyMs <= 120_000)) problems.push('latencyMs must be in [0, 120000]');
  if (f.loseAnswers !== undefined && !(Number.isInteger(f.loseAnswers) && (f.loseAnswers as number) >= 0)) problems.push('loseAnswers must be a non-negative integer');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return { ...(f as SimFaults) };
}

/** Replaces `faults` in place with a validated set (simulators that share one faults object with their server). */
export function replaceFaults(faults: SimFaults, input: unknown): void {
  const next = validateFaults(input);
  clearFaults(faults);
  Object.assign(faults, next);
}

export function clearFaults(faults: SimFaults): void {
  for (const key of Object.keys(faults)) delete (faults as Record<string, unknown>)[key];
}

/** What happens to a request before the vendor reads it: an outage, a drawn 5xx or 429, or nothing. */
export type FaultDraw = { kind: 'outage' } | { kind: 'status'; status: 429 | 500 | 502 | 503 } | null;

/** The current faults with their own seeded stream of draws, so that a run (and a reset run) replays. */
export class FaultState {
  private faults: SimFaults = {};
  private random: SeededRandom;

  constructor(private readonly seed: number) {
    this.random = seededRandom(seed);
  }

  get(): SimFaults {
    return { ...this.faults };
  }

  replace(input: unknown): void {
    this.faults = validateFaults(input);
  }

  reset(): void {
    this.faults = {};
    this.random = seededRandom(this.seed);
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  draw(): FaultDraw {
    if (this.faults.outage) return { kind: 'outage' };
    if (this.random.chance(this.faults.error5xxRate ?? 0)) return { kind: 'status', status: this.random.pick([500, 502, 503] as const) };
    if (this.random.chance(this.faults.rate429Rate ?? 0)) return { kind: 'status', status: 429 };
    return null;
  }

  /** Whether this write's answer is to be lost (taking one of the `loseAnswers` left). */
  takeLostAnswer(): boolean {
    return takeLostAnswer(this.faults);
  }
}

/** Whether this write's answer is to be lost, taking one of the `loseAnswers` left (faults shared with a server as one object). */
export function takeLostAnswer(faults: SimFaults): boolean {
  const left = faults.loseAnswers ?? 0;
  if (left <= 0) return false;
  faults.loseAnswers = left - 1;
  return true;
}
