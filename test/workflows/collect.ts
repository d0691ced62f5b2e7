import { condition, defineQuery, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

/**
 * A long-lived workflow for tests that signal, update and query a running workflow. Bundled
 * with production's recipe (interceptors, failure converter) through
 * `buildWorkflowBundle(undefined, path)` (see ./index.ts); never part of Relay's own bundle.
 */
export const addItem = defineSignal<[string]>('addItem');
export const finish = defineSignal('finish');
/** Has a validator: a refused update is rejected before it is accepted. */
export const addValidated = defineUpdate<number, [string]>('addValidated');
/** Has no validator: a refused update is accepted, then fails before its handler runs. */
export const addUnvalidated = defineUpdate<number, [string]>('addUnvalidated');
export const items = defineQuery<string[], [string]>('items');

export async function collectWorkflow(): Promise<string[]> {
  const collected: string[] = [];
  let done = false;
  const add = (item: string) => {
    if (typeof item !== 'string') throw new TypeError('item must be a string');
    collected.push(item);
    return collected.length;
  };
  setHandler(addItem, (item) => void add(item));
  setHandler(finish, () => void (done = true));
  setHandler(addValidated, add, {
    validator: (item) => {
      if (typeof item !== 'string') throw new TypeError('item must be a string');
    },
  });
  setHandler(addUnvalidated, add);
  setHandler(items, (prefix) => collected.filter((i) => i.startsWith(prefix)));
  await condition(() => done);
  return collected;
}
