import type { Config } from '../config';
import type { Logger } from '../logger';
import { disabledMessage } from './load';
import type { LoadedModule } from './module';

/**
 * Start-up lines of a Relay process: one per module (live, demo or disabled), a warning for
 * each disabled one naming what would enable it, and a warning on every start while a
 * production build runs demo mode on RELAY_DEMO=true.
 */
export function logModuleStates(logger: Logger, config: Config, modules: readonly LoadedModule[]): void {
  for (const m of modules) {
    if (m.state.mode === 'disabled') logger.warn({ integration: m.name, missing: m.state.missing }, disabledMessage(m.name, m.state.missing));
    else logger.info({ integration: m.name, mode: m.state.mode }, `integration ${m.name}: ${m.state.mode}`);
  }
  if (config.demo.productionOptIn && modules.some((m) => m.state.mode === 'demo')) {
    logger.warn(
      { demo: modules.filter((m) => m.state.mode === 'demo').map((m) => m.name) },
      'RELAY_DEMO=true: integrations without credentials run in demo mode against simulators with public demo credentials — never do this with real data',
    );
  }
}
