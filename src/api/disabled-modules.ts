import { Router } from 'express';
import { disabledMessage } from '../modules/load';
import type { LoadedModule } from '../modules/module';
import { HttpError } from './http-errors';

/** A module without credentials in production: nothing is queued, the caller learns what to set. */
export class IntegrationDisabledError extends HttpError {
  readonly status = 503;
  readonly code = 'integration_disabled';
}

/**
 * What a disabled module's paths answer instead of its routes: 503 naming the missing
 * variables, for its API routes (after authentication) and for its vendor callbacks, which
 * are refused whatever their signature (a callback signed with a demo token must not count).
 */
export function disabledModuleRouters(modules: readonly LoadedModule[]): { routes: Router; webhooks: Router } {
  const routes = Router();
  const webhooks = Router();
  for (const m of modules) {
    if (m.state.mode !== 'disabled') continue;
    const { missing } = m.state;
    const refuse = () => {
      throw new IntegrationDisabledError(disabledMessage(m.name, missing), { integration: m.name, missing });
    };
    if (m.apiPaths.length) routes.use([...m.apiPaths], refuse);
    for (const vendor of m.webhookVendors) webhooks.use(`/v1/webhooks/${vendor}`, refuse);
  }
  return { routes, webhooks };
}
