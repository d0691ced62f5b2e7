import { FailureType } from '../../domain/failure-types';
import { CENSOR, type Logger } from '../../logger';
import { type Classifier, VendorHttpClient, type VendorHttpClientOptions } from '../http';
import { signWebhook } from './signature';

/**
 * A receiver is not a vendor with quirks, so the HTTP conventions hold with the scheme's
 * retry guidance: 2xx delivered; 410 Gone disables the endpoint; every other status (3xx
 * is not followed, 4xx may be a receiver mid-deployment or a key being rotated) is retried
 * on the schedule, which is bounded and ends in the endpoint being disabled.
 */
const classifyReceiver: Classifier = (answer) => {
  if (answer.status >= 200 && answer.status < 300) return { outcome: 'ok' };
  if (answer.status === 410) return { outcome: 'non-retryable', type: FailureType.NotFound, message: 'the receiver answered 410 Gone' };
  if (answer.status === 429) return { outcome: 'retryable', type: FailureType.VendorRateLimited, message: 'the receiver answered HTTP 429' };
  return { outcome: 'retryable', type: FailureType.VendorUnavailable, message: `the receiver answered HTTP ${answer.status}` };
};

/** Most of a receiver's answer Relay reads (only its status counts): the rest is discarded unread. */
export const RECEIVER_ANSWER_MAX_BYTES = 4 * 1024;

/**
 * Path segments shown in logs: short lowercase words and versions (`hooks`, `relay-events`,
 * `v1`); anything else (digits, capitals, a long run of letters) may be a token.
 */
const PLAIN_SEGMENT = /^(?=.{1,32}$)(?:[a-z]{1,16}(?:[._-][a-z]{1,16})*|v\d{1,2})$/;

/**
 * A receiver's URL as logs and failure messages show it: receivers often put a token in the
 * path or the query, so only the host and plain path words are kept
 * (`hooks.example.com/hooks/[redacted]?[redacted]`).
 */
export function redactReceiverUrl(url: URL): string {
  const path = url.pathname
    .split('/')
    .map((segment) => (segment === '' || PLAIN_SEGMENT.test(segment) ? segment : CENSOR))
    .join('/');
  return `${url.host}${path}${url.search ? `?${CENSOR}` : ''}`;
}

export interface SignedDelivery {
  url: string;
  /** The notification id: `webhook-id`, the same on every attempt. */
  id: string;
  /** Exactly the bytes to send and sign. */
  body: string;
  secret: string;
  timeoutMs: number;
  logger: Logger;
  signal?: AbortSignal;
  /** Opens the connection: in production one that refuses Relay's own network (`guardedAgent`). */
  dispatcher?: VendorHttpClientOptions['dispatcher'];
}

/**
 * POSTs one signed delivery. Resolves with the receiver's 2xx status; anything else throws the
 * HTTP wrapper's typed `ApplicationFailure` (its details carry the status and `Retry-After`);
 * an address the dispatcher refuses is a non-retryable `DestinationRefused`. Redirects are not
 * followed, at most {@link RECEIVER_ANSWER_MAX_BYTES} of the answer are read, and the URL is
 * logged redacted ({@link redactReceiverUrl}).
 */
export async function postSignedWebhook(delivery: SignedDelivery): Promise<{ status: number }> {
  const timestamp = Math.floor(Date.now() / 1000);
  const client = new VendorHttpClient({
    vendor: 'webhook',
    baseUrl: delivery.url,
    logger: delivery.logger,
    timeoutMs: delivery.timeoutMs,
    classify: classifyReceiver,
    dispatcher: delivery.dispatcher,
    redactUrl: redactReceiverUrl,
    maxResponseBytes: RECEIVER_ANSWER_MAX_BYTES,
  });
  const answer = await client.request({
    method: 'POST',
    path: delivery.url,
    body: delivery.body,
    parse: 'text',
    signal: delivery.signal,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Relay-Webhooks/1',
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, delivery.body),
    },
  });
  return { status: answer.status };
}
