import type { PrismaClient } from '../generated/prisma/client';
import { createAuditActivities } from './audit';
import type { NotificationDeps } from './notifications';

/** Everything activities may touch, injected so tests can pass real but isolated resources. */
export interface ActivityDeps {
  prisma: PrismaClient;
  /** Present when this process serves notifications (Twilio live or demo). */
  notifications?: NotificationDeps;
}

/** Activities of the `relay-core` task queue. */
export function createCoreActivities(deps: ActivityDeps) {
  return {
    ...createAuditActivities(deps),
  };
}
