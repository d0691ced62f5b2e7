import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { FailureType } from '../domain/failure-types';
import { describeUnencryptedArgs } from '../domain/unencrypted-payload';

/**
 * Strict payload mode for activities. Any workflow in the namespace, Relay's or not, can
 * schedule an activity on Relay's task queues; the worker's strict codec turns an input not
 * encrypted with a known key into a marker, and this refuses the attempt for good instead of
 * running the activity on it. Reacts to markers only, so it changes nothing in lenient mode.
 */
export const refuseUnencryptedActivityInputs: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const refused = describeUnencryptedArgs(input.args);
      if (refused) {
        throw ApplicationFailure.nonRetryable(
          `Activity ${ctx.info.activityType} refused: its input is not encrypted with a known key (${refused})`,
          FailureType.UnencryptedPayload,
        );
      }
      return next(input);
    },
  },
});
