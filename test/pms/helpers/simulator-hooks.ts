/**
 * The life of a simulator in a block of PMS tests: started before the block's tests (or before
 * each), closed after them, and its faults switched off after each test where tests switch some
 * on, so that one test's outage never fails the next.
 */
import { type SimFaults, SimulatorControl } from '../../../src/integrations/pms/simulator-control';

export interface SimulatorHooks {
  /** Starts the block's simulator (and assigns the block's variables). */
  start(): Promise<unknown>;
  /** The simulator in use now: a test may have replaced the one started. */
  simulator(): { close(): Promise<void> };
  /** Start a simulator for each test rather than one for the block. */
  each?: boolean;
  /** The control whose faults are switched off after each test. */
  faultsOf?(): { setFaults(faults: SimFaults): Promise<unknown> };
}

export function simulatorHooks(hooks: SimulatorHooks): void {
  const [before, after] = hooks.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    await hooks.start();
  });
  after(async () => {
    await hooks.simulator().close();
  });
  const { faultsOf } = hooks;
  if (faultsOf) {
    afterEach(async () => {
      await faultsOf().setFaults({});
    });
  }
}

/** Simulators a block starts as its tests need them (`start()` one), all closed after the block. */
export function simulatorPool<S extends { close(): Promise<void> }>(startOne: () => Promise<S>): () => Promise<S> {
  const started: S[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
  });
  return async () => {
    const sim = await startOne();
    started.push(sim);
    return sim;
  };
}

/** A started simulator and the control protocol's client for it. */
export async function withControl<S extends { url: string }>(started: Promise<S>): Promise<{ sim: S; control: SimulatorControl }> {
  const sim = await started;
  return { sim, control: new SimulatorControl(sim.url) };
}
