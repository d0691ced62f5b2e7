/**
 * Seeded pseudo-random numbers (the simulators' shared mulberry32 stream): a hotel's data, its
 * token and the fault draws replay identically for a seed. Nothing here guards anything real.
 */
import { drawChars, mixSeedWithText, type SeededRandom, seededRandom } from '../../simulator-kit/random';

export interface Rng extends SeededRandom {
  /** `n` lower-case hex digits. */
  hex(n: number): string;
}

export function seededRng(seed: number): Rng {
  const random = seededRandom(seed);
  return { ...random, hex: (n) => drawChars(random, '0123456789abcdef', n) };
}

export { mixSeedWithText as mixSeed };
