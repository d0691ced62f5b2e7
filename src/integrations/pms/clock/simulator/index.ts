/** The Clock PMS+ simulator: started in process by tests and benchmarks, by `main.ts` in demo mode. */
export { type ClockExchange, createClockSimulator, type ClockSimulator, type ClockSimulatorOptions } from './server';
export { CLOCK_REALM } from './digest';
export { CLOCK_FIREWALL, CLOCK_LIMIT, userScope } from './limits';

export const CLOCK_SIMULATOR_DEFAULT_PORT = 4650;
export const CLOCK_SIMULATOR_PORT_VARIABLE = 'CLOCK_SIMULATOR_PORT';
