import type { TaskQueues } from './task-queues';
import type { RelaySchedule } from './schedules';

/**
 * Every Temporal Schedule Relay owns; integrations add theirs here. Ids are stable: the
 * worker reconciles them at every start (`ensureSchedules`).
 */
export function relaySchedules(_queues: TaskQueues): RelaySchedule[] {
  return [];
}
