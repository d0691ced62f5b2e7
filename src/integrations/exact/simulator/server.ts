/**
 * Starts the Exact Online simulator: an HTTP server speaking Exact's OAuth and REST endpoints (`url` replaces
 * https://start.exactonline.nl) plus the `/__sim` control API, and returns an in-process handle with the same
 * controls for tests and benchmarks running in the same process.
 */
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { apiRouter, type RouteState } from './api-routes';
import type { CallFilter, CallRecord } from './calls';
import { controlRouter } from './control-routes';
import { EXACT_DEMO_CLIENT_ID, EXACT_DEMO_CLIENT_SECRET } from './demo-data';
import { ExactEngine, type DivisionSpec, type DivisionStats, type ExactEngineOptions } from './engine';
import type { ExactFaults } from './faults';
import type { ExactLimits } from './limits';
import type { SimUser, TokenStats } from './oauth';
import { oauthRouter } from './oauth-routes';
import { seededRng } from './random';
import { generateAccounts } from './seed-data';
import { deletedJson, divisionJson, wireAccount, type DivisionView, type WireAccount, type WireDeleted } from './views';

export interface ExactSimulatorOptions extends Partial<Omit<ExactEngineOptions, 'divisions'>> {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The user's divisions (default 123456 and 234567); the first is `CurrentDivision`. */
  divisions?: Array<number | DivisionSpec>;
  /** Edits made "in Exact" by an office user while the simulator runs (demo mode): one every `everyMs`. */
  churn?: { everyMs: number; seed?: number };
}

export interface TokenAnswerBody {
  access_token: string;
  token_type: string;
  expires_in: string;
  refresh_token: string;
}

export interface ExactSimulator {
  /** Base URL to use instead of https://start.exactonline.nl. */
  url: string;
  /** Base URL of the control API (`/__sim`). */
  controlUrl: string;
  /** The express app (mountable elsewhere; already listening on `url`). */
  app: Express;
  clientId: string;
  clientSecret: string;
  user: SimUser;
  /** Direct access to the whole simulated state, for what the helpers below do not cover. */
  engine: ExactEngine;

  divisions(): DivisionView[];
  addDivision(code: number, description?: string): DivisionView;
  /** The division moves database: new DivisionMoveDate, timestamps renumbered from `timestampStart` (default 1000). */
  moveDivision(division: number, options?: { timestampStart?: bigint | number | string }): DivisionView;

  /** Every account of a division in Timestamp order, in wire form. */
  accounts(division: number): WireAccount[];
  account(division: number, id: string): WireAccount | undefined;
  /** Edits as an Exact user makes them in Exact (PascalCase fields, validated like the API; ID allowed on create). */
  createAccount(division: number, fields: Record<string, unknown>): WireAccount;
  updateAccount(division: number, id: string, fields: Record<string, unknown>): WireAccount | undefined;
  deleteAccount(division: number, id: string): WireDeleted | undefined;
  deleted(division: number): WireDeleted[];
  /** Adds `n` generated Dutch accounts (deterministic for `rngSeed`); returns how many. */
  seed(division: number, n: number, rngSeed?: number): number;

  /** A fresh grant without the browser step: the token endpoint's answer. */
  issueTokens(): TokenAnswerBody;
  /** Every access token issued so far stops working (refresh tokens keep working). */
  expireAccessTokens(): number;
  setAuthorizeDecision(decision: 'approve' | 'deny'): void;
  tokenStats(): TokenStats;

  faults(): ExactFaults;
  /** Merges into the current faults (a key set to null removes that fault); `expireTokens: true` expires every access token now. */
  setFaults(partial: ExactFaults & { expireTokens?: boolean }): ExactFaults;
  replaceFaults(faults: ExactFaults & { expireTokens?: boolean }): ExactFaults;
  clearFaults(): void;
  limits(): ExactLimits;
  setLimits(partial: Partial<ExactLimits>): ExactLimits;

  /** The simulator's clock (epoch ms). */
  now(): number;
  /** Moves the simulator's clock forward by `ms` (tokens, codes, rate windows and dates follow it). */
  advanceClock(ms: number): number;

  calls(filter?: CallFilter): CallRecord[];
  callCount(filter?: CallFilter): number;
  stats(): { calls: number; tokens: TokenStats; divisions: DivisionStats[] };

  /** Back to the start state (accounts re-seeded as configured, tokens and calls forgotten, clock reset). */
  reset(): void;
  close(): Promise<void>;
}

export const DEFAULT_DIVISIONS = [123456, 234567];

