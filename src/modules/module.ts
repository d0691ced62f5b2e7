import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { RequestHandler, Router } from 'express';
import type { OperatorSessions } from '../api/session';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { RelaySchedule } from '../temporal/schedules';
import type { StarterContext } from '../temporal/starters/context';
import type { TaskQueues } from '../temporal/task-queues';

/**
 * An integration module: everything the rest of Relay needs from one job (notifications,
 * company sync, PMS), declared in one place. The worker, the API, `npm start` and the
 * configuration checks iterate the registry (`src/modules/index.ts`) and never name a job.
 */

/** What a module's configuration section found in the environment. */
export type SectionResult<S> =
  /** Credentials are configured: Relay talks to the real vendor. */
  | { mode: 'live'; settings: S }
  /**
   * No credentials: the settings demo mode would use (local simulators, public demo values),
   * and the variables that would make it live. Whether demo mode may run is Relay's rule, not
   * the module's (see `loadModules`).
   */
  | { mode: 'unconfigured'; missing: readonly string[]; demo: S };

export type ModuleState = { mode: 'live' | 'demo' } | { mode: 'disabled'; missing: readonly string[] };

/** What every part of a running module gets. */
export interface ModuleContext<S> {
  core: Config;
  settings: S;
  mode: 'live' | 'demo';
  prisma: PrismaClient;
  logger: Logger;
  /** The process's Temporal client, where it has one (the worker's activities ask it how a workflow stands). */
  temporal?: Client;
  /** This deployment's task queue names, where workflows are started from activities. */
  taskQueues?: TaskQueues;
}

export interface ApiContext<S> extends ModuleContext<S> {
  temporal: Client;
  /** The client and this deployment's task queue names, for typed starters. */
  starter: StarterContext;
  /** The Web UI page of a workflow. */
  webUiUrl: (workflowId: string) => string;
  /** Test hook: kills the process at a named point of a request (see src/api/server.ts). */
  crashPoint?: (name: string) => void;
}

export type QueueLimits = Pick<
  WorkerOptions,
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  /** Vendor budget across all workers of this queue (the last poller to start sets it). */
  | 'maxTaskQueueActivitiesPerSecond'
  | 'maxActivitiesPerSecond'
  | 'maxCachedWorkflows'
>;

/**
 * One task queue: its activities and the limits that protect its vendor. Every queue also
 * hosts all workflows (one shared bundle), so a workflow runs on the queue of the vendor it serves.
 */
export interface QueueSpec<S> {
  /** How starters and schedules name it (`taskQueueOf(queues, key)`). */
  key: string;
  /** The Temporal task queue in production. */
  name: string;
  activities: (ctx: ModuleContext<S>) => object;
  limits?: QueueLimits;
}

/** What browser-facing routers get besides the API's context: the operator sessions and the per-address limit. */
export interface BrowserContext<S> extends ApiContext<S> {
  sessions: OperatorSessions;
  rateLimit: RequestHandler;
}

/** A local stand-in for a vendor that demo mode starts (`npm start`, the compose `demo` profile). */
export interface SimulatorSpec {
  /** Shown in start-up lines, e.g. "Twilio simulator". */
  name: string;
  /** Its entry point, relative to the repository root (run with Node.js through tsx). */
  entry: string;
  args: string[];
  port: number;
  /** How to move it when the port is taken, e.g. "set TWILIO_SIMULATOR_PORT to another port". */
  portHint: string;
  /** Where Relay reaches it; `npm start` waits until it answers. */
  url: string;
}

/** A caller of Relay's own API with a service key, for demo seeds. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<boolean>;

export interface ModuleSpec<S> {
  /** Lower-case, stable: logs, metrics, the `RelayIntegration` search attribute, /readyz. */
  name: string;
  /** Every environment variable its section reads (checked against .env.example and docker-compose). */
  variables: readonly string[];
  /** Parses its section; a bad value throws a ConfigError naming the variable. */
  config: (env: NodeJS.ProcessEnv, core: Config) => SectionResult<S>;
  queues: ReadonlyArray<QueueSpec<S>>;
  api?: {
    /** Path prefixes its routers own: while the module is disabled they answer 503. */
    paths: readonly string[];
    routers: (ctx: ApiContext<S>) => Router[];
    /**
     * Pages an operator's browser reaches (an OAuth callback, admin pages): mounted before
     * API-key authentication, each authenticating itself (operator session, OAuth state).
     */
    browserRouters?: (ctx: BrowserContext<S>) => Router[];
    openApi: (registry: OpenAPIRegistry) => void;
  };
  /** Vendor callbacks, each mounted at `/v1/webhooks/<vendor>`: signature-authenticated, never rate limited. */
  webhooks?: ReadonlyArray<{ vendor: string; router: (ctx: ApiContext<S>) => Router }>;
  /** Its Temporal Schedules, reconciled by the worker at every start. */
  schedules?: (ctx: { core: Config; settings: S; taskQueues: TaskQueues }) => RelaySchedule[];
  /** Extra `/readyz` probes (each resolves when healthy). */
  readiness?: (ctx: ModuleContext<S>) => Record<string, () => Promise<unknown>>;
  /** Domain metrics on the API's Prometheus registry. */
  metrics?: (registry: Registry, ctx: ModuleContext<S>) => void;
  demo?: {
    simulators: (settings: S) => SimulatorSpec[];
    /** Once the API is ready: point the simulators at Relay and create demo data; returns what it made. */
    seed?: (ctx: { core: Config; settings: S; api: ApiCall }) => Promise<string[]>;
    /** Lines for `npm start`'s banner (where to look, what to try). */
    banner?: (ctx: { core: Config; settings: S; keyName: string }) => string[];
  };
  /** `npm start`'s banner line for live mode, e.g. where messages go. */
  liveBanner?: (settings: S) => string;
}

