/**
 * Twilio REST error codes the simulator produces, with the HTTP status Twilio pairs them with.
 * Message texts follow Twilio's wording closely; clients should branch on `code`, never on text.
 */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
  detail?: string;
}

export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly detail?: string,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }

  toBody(): TwilioErrorBody {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}

export const twilioErrors = {
  authenticate: () => new TwilioApiError(401, 20003, 'Authenticate', 'Your AccountSid or AuthToken was incorrect.'),
  notFound: (uri: string) => new TwilioApiError(404, 20404, `The requested resource ${uri} was not found`),
  tooManyRequests: (retryAfterSeconds: number) =>
    new TwilioApiError(429, 20429, 'Too Many Requests', undefined, { 'Retry-After': String(retryAfterSeconds) }),
  internal: (status: number) =>
    status === 503
      ? new TwilioApiError(503, 20503, 'Service Unavailable')
      : new TwilioApiError(status, 20500, 'An internal server error has occurred'),
  invalidParameter: (name: string) => new TwilioApiError(400, 20001, `Invalid value for ${name}`),
  toRequired: () => new TwilioApiError(400, 21604, "A 'To' phone number is required."),
  fromRequired: () => new TwilioApiError(400, 21603, "A 'From' phone number is required."),
  bodyRequired: () => new TwilioApiError(400, 21602, 'Message body is required.'),
  bodyTooLong: () => new TwilioApiError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.'),
  invalidTo: (to: string) => new TwilioApiError(400, 21211, `The 'To' number ${to} is not a valid phone number.`),
  invalidFrom: (from: string) =>
    new TwilioApiError(400, 21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`),
  channelMismatch: () => new TwilioApiError(400, 21910, 'Invalid From and To pair. From and To should be of the same channel'),
  unsubscribed: () => new TwilioApiError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  invalidStatusCallback: () => new TwilioApiError(400, 21609, 'Invalid StatusCallback url'),
  invalidContentVariables: () => new TwilioApiError(400, 21656, 'The ContentVariables Parameter is invalid.'),
} as const;

/** Errors that only appear later, on the message resource and in its status callback. */
export const asyncErrors = {
  outsideSessionWindow: {
    code: 63016,
    message:
      'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  },
  unreachable: { code: 30003, message: 'Unreachable destination handset' },
} as const;

export type AsyncError = (typeof asyncErrors)[keyof typeof asyncErrors];
