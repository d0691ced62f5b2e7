import { type SimTarget, postToSimulator } from '../../lib/sim-client';

/** The bare-Temporal baseline's only activity: post the message to the simulator. */
export const createBareActivities = (target: SimTarget) => ({
  async postMessage(input: { to: string; body: string }): Promise<void> {
    await postToSimulator(target, input.to, input.body);
  },
});

export type BareActivities = ReturnType<typeof createBareActivities>;
