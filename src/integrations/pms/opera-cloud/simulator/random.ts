/**
 * Seeded pseudo-random numbers (the simulators' shared mulberry32 stream), so a hotel's data and
 * the fault draws replay identically for a seed. Not for secrets: tokens come from node:crypto.
 */
export { mixSeedWithText as mixSeed, type SeededRandom as Rng, seededRandom as seededRng } from '../../simulator-kit/random';
