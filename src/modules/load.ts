import { type Config, ConfigError } from '../config';
import type { LoadedModule, RelayModule } from './module';

/**
 * Loads every module's configuration section at once, so a bad start-up names every problem
 * in one list, and checks that no two modules claim the same name, queue, path or callback.
 */
export function loadModules(modules: readonly RelayModule[], core: Config, env: NodeJS.ProcessEnv = process.env): LoadedModule[] {
  const problems: string[] = [];
  const loaded: LoadedModule[] = [];
  for (const module of modules) {
    try {
      loaded.push(module.load(env, core));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  assertDistinct('module name', loaded.map((m) => m.name));
  assertDistinct('task queue', loaded.flatMap((m) => m.queues.map((q) => q.key)));
  assertDistinct('task queue', loaded.flatMap((m) => m.queues.map((q) => q.name)));
  assertDistinct('API path', loaded.flatMap((m) => m.apiPaths));
  assertDistinct('webhook vendor', loaded.flatMap((m) => m.webhookVendors));
  return loaded;
}

function assertDistinct(what: string, values: string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`two integration modules declare the ${what} "${v}"`);
    seen.add(v);
  }
}

export const disabledMessage = (name: string, missing: readonly string[]) =>
  `The ${name} integration is disabled: it has no credentials in this production deployment. Set ${missing.join(', ')} to enable it.`;
