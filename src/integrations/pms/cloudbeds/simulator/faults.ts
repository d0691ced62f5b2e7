/**
 * The switchable faults of the control protocol (`PUT /__sim/faults` replaces the set): outage
 * (503 to everything), a share of 5xx and of 429s, added latency, and lost answers (the next N
 * writes are applied, then the connection is destroyed without an answer).
 */
import type { SimFaults } from '../../simulator-control';

const KNOWN = new Set(['outage', 'error5xxRate', 'rate429Rate', 'latencyMs', 'loseAnswers']);

/** Refuses nonsense, so that a typo in a test or benchmark does not run without its fault. */
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
