/**
 * The protel simulator's public values: its port, where its synchronous endpoint lives, and the
 * article charges are posted with in its hotels. Hotel tokens are made per hotel by
 * `POST /__sim/hotels`; they guard nothing but a local simulator.
 */
export const PROTEL_SIMULATOR_DEFAULT_PORT = 4640;
export const PROTEL_SIMULATOR_PORT_VARIABLE = 'PROTEL_SIMULATOR_PORT';

/** protel I/O's synchronous endpoint (the real host and path are given by protel per integration). */
export const PROTEL_SYNC_PATH = '/io/sync';

/** The article (ItemID) the simulated hotels sell as "Extras", given as each hotel's `chargeItemId`. */
export const SIM_CHARGE_ITEM_ID = '5000';
