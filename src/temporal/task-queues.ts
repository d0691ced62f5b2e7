import type { LoadedModule } from '../modules/module';

/**
 * Task queue names by key (`core`, `notifications`, …), one per queue a module declares:
 * each gets its own worker pool and limits (Exact Online's and Twilio's budgets differ), so
 * one slow vendor never starves the others.
 */
export type TaskQueues = Readonly<Record<string, string>>;

/** Production names of every module's queues, with overrides (tests run isolated workers on unique queues). */
export const resolveTaskQueues = (modules: readonly Pick<LoadedModule, 'queues'>[], overrides: Partial<Record<string, string>> = {}): TaskQueues =>
  Object.fromEntries(modules.flatMap((m) => m.queues.map((q) => [q.key, overrides[q.key] ?? q.name])));

/** The queue named `key`; a typo is a programming error, found by the first test that starts it. */
export function taskQueueOf(queues: TaskQueues, key: string): string {
  const name = queues[key];
  if (!name) throw new Error(`no task queue "${key}" (known: ${Object.keys(queues).join(', ')})`);
  return name;
}
