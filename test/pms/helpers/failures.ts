/** The failure a PMS adapter call raised, as activities hand it to Temporal. */
import { ApplicationFailure } from '@temporalio/common';

export async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}
