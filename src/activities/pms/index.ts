import { createArrivalActivities } from './arrivals';
import type { PmsActivityDeps } from './deps';
import { createDispatchActivities } from './dispatch';
import { createFetchActivities } from './fetch';
import { createScheduleActivities } from './schedules';
import { createWriteActivities } from './writes';

/** Activities of the `relay-pms` task queue. */
export function createPmsActivities(deps: PmsActivityDeps) {
  return {
    ...createFetchActivities(deps),
    ...createArrivalActivities(deps),
    ...createDispatchActivities(deps),
    ...createWriteActivities(deps),
    ...createScheduleActivities(deps),
  };
}

export type PmsActivities = ReturnType<typeof createPmsActivities>;
