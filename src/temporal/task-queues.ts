/**
 * One task queue per concern: each gets its own worker pool and, later, its own
 * rate limits (Exact Online's and Twilio's budgets differ), so one slow vendor never
 * starves the others.
 */
export const TaskQueue = {
  core: 'relay-core',
  exactOnline: 'relay-exact-online',
  pms: 'relay-pms',
  notifications: 'relay-notifications',
} as const;

export type TaskQueueName = (typeof TaskQueue)[keyof typeof TaskQueue];
