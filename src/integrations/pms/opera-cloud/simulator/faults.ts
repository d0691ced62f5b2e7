/**
 * The switchable faults of the control protocol (`PUT /__sim/faults`), drawn from one seeded
 * stream so a run replays. OHIP publishes no rate-limit headers, so a 429 carries no retry hint.
 */
import type { SimFaults } from '../../simulator-control';
import { type Rng, seededRng } from './random';

export type FaultVerdict = { kind: 'outage' } | { kind: 'status'; status: 429 | 500 | 502 | 503 } | null;

const FAULT_SEED = 0x0b1f;

export function validateFaults(faults: unknown): SimFaults {
  if (typeof faults !== 'object' || faults === null || Array.isArray(faults)) throw new RangeError('faults must be an object');
  const f = faults as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set(['outage', 'error5xxRate', 'rate429Rate', 'latencyMs', 'loseAnswers']);
  for (const key of Object.keys(f)) if (!known.has(key)) problems.push(`unknown fault ${key}`);
  if (f.outage !== undefined && typeof f.outage !== 'boolean') problems.push('outage must be a boolean');
  for (const key of ['error5xxRate', 'rate429Rate']) {
    const v = f[key];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) problems.push(`${key} must be in [0, 1]`);
  }
  if (f.latencyMs !== undefined && !(typeof f.latencyMs === 'number' && f.latencyMs >= 0 && f.latencyMs <= 120_000)) problems.push('latencyMs must be 0..120000');
  if (f.loseAnswers !== undefined && !(Number.isInteger(f.loseAnswers) && (f.loseAnswers as number) >= 0)) problems.push('loseAnswers must be a non-negative integer');
  if (problems.length > 0) throw new RangeError(problems.join('; '));
  return f as SimFaults;
}

export class FaultState {
  private faults: SimFaults = {};
  private rng: Rng = seededRng(FAULT_SEED);

  get(): SimFaults {
    return { ...this.faults };
  }

  replace(faults: unknown): void {
    this.faults = { ...validateFaults(faults) };
  }

  reset(): void {
    this.faults = {};
    this.rng = seededRng(FAULT_SEED);
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** What happens to a request before it is handled: an outage, a drawn 5xx or 429, or nothing. */
  draw(): FaultVerdict {
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
