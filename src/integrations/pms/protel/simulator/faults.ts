/**
 * The switchable faults of the control protocol (`PUT /__sim/faults` replaces the set), drawn
 * from one seeded stream so a run replays: outage (503 to everything), a share of 5xx and of
 * 429s, added latency, and lost answers (the next N writes are applied, then the connection is
 * destroyed without an answer).
 */
import type { SimFaults } from '../../simulator-control';
import { type Rng, seededRng } from './random';

const KNOWN = new Set(['outage', 'error5xxRate', 'rate429Rate', 'latencyMs', 'loseAnswers']);
const FAULT_SEED = 0x9a07e1;

export function validateFaults(input: unknown): SimFaults {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new RangeError('faults must be an object');
  const f = input as Record<string, unknown>;
  const problems = Object.keys(f).filter((k) => !KNOWN.has(k)).map((k) => `unknown fault ${k}`);
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

export type FaultDraw = { kind: 'outage' } | { kind: 'status'; status: 429 | 500 | 502 | 503 } | null;

export class FaultState {
  private faults: SimFaults = {};
  private rng: Rng = seededRng(FAULT_SEED);

  replace(input: unknown): void {
    this.faults = validateFaults(input);
  }

  reset(): void {
    this.faults = {};
    this.rng = seededRng(FAULT_SEED);
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** What happens to a request before protel reads it. */
  draw(): FaultDraw {
    if (this.faults.outage) return { kind: 'outage' };
    if (this.rng.chance(this.faults.error5xxRate ?? 0)) return { kind: 'status', status: this.rng.pick([500, 502, 503] as const) };
    if (this.rng.chance(this.faults.rate429Rate ?? 0)) return { kind: 'status', status: 429 };
    return null;
  }

  /** Whether this write's answer is to be lost (taking one of the `loseAnswers` left). */
  takeLostAnswer(): boolean {
    const left = this.faults.loseAnswers ?? 0;
    if (left <= 0) return false;
    this.faults.loseAnswers = left - 1;
    return true;
  }
}
