/**
 * Seeded pseudo-random numbers (mulberry32) so fault and callback perturbations replay identically in tests.
 * Not for identifiers: SIDs and tokens come from node:crypto.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability `p` (0 and 1 never draw, so a disabled knob does not shift the sequence). */
  chance(p: number): boolean;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => (p <= 0 ? false : p >= 1 ? true : next() < p),
  };
}
