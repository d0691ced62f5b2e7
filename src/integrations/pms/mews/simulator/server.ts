/**
 * The Mews Connector API simulator: an HTTP server answering `POST /api/connector/v1/...` as
 * Mews does (exact addresses, tokens in the body, `Request-Id` on every answer, errors as
 * `{Message, RequestId}`, 200 requests per AccessToken per 30 s) plus the `/__sim/` control
 * protocol every PMS simulator speaks.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimFaults } from '../../simulator-control';
import { takeLostAnswer } from '../../simulator-kit/faults';
import { answerControl, type BodyLimit, closeServer, controlPath, readBody, sendJson, sleep } from '../../simulator-kit/http';
import { listen } from '../../simulator-kit/listen';
import { control, type ControlState } from './control';
import { type LimitSettings, RequestLimits, tokenScope } from './limits';
import { OPERATIONS } from './operations';
import { seededRandom } from './random';
import { SimStore } from './store';
import { API_PREFIX, DEFAULT_LIMIT, DEMO_CLIENT_TOKEN, MewsError } from './wire';

export interface MewsSimulatorOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  /** One line per request on stdout. */
  logRequests?: boolean;
  /** ClientTokens Mews knows (default: the public demo one). */
  clientTokens?: string[];
  /** The limit per AccessToken (default Mews' 200 per 30 s). */
  limit?: LimitSettings;
  /** Seeds the draws of the 5xx and 429 fault rates. */
  faultSeed?: number;
}

export interface MewsSimulator {
  url: string;
  /** Everything the simulator holds, for tests that look beyond the control protocol. */
  store: SimStore;
  limits: RequestLimits;
  faults: SimFaults;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

const BODY_LIMIT: BodyLimit = { maxBytes: MAX_BODY_BYTES, tooLarge: () => new MewsError(400, 'Request is too large.') };

function sendError(res: ServerResponse, requestId: string, error: MewsError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, { Message: error.message, RequestId: requestId }, headers);
}

export async function createMewsSimulator(options: MewsSimulatorOptions = {}): Promise<MewsSimulator> {
  const store = new SimStore();
  const limits = new RequestLimits(options.limit ?? DEFAULT_LIMIT);
  const faults: SimFaults = {};
  const state: ControlState = { store, limits, faults };
  const clientTokens = new Set(options.clientTokens ?? [DEMO_CLIENT_TOKEN]);
  const rng = seededRandom(options.faultSeed ?? 1);

  /** One Connector API request, as Mews answers it. */
  async function api(req: IncomingMessage, res: ServerResponse, path: string, requestId: string): Promise<void> {
    limits.received();
    if (faults.outage) return sendError(res, requestId, new MewsError(503, 'Service Unavailable'));
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const name = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : undefined;
    const operation = name === undefined ? undefined : OPERATIONS[name];
    // Mews matches the address exactly, and takes POST only.
    if (operation === undefined || req.method !== 'POST') return sendError(res, requestId, new MewsError(404, 'Not Found'));
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(await readBody(req, BODY_LIMIT));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch (error) {
      return sendError(res, requestId, error instanceof MewsError ? error : new MewsError(400, 'Invalid JSON in the request body.'));
    }
    const { ClientToken, AccessToken, Client } = body;
    if (typeof AccessToken === 'string' && AccessToken !== '') {
      const taken = limits.take(tokenScope(AccessToken));
      if (!taken.ok) return sendError(res, requestId, new MewsError(429, 'Too many requests.'), { 'retry-after': String(taken.retryAfterSeconds) });
    }
    if (rng.chance(faults.rate429Rate ?? 0)) return sendError(res, requestId, new MewsError(429, 'Too many requests.'), { 'retry-after': '1' });
    if (rng.chance(faults.error5xxRate ?? 0)) return sendError(res, requestId, new MewsError(500, 'Internal server error.'));
    const enterprises = typeof AccessToken === 'string' ? store.enterprisesOf(AccessToken) : [];
    if (typeof ClientToken !== 'string' || !clientTokens.has(ClientToken) || enterprises.length === 0) {
      return sendError(res, requestId, new MewsError(401, 'Invalid ClientToken or AccessToken.'));
    }
    if (typeof Client !== 'string' || Client.trim() === '') return sendError(res, requestId, new MewsError(400, 'Client is required.'));
    let result: unknown;
    try {
      result = operation.handle({ store, enterprises, body });
    } catch (error) {
      if (error instanceof MewsError) return sendError(res, requestId, error);
      throw error;
    }
    if (operation.write && takeLostAnswer(faults)) {
      // Applied, and the answer never arrives.
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, result);
  }

  async function controlRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    answerControl(req, res, path, await readBody(req, BODY_LIMIT), (method, below, body) => control(state, method, below, body));
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    res.setHeader('request-id', requestId);
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const below = controlPath(path);
    const work = below !== undefined ? controlRequest(req, res, below) : api(req, res, path, requestId);
    work
      .catch((error: unknown) => {
        if (!res.headersSent) sendError(res, requestId, new MewsError(500, `Simulator fault: ${(error as Error).message}`));
      })
      .finally(() => {
        if (options.logRequests) console.log(`mews-sim ${req.method} ${path} ${res.statusCode}${res.writableEnded ? '' : ' (dropped)'} ${Math.round(performance.now() - started)}ms`);
      });
  });

  const url = await listen(server, options);

  return {
    url,
    store,
    limits,
    faults,
    close: () => closeServer(server, () => store.reset()),
  };
}
