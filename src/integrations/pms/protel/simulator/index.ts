export { PROTEL_SIMULATOR_DEFAULT_PORT, PROTEL_SIMULATOR_PORT_VARIABLE, PROTEL_SYNC_PATH, SIM_CHARGE_ITEM_ID } from './demo';
export { tokenScope } from './limits';
export { type ProtelSimulator, type ProtelSimulatorOptions, type SimExchange, startProtelSimulator } from './server';
