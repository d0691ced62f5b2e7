import { CONFIG_VARIABLES } from '../config';
import { companySyncModule } from './company-sync';
import { coreModule } from './core';
import type { RelayModule } from './module';
import { notificationsModule } from './notifications';
import { pmsModule } from './pms';

/**
 * Every integration module Relay runs: the one list the worker, the API, `npm start` and
 * the configuration checks iterate. Adding an integration is one line here (and one in
 * src/workflows/index.ts for its workflows); see README "Adding an integration".
 */
export const RELAY_MODULES: readonly RelayModule[] = [coreModule, notificationsModule, companySyncModule, pmsModule];

/** Every environment variable Relay reads: the core's and each module's section (for .env.example and compose checks). */
export const relayConfigVariables = (modules: readonly RelayModule[] = RELAY_MODULES): string[] => [...CONFIG_VARIABLES, ...modules.flatMap((m) => m.variables)];
