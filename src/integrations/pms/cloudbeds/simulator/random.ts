/**
 * Seeded pseudo-random numbers (the simulators' shared mulberry32 stream): the same seed gives
 * the same hotel, ids and fault draws, so tests and benchmarks replay; plus Cloudbeds' key and
 * token characters. Not for secrets.
 */
import { drawChars, mixSeedWithIndex, type SeededRandom, seededRandom as seeded } from '../../simulator-kit/random';

export interface Random extends SeededRandom {
  /** `n` characters of [a-z0-9]. */
  token(n: number): string;
}

export function seededRandom(seed: number): Random {
  const random = seeded(seed);
  return { ...random, token: (n) => drawChars(random, 'abcdefghijklmnopqrstuvwxyz0123456789', n) };
}

export { mixSeedWithIndex as mixSeed };
