/** The Mews Connector API simulator: started in process by tests and benchmarks, by `main.ts` in demo mode. */
export { createMewsSimulator, type MewsSimulator, type MewsSimulatorOptions } from './server';
export { tokenScope } from './limits';
export { DEMO_CLIENT_TOKEN, DEFAULT_LIMIT } from './wire';

export const MEWS_SIMULATOR_DEFAULT_PORT = 4610;
