import type { Client } from '@temporalio/client';
import type { EncryptionKey } from '../../config';
import { createSecretSealer } from '../../db/sealed-secrets';
import { statusCallbackUrl } from '../../domain/notifications';
import type { PrismaClient } from '../../generated/prisma/client';
import { type EgressPolicy, type Resolver, guardedAgent } from '../../integrations/http';
import { TwilioClient } from '../../integrations/twilio/client';
import type { TwilioConfig } from '../../integrations/twilio/config';
import type { Logger } from '../../logger';
import type { NotificationDeps } from './deps';

/**
 * The notification activities' dependencies for one process, from its configuration: the
 * same code talks to real Twilio (live) or the local simulator (demo).
 */
export function createNotificationDeps(options: {
  prisma: PrismaClient;
  logger: Logger;
  twilio: TwilioConfig;
  callbackBaseUrl: string;
  /** Relay's encryption keys: they open the sealed webhook secrets. */
  encryptionKeys: readonly EncryptionKey[];
  /**
   * Which addresses webhook deliveries may connect to: internal ones only outside production
   * (default: none). `resolve` replaces DNS (tests).
   */
  webhookEgress?: EgressPolicy & { resolve?: Resolver };
  maxInlineRateWaitMs?: number;
  /** The worker's client (see `NotificationDeps.temporal`). */
  temporal?: Pick<Client, 'workflow'>;
}): NotificationDeps {
  const logger = options.logger.child({ integration: 'notifications' });
  return {
    prisma: options.prisma,
    logger,
    twilio: new TwilioClient({ config: options.twilio, logger }),
    senders: options.twilio.senders,
    statusCallbackUrl: (id) => statusCallbackUrl(options.callbackBaseUrl, id),
    secrets: createSecretSealer(options.encryptionKeys),
    webhookDispatcher: guardedAgent({ allowInternal: options.webhookEgress?.allowInternal ?? false }, options.webhookEgress?.resolve),
    // Below 80% of the 10 s workflow task timeout: a local activity running longer makes the
    // worker heartbeat the task, one more workflow task per waiting message.
    maxInlineRateWaitMs: options.maxInlineRateWaitMs ?? 5_000,
    temporal: options.temporal,
  };
}