/** A module whose configuration is loaded; its parts close over its settings. */
export interface LoadedModule {
  readonly name: string;
  readonly state: ModuleState;
  readonly queues: ReadonlyArray<Pick<QueueSpec<unknown>, 'key' | 'name' | 'limits'>>;
  readonly apiPaths: readonly string[];
  readonly webhookVendors: readonly string[];
  readonly variables: readonly string[];
  registerOpenApi(registry: OpenAPIRegistry): void;
  /** The parts below exist only while the module is enabled (live or demo). */
  enabled?: EnabledParts;
}

export interface EnabledParts {
  activities(queueKey: string, deps: RuntimeDeps): object;
  routers(deps: ApiDeps): Router[];
  browserRouters(deps: ApiDeps & { sessions: OperatorSessions; rateLimit: RequestHandler }): Router[];
  webhookRouters(deps: ApiDeps): Array<{ vendor: string; router: Router }>;
  schedules(taskQueues: TaskQueues): RelaySchedule[];
  readiness(deps: RuntimeDeps): Record<string, () => Promise<unknown>>;
  metrics(registry: Registry, deps: RuntimeDeps): void;
  simulators(): SimulatorSpec[];
  seed(api: ApiCall): Promise<string[]>;
  banner(keyName: string): string[];
}

export type RuntimeDeps = Pick<ModuleContext<unknown>, 'prisma' | 'logger' | 'temporal' | 'taskQueues'>;
export type ApiDeps = Omit<ApiContext<unknown>, 'core' | 'settings' | 'mode'>;

/** Something a registry can hold: a spec whose settings type is hidden behind `load`. */
export interface RelayModule {
  readonly name: string;
  readonly variables: readonly string[];
  load(env: NodeJS.ProcessEnv, core: Config): LoadedModule;
}

/**
 * Demo mode is for development: without credentials a module runs against its simulators
 * unless this is a production build, where it is disabled (queue not served, routes 503,
 * callbacks refused) — or, on the explicit opt-in RELAY_DEMO=true, runs demo with a warning.
 */
export function defineModule<S>(spec: ModuleSpec<S>): RelayModule {
  return {
    name: spec.name,
    variables: spec.variables,
    load(env, core) {
      const section = spec.config(env, core);
      const base = {
        name: spec.name,
        queues: spec.queues.map(({ key, name, limits }) => ({ key, name, limits })),
        apiPaths: spec.api?.paths ?? [],
        webhookVendors: (spec.webhooks ?? []).map((w) => w.vendor),
        variables: spec.variables,
        registerOpenApi: (registry: OpenAPIRegistry) => spec.api?.openApi(registry),
      };
      if (section.mode === 'unconfigured' && !core.demo.allowed) {
        return { ...base, state: { mode: 'disabled', missing: section.missing } };
      }
      const mode = section.mode === 'live' ? 'live' : 'demo';
      const settings = section.mode === 'live' ? section.settings : section.demo;
      return { ...base, state: { mode }, enabled: enabledParts(spec, core, settings, mode) };
    },
  };
}

function enabledParts<S>(spec: ModuleSpec<S>, core: Config, settings: S, mode: 'live' | 'demo'): EnabledParts {
  const ctx = (deps: RuntimeDeps): ModuleContext<S> => ({
    core,
    settings,
    mode,
    prisma: deps.prisma,
    logger: deps.logger.child({ integration: spec.name }),
    temporal: deps.temporal,
    taskQueues: deps.taskQueues,
  });
  const apiCtx = (deps: ApiDeps): ApiContext<S> => ({ ...deps, ...ctx(deps), temporal: deps.temporal });
  return {
    activities(queueKey, deps) {
      const queue = spec.queues.find((q) => q.key === queueKey);
      if (!queue) throw new Error(`module ${spec.name} has no queue ${queueKey}`);
      return queue.activities(ctx(deps));
    },
    routers: (deps) => spec.api?.routers(apiCtx(deps)) ?? [],
    browserRouters: (deps) => spec.api?.browserRouters?.({ ...apiCtx(deps), sessions: deps.sessions, rateLimit: deps.rateLimit }) ?? [],
    webhookRouters: (deps) => (spec.webhooks ?? []).map((w) => ({ vendor: w.vendor, router: w.router(apiCtx(deps)) })),
    schedules: (taskQueues) => spec.schedules?.({ core, settings, taskQueues }) ?? [],
    readiness: (deps) => spec.readiness?.(ctx(deps)) ?? {},
    metrics: (registry, deps) => spec.metrics?.(registry, ctx(deps)),
    simulators: () => (mode === 'demo' ? (spec.demo?.simulators(settings) ?? []) : []),
    seed: async (api) => (mode === 'demo' && spec.demo?.seed ? spec.demo.seed({ core, settings, api }) : []),
    banner: (keyName) =>
      mode === 'demo' ? (spec.demo?.banner?.({ core, settings, keyName }) ?? []) : spec.liveBanner ? [spec.liveBanner(settings)] : [],
  };
}
