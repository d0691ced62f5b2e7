/**
 * The switchable faults of the control protocol (`PUT /__sim/faults` replaces the set), drawn
 * from one seeded stream of protel's own so a run replays (the kit's FaultState): outage (503 to
 * everything), a share of 5xx and of 429s, added latency, and lost answers.
 */
import { FaultState } from '../../simulator-kit/faults';

export type { FaultState };

const FAULT_SEED = 0x9a07e1;

export const protelFaults = (): FaultState => new FaultState(FAULT_SEED);
