/**
 * Seeded pseudo-random numbers (mulberry32) for the PMS simulators: the same seed gives the same
 * hotel, ids and fault draws, so tests and benchmarks replay. Not for secrets. A simulator adds
 * its vendor's id and token shapes on top (`next` is the one stream they all draw from).
 */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** True with probability `p` (0 and 1 never draw, so a disabled knob does not shift the sequence). */
  chance(p: number): boolean;
}

export function seededRandom(seed: number): SeededRandom {
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
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => (p <= 0 ? false : p >= 1 ? true : next() < p),
  };
}

/** `n` characters drawn from `alphabet`. */
export function drawChars(random: SeededRandom, alphabet: string, n: number): string {
  return Array.from({ length: n }, () => alphabet[Math.floor(random.next() * alphabet.length)]).join('');
}

/** Mixes a seed with a sequence number, so that two hotels with one seed still get their own data. */
export function mixSeedWithIndex(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Mixes a seed with a text (a hotel code, a stream's name) into another seed (FNV-1a). */
export function mixSeedWithText(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
