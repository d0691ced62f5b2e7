/**
 * The switchable faults of the control protocol (`PUT /__sim/faults`), drawn from one seeded
 * stream of OPERA's own so a run replays (the kit's FaultState). OHIP publishes no rate-limit
 * headers, so a 429 carries no retry hint.
 */
import { FaultState } from '../../simulator-kit/faults';

export type { FaultState };

const FAULT_SEED = 0x0b1f;

export const operaFaults = (): FaultState => new FaultState(FAULT_SEED);
