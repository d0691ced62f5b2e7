/**
 * One task queue per concern: each gets its own worker pool and limits (Exact Online's
 * and Twilio's budgets differ), so one slow vendor never starves the others.
 */
export const TaskQueue = {
  core: 'relay-core',
  exactOnline: 'relay-exact-online',
  pms: 'relay-pms',
  notifications: 'relay-notifications',
} as const;

export type TaskQueues = Record<keyof typeof TaskQueue, string>;

/** Production names, with overrides (tests run isolated workers on unique queues). */
export const resolveTaskQueues = (overrides: Partial<TaskQueues> = {}): TaskQueues => ({ ...TaskQueue, ...overrides });
