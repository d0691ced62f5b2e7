/**
 * Seeded pseudo-random numbers (the simulators' shared mulberry32 stream), so that a hotel seeded
 * twice with the same seed holds the same rooms, guests and bookings; plus Clock's API keys.
 * Not for secrets.
 */
import { drawChars, mixSeedWithIndex, type SeededRandom, seededRandom as seeded } from '../../simulator-kit/random';

export interface Random extends SeededRandom {
  /** `n` lower-case hex digits (API keys). */
  hex(n: number): string;
}

export function seededRandom(seed: number): Random {
  const random = seeded(seed);
  return { ...random, hex: (n) => drawChars(random, '0123456789abcdef', n) };
}

export { mixSeedWithIndex as mixSeed };
