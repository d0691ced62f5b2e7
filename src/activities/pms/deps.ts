import type { PrismaClient } from '../../generated/prisma/client';
import type { Logger } from '../../logger';
import type { PmsSettings } from '../../modules/pms/config';
import type { StarterContext } from '../../temporal/starters/context';
import type { NotificationStarterContext } from '../../temporal/starters/notification';
import type { PmsRuntime } from './adapter-runtime';

/** Everything the PMS activities use, built once per worker (src/modules/pms). */
export interface PmsActivityDeps {
  prisma: PrismaClient;
  logger: Logger;
  settings: PmsSettings;
  runtime: PmsRuntime;
  /** Starts notifications (welcome messages, subscribers' webhooks) as their own workflows; undefined while that module is disabled. */
  notifications: () => NotificationStarterContext | undefined;
  /** The worker's Temporal client and task queues (schedule reconciliation). */
  starter: () => StarterContext | undefined;
}
