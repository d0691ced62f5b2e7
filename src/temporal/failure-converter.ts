import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces can quote customer data; moving them into an
 * (encrypted) payload keeps them out of Temporal's plaintext history too.
 * Loaded by path because workflow code runs in a sandbox.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
