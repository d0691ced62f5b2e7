/**
 * Starts the Twilio simulator: an HTTP server speaking Twilio's Messages API (`url` replaces
 * https://api.twilio.com) plus the `/__sim` control API, and an in-process handle with the same controls.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { apiRouter } from './api-routes';
import { controlRouter } from './control-routes';
import { SimulatorEngine, type SenderRateReport, type SimulatorState } from './engine';
import type { ApiOperation, FaultKind, TwilioFaults } from './faults';
import type { CallbackBehaviour } from './lifecycle';
import type { SimMessage } from './model';
import type { WebhookAttempt } from './webhook-client';

export interface TwilioSimulatorOptions extends SimulatorState {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** `AC` + 32 hex; generated when absent. */
  accountSid?: string;
  /** 32 hex; generated when absent. Also the key of X-Twilio-Signature on callbacks. */
  authToken?: string;
  /** API keys that authenticate as the account (`SK…` / secret); one is generated when absent. */
  apiKeys?: Array<{ sid: string; secret: string }>;
  /** Seed of the fault and callback randomness (same seed, same sequence of draws). */
  seed?: number;
}

export interface TwilioSimulator {
  /** Base URL to use instead of https://api.twilio.com. */
  url: string;
  /** Base URL of the control API (`/__sim`). */
  controlUrl: string;
  accountSid: string;
  authToken: string;
  apiKey: { sid: string; secret: string };
  /** Accepted messages, oldest first (copies). */
  messages(filter?: { to?: string; from?: string; sender?: string }): SimMessage[];
  message(sid: string): SimMessage | undefined;
  /** Groups of messages sharing a key (default recipient + body). */
  duplicates(key?: (m: SimMessage) => string | null): Array<{ key: string; sids: string[] }>;
  /** Every webhook attempt made (status callbacks and inbound messages), in order. */
  callbacks(filter?: { messageSid?: string }): WebhookAttempt[];
  faults(): TwilioFaults;
  setFaults(partial: Partial<TwilioFaults>): TwilioFaults;
  /** No faults at all (defaults: no errors, no latency, unlimited sender rates). */
  clearFaults(): void;
  /** The next `count` calls of `on` (default creates) get `kind`, before any random draw. */
  forceNext(kind: FaultKind, count?: number, on?: ApiOperation): void;
  callbackBehaviour(): CallbackBehaviour;
  setCallbackBehaviour(partial: Partial<CallbackBehaviour>): CallbackBehaviour;
  optOut(address: string): void;
  optIn(address: string): void;
  optedOut(): string[];
  openSession(address: string, openedAt?: Date): void;
  closeSession(address: string): void;
  markUnreachable(address: string): void;
  markReachable(address: string): void;
  /** A recipient sends a message to the account (STOP/START keywords, WhatsApp window). */
  inbound(input: { from: string; to: string; body: string }): { sid: string; optOutType: 'STOP' | 'START' | 'HELP' | null };
  setInboundWebhookUrl(url: string | null): void;
  rateStats(by?: 'dispatched' | 'received'): SenderRateReport[];
  /** Resolves once every scheduled status change and callback has happened. */
  idle(): Promise<void>;
  /** Back to the start state: no messages or callbacks, initial faults, opt-outs and sessions. */
  reset(): void;
  stop(): Promise<void>;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export async function startTwilioSimulator(options: TwilioSimulatorOptions = {}): Promise<TwilioSimulator> {
  const accountSid = options.accountSid ?? `AC${hex(16)}`;
  const authToken = options.authToken ?? hex(16);
  const apiKeys = options.apiKeys ?? [{ sid: `SK${hex(16)}`, secret: hex(16) }];
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new RangeError('accountSid must be AC followed by 32 hex digits');
  if (apiKeys.length === 0) throw new RangeError('apiKeys must not be empty');

  const engine = new SimulatorEngine({ accountSid, authToken, apiKeys }, options.seed ?? 1, options);
  const held = new Set<ServerResponse>();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/__sim', controlRouter(engine));
  app.use(apiRouter(engine, { held }));

  const host = options.host ?? '127.0.0.1';
  const server = app.listen(options.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopped: Promise<void> | null = null;
  const copy = (m: SimMessage): SimMessage => ({ ...m, mediaUrls: [...m.mediaUrls], params: { ...m.params } });

  return {
    url,
    controlUrl: `${url}/__sim`,
    accountSid,
    authToken,
    apiKey: apiKeys[0]!,
    messages: (filter = {}) =>
      engine.store
        .all()
        .filter(
          (m) =>
            (filter.to === undefined || m.to === filter.to) &&
            (filter.from === undefined || m.from === filter.from) &&
            (filter.sender === undefined || m.sender === filter.sender),
        )
        .map(copy),
    message: (sid) => {
      const m = engine.store.get(sid);
      return m === undefined ? undefined : copy(m);
    },
    duplicates: (key) => engine.duplicates(key),
    callbacks: (filter) => engine.callbacks(filter),
    faults: () => engine.faults.get(),
    setFaults: (partial) => engine.faults.set(partial),
    clearFaults: () => engine.faults.reset(),
    forceNext: (kind, count, on) => engine.faults.forceNext(kind, count, on),
    callbackBehaviour: () => engine.callbackBehaviour(),
    setCallbackBehaviour: (partial) => engine.setCallbackBehaviour(partial),
    optOut: (address) => engine.store.optOut(address),
    optIn: (address) => engine.store.optIn(address),
    optedOut: () => engine.store.optedOutAddresses(),
    openSession: (address, openedAt = new Date()) => engine.store.openSession(address, openedAt.getTime()),
    closeSession: (address) => engine.store.closeSession(address),
    markUnreachable: (address) => engine.store.markUnreachable(address),
    markReachable: (address) => engine.store.markReachable(address),
    inbound: (input) => engine.inbound(input),
    setInboundWebhookUrl: (u) => engine.setInboundWebhookUrl(u),
    rateStats: (by) => engine.rateStats(by),
    idle: () => engine.scheduler.idle(),
    reset: () => engine.reset(),
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        engine.stop();
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
