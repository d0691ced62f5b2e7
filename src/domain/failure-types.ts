/**
 * Names of the failures Relay's activities raise (`ApplicationFailure.type`) and its
 * workflows branch on. Workflow code imports this module inside Temporal's sandbox, so it
 * must import nothing.
 */
export const FailureType = {
  /** The vendor throttled us (HTTP 429); retry after the delay it named. */
  VendorRateLimited: 'VendorRateLimited',
  /** The vendor is down or failing (5xx, maintenance, connection refused); retry. */
  VendorUnavailable: 'VendorUnavailable',
  /** No answer in time before the request could have reached the vendor; retry. */
  VendorTimeout: 'VendorTimeout',
  /**
   * The request may have reached the vendor but no complete answer came back (timeout or
   * connection lost after sending). A non-idempotent caller looks the result up before
   * sending again.
   */
  VendorOutcomeUnknown: 'VendorOutcomeUnknown',
  /**
   * Credentials refused. Not listed as non-retryable: for some vendors (Exact Online) it
   * means "refresh the token and try again", so each failure carries its own flag.
   */
  VendorAuthFailed: 'VendorAuthFailed',
  /** The vendor refused the request itself (4xx, validation, business rule). */
  VendorRejected: 'VendorRejected',
  /** The recipient's address is not valid (Twilio 21211). */
  RecipientInvalid: 'RecipientInvalid',
  /** The recipient opted out (Twilio 21610, an inbound STOP); only an opt-in lifts it. */
  RecipientOptedOut: 'RecipientOptedOut',
  /** The vendor accepted the message but reported it failed or undelivered (e.g. Twilio 63016). */
  DeliveryFailed: 'DeliveryFailed',
  /** Relay's own configuration lacks something this needs (an encryption key); retried, so fixing it lets the work through. */
  Misconfigured: 'Misconfigured',
  /** Relay's own input is invalid. */
  InvalidInput: 'InvalidInput',
  /**
   * Relay refused to connect: the destination someone else chose (a webhook receiver's host)
   * is or resolves to an address of Relay's own network (loopback, private, metadata service).
   */
  DestinationRefused: 'DestinationRefused',
  /** The thing asked for does not exist. */
  NotFound: 'NotFound',
  /** The data conflicts with what is there and needs a decision, not a retry. */
  Conflict: 'Conflict',
  /**
   * Strict payload mode refused an input that is not encrypted with one of Relay's keys:
   * someone reached Temporal directly, bypassing Relay.
   */
  UnencryptedPayload: 'UnencryptedPayload',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/**
 * Types that are never worth retrying, whatever the individual failure says. Meant for
 * `RetryPolicy.nonRetryableErrorTypes` of activities.
 */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureTypeName[] = [
  FailureType.VendorRejected,
  FailureType.RecipientInvalid,
  FailureType.RecipientOptedOut,
  FailureType.DeliveryFailed,
  FailureType.InvalidInput,
  FailureType.DestinationRefused,
  FailureType.NotFound,
  FailureType.Conflict,
  FailureType.UnencryptedPayload,
];

export function isNonRetryableFailureType(type: string | null | undefined): boolean {
  return (NON_RETRYABLE_FAILURE_TYPES as readonly string[]).includes(type ?? '');
}
