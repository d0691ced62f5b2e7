import type { PrismaClient } from '../generated/prisma/client';
import { createAuditActivities } from './audit';

/** What the core activities touch, injected so tests can pass real but isolated resources. */
export interface ActivityDeps {
  prisma: PrismaClient;
}

/** Activities of the `relay-core` task queue. */
export function createCoreActivities(deps: ActivityDeps) {
  return {
    ...createAuditActivities(deps),
  };
}
