/**
 * Seeded pseudo-random numbers (the simulators' shared mulberry32 stream) with Mews' shapes on
 * top: GUIDs and the hex runs access tokens are made of. Not for secrets.
 */
import { drawChars, mixSeedWithIndex, type SeededRandom, seededRandom as seeded } from '../../simulator-kit/random';

export interface Random extends SeededRandom {
  /** A GUID in Mews' form (lower-case, version 4 layout). */
  guid(): string;
  /** `n` upper-case hex digits (access tokens look like two such runs). */
  hex(n: number): string;
}

const HEX = '0123456789abcdef';

export function seededRandom(seed: number): Random {
  const random = seeded(seed);
  return {
    ...random,
    guid: () => {
      const h = drawChars(random, HEX, 32).split('');
      h[12] = '4';
      h[16] = '89ab'[parseInt(h[16]!, 16) % 4]!;
      const s = h.join('');
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
    hex: (n) => drawChars(random, HEX, n).toUpperCase(),
  };
}

export { mixSeedWithIndex as mixSeed };
