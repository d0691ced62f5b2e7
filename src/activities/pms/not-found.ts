import { ApplicationFailure } from '@temporalio/common';
import { pmsProblemOf } from '../../domain/pms/failures';

/** Adapters answer an unknown id with null or with a not-found failure; both mean "none". */
export async function orNull<T>(call: Promise<T | null>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApplicationFailure && pmsProblemOf(err.type) === 'not_found') return null;
    throw err;
  }
}