export async function createExactSimulator(options: ExactSimulatorOptions = {}): Promise<ExactSimulator> {
  const engineOptions: ExactEngineOptions = {
    ...options,
    clientId: options.clientId ?? EXACT_DEMO_CLIENT_ID,
    clientSecret: options.clientSecret ?? EXACT_DEMO_CLIENT_SECRET,
    divisions: options.divisions ?? DEFAULT_DIVISIONS,
  };
  const engine = new ExactEngine(engineOptions);
  const state: RouteState = { held: new Set<ServerResponse>(), timers: new Set<NodeJS.Timeout>() };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let url = '';
  const info = () => ({
    simulator: 'Exact Online',
    url,
    clientId: engineOptions.clientId,
    user: engine.user,
    divisions: engine.divisionCodes().map((code) => divisionJson(engine.division(code).info)),
    accounts: Object.fromEntries(engine.divisionCodes().map((code) => [code, engine.division(code).accounts.size])),
    now: engine.clock.now(),
    clockOffsetMs: engine.clock.offset(),
    limits: engine.limits(),
    faults: engine.faults.get(),
    calls: engine.calls.count(),
  });
  app.use('/__sim', controlRouter(engine, info));
  app.use(oauthRouter(engine, state));
  app.use(apiRouter(engine, state));
  app.get('/', (_req, res) => {
    res.type('text/plain').send(`Exact Online simulator. REST API under /api/v1, OAuth under /api/oauth2, controls under /__sim.\n`);
  });

  const host = options.host ?? '127.0.0.1';
  const server: Server = app.listen(options.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let churnTimer: NodeJS.Timeout | undefined;
  if (options.churn !== undefined && options.churn.everyMs > 0) {
    const rng = seededRng(options.churn.seed ?? 7);
    churnTimer = setInterval(() => churnOnce(engine, rng), options.churn.everyMs);
    churnTimer.unref();
  }

  let closed: Promise<void> | null = null;
  return {
    url,
    controlUrl: `${url}/__sim`,
    app,
    clientId: engineOptions.clientId,
    clientSecret: engineOptions.clientSecret,
    user: engine.user,
    engine,
    divisions: () => engine.divisionCodes().map((code) => divisionJson(engine.division(code).info)),
    addDivision: (code, description) => divisionJson(engine.addDivision({ code, ...(description === undefined ? {} : { description }) }).info),
    moveDivision: (division, opts) => divisionJson(engine.moveDivision(division, opts)),
    accounts: (division) => engine.division(division).rowsByTimestamp().map(wireAccount),
    account: (division, id) => {
      const row = engine.division(division).get(id.toLowerCase());
      return row === undefined ? undefined : wireAccount(row);
    },
    createAccount: (division, fields) => wireAccount(engine.userCreate(division, fields)),
    updateAccount: (division, id, fields) => {
      const row = engine.userUpdate(division, id, fields);
      return row === undefined ? undefined : wireAccount(row);
    },
    deleteAccount: (division, id) => {
      const row = engine.userDelete(division, id);
      return row === undefined ? undefined : deletedJson(row);
    },
    deleted: (division) => engine.division(division).deleted.map(deletedJson),
    seed: (division, n, rngSeed) => engine.seed(division, n, rngSeed).length,
    issueTokens: () => engine.oauth.grantDirectly(),
    expireAccessTokens: () => engine.oauth.expireAccessTokens(),
    setAuthorizeDecision: (decision) => {
      engine.oauth.decision = decision;
    },
    tokenStats: () => engine.oauth.tokenStats(),
    faults: () => engine.faults.get(),
    setFaults: (partial) => engine.applyFaults(partial, 'merge'),
    replaceFaults: (faults) => engine.applyFaults(faults, 'replace'),
    clearFaults: () => void engine.faults.replace({}),
    limits: () => engine.limits(),
    setLimits: (partial) => engine.setLimits(partial),
    now: () => engine.clock.now(),
    advanceClock: (ms) => engine.clock.advance(ms),
    calls: (filter) => engine.calls.list(filter),
    callCount: (filter) => engine.calls.count(filter),
    stats: () => ({ calls: engine.calls.count(), tokens: engine.oauth.tokenStats(), divisions: engine.divisionStats() }),
    reset: () => engine.reset(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        if (churnTimer !== undefined) clearInterval(churnTimer);
        for (const t of state.timers) clearTimeout(t);
        state.timers.clear();
        for (const res of state.held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** One edit an office user makes in Exact: mostly updates, some creates, a few deletes (demo mode's background churn). */
function churnOnce(engine: ExactEngine, rng: ReturnType<typeof seededRng>): void {
  const divisions = engine.divisionCodes();
  const division = rng.pick(divisions);
  const d = engine.division(division);
  const r = rng.next();
  const rows = d.rowsById();
  if (r < 0.25 || rows.length === 0) {
    engine.seed(division, 1, rng.int(1, 1_000_000));
    return;
  }
  const id = rng.pick(rows).ID as string;
  if (r < 0.32) {
    engine.userDelete(division, id);
    return;
  }
  const [fresh] = generateAccounts(rng, 1);
  const change = rng.pick(['phone', 'address', 'name', 'kvk'] as const);
  const fields: Record<string, unknown> =
    change === 'phone'
      ? { Phone: fresh!.Phone ?? `020-${rng.int(1000000, 9999999)}` }
      : change === 'address'
        ? { AddressLine1: fresh!.AddressLine1, Postcode: fresh!.Postcode, City: fresh!.City }
        : change === 'name'
          ? { Name: `${String(d.get(id)!.Name).replace(/ \(\d+\)$/, '')} (${rng.int(2, 9)})` }
          : { ChamberOfCommerce: fresh!.ChamberOfCommerce };
  engine.userUpdate(division, id, fields);
}
