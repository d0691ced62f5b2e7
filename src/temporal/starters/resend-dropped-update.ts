import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError, isGrpcServiceError } from '@temporalio/client';

const FAILED_PRECONDITION = 9;

/**
 * An update that arrives while other events do (a child's message completing) can ride a
 * workflow task whose commands the server then rejects, e.g. completing the workflow while a
 * new event is pending; the server drops the update with FAILED_PRECONDITION ("unexpected
 * workflow task failure"). It was not applied: for an idempotent update, send it again.
 */
export async function resendDroppedUpdate<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const dropped = err instanceof ServiceError && isGrpcServiceError(err.cause) && err.cause.code === FAILED_PRECONDITION;
      if (!dropped || attempt >= attempts) throw err;
      await sleep(50 * attempt);
    }
  }
}
