import { createCoreActivities } from '../activities';
import { echoRouter, registerEchoOpenApi } from '../api/routes/echo';
import { defineModule } from './module';

export const CORE_QUEUE = 'core';

/** Relay's own work: the echo smoke workflow and the audit log, on `relay-core`. Needs no credentials. */
export const coreModule = defineModule<Record<string, never>>({
  name: 'core',
  variables: [],
  config: () => ({ mode: 'live', settings: {} }),
  queues: [{ key: CORE_QUEUE, name: 'relay-core', activities: ({ prisma }) => createCoreActivities({ prisma }), limits: { maxConcurrentActivityTaskExecutions: 50 } }],
  api: {
    paths: ['/v1/echo'],
    routers: ({ starter, webUiUrl }) => [echoRouter({ starter, webUiUrl })],
    openApi: registerEchoOpenApi,
  },
});
