import { ApplicationFailure } from '@temporalio/common';

/** Runs `fn`, expecting an ApplicationFailure, and returns it. */
export async function failureOf(fn: () => Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected an ApplicationFailure');
}
