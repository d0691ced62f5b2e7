import type { Client } from '@temporalio/client';
import type { SecretSealer } from '../../db/sealed-secrets';
import type { PrismaClient } from '../../generated/prisma/client';
import type { VendorHttpClientOptions } from '../../integrations/http';
import type { Logger } from '../../logger';

/** What the notification activities need from Twilio (the adapter in src/integrations/twilio). */
export interface TwilioMessaging {
  createMessage(
    request: { to: string; from: string; body?: string; contentSid?: string; contentVariables?: Record<string, string>; statusCallback?: string },
    signal?: AbortSignal,
  ): Promise<{ sid: string; status: string }>;
  /** Outbound messages of a sender to a recipient created in a time span, oldest first (see `TwilioClient`). */
  findSentMessages(
    query: { to: string; from: string; body?: string; since: Date; until?: Date; excludeSids: string[] },
    signal?: AbortSignal,
  ): Promise<Array<{ sid: string; status: string }>>;
  /** The message as Twilio has it now (its status, and error code once it failed). */
  fetchMessage(sid: string, signal?: AbortSignal): Promise<{ sid: string; status: string; errorCode: number | null }>;
  /** Milliseconds since this process last called Twilio (Infinity before the first call). */
  idleMs(now?: number): number;
  /** Opens a connection to Twilio ahead of a send (a cheap read). */
  warmUp(signal?: AbortSignal): Promise<void>;
  /** How long a call may take before it is abandoned: a request in flight reaches Twilio within it or never. */
  readonly requestTimeoutMs: number;
  /** How long Twilio's message list may take to show a message it created. */
  readonly listSettleMs: number;
}

export interface Sender {
  channel: 'sms' | 'whatsapp';
  /** Exactly what Twilio takes as `From` (`+15005550006`, `whatsapp:+14155238886`). */
  address: string;
  ratePerSecond: number;
}

export interface NotificationDeps {
  prisma: PrismaClient;
  logger: Logger;
  twilio: TwilioMessaging;
  senders: readonly Sender[];
  /** Where Twilio posts status callbacks for a notification (signed URL, see the API route). */
  statusCallbackUrl: (notificationId: string) => string;
  /** Opens webhook endpoints' signing secrets, stored sealed. */
  secrets: SecretSealer;
  /** Opens connections to webhook receivers: refuses Relay's own network (see `guardedAgent`). */
  webhookDispatcher: NonNullable<VendorHttpClientOptions['dispatcher']>;
  /** Longest a send may wait inside its activity for the sender's next slot; longer waits become durable timers. */
  maxInlineRateWaitMs: number;
  /** The worker's Temporal client: the purge asks it whether a row's workflow still runs. */
  temporal?: Pick<Client, 'workflow'>;
}
