/**
 * The Cloudbeds API simulator: an HTTP server answering `/api/v1.3/{method}` (and v1.2, which
 * alone keeps getTransactions) as Cloudbeds does — `x-api-key` or OAuth bearer tokens from
 * `access_token`, reads in the query, writes as form bodies only (a JSON body is refused) with
 * PHP bracket notation and known field names only, the `{success, data, message}` envelope,
 * pageNumber/pageSize paging, referenceID deduplication on postCustomItem, 5 requests per second
 * per API key and 10 per OAuth client (429 beyond), `X-Request-ID` on every answer — plus the
 * `/__sim/` control protocol every PMS simulator speaks.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimFaults, SimStats } from '../../simulator-control';
import { type Caller, type SimClient, TokenService } from './auth';
import { takeLostAnswer } from '../../simulator-kit/faults';
import { answerControl, type BodyLimit, closeServer, controlPath, readBody, sendJson, sleep } from '../../simulator-kit/http';
import { listen } from '../../simulator-kit/listen';
import { control, type ControlState } from './control';
import { CLOUDBEDS_DEMO } from './demo';
import { checkFields, ParamError, parseParams, type ParsedObject, str } from './form';
import { clientScope, KEY_LIMIT_PER_SECOND, keyScope, PARTNER_LIMIT_PER_SECOND, RequestLimits } from './limits';
import { CloudbedsError, type Operation, OPERATIONS, type Version } from './operations';
import { seededRandom } from './random';
import { SimStore } from './store';

export interface CloudbedsSimulatorOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  logRequests?: boolean;
  /** The OAuth clients Cloudbeds knows (default: the demo client). */
  clients?: SimClient[];
  /** `expires_in` of access tokens (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Seeds the draws of the 5xx and 429 fault rates. */
  faultSeed?: number;
  /** Receives every API exchange (wire checks). */
  record?: (exchange: CloudbedsExchange) => void;
}

export interface CloudbedsExchange {
  method: string;
  /** Path and query as received. */
  url: string;
  operation: string | null;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
  answer: unknown;
}

export interface CloudbedsSimulator {
  url: string;
  store: SimStore;
  tokens: TokenService;
  faults: SimFaults;
  /** Requests per API method (whatever their fate). */
  calls: Map<string, number>;
  stats(): SimStats;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const TOKEN_METHOD = 'access_token';

class BodyTooLarge extends Error {}

const BODY_LIMIT: BodyLimit = { maxBytes: MAX_BODY_BYTES, tooLarge: () => new BodyTooLarge('request too large') };

export async function startCloudbedsSimulator(options: CloudbedsSimulatorOptions = {}): Promise<CloudbedsSimulator> {
  const store = new SimStore();
  const limits = new RequestLimits();
  const faults: SimFaults = {};
  const tokens = new TokenService(options.clients ?? [{ clientId: CLOUDBEDS_DEMO.clientId, clientSecret: CLOUDBEDS_DEMO.clientSecret }], options.tokenLifetimeSeconds ?? 3600);
  const state: ControlState = { store, limits, faults, tokens };
  const calls = new Map<string, number>();
  const rng = seededRandom(options.faultSeed ?? 1);

  const refuse = (status: number, message: string) => ({ status, answer: { success: false, message } });

  /** The form of a write: its content type must be a form, and nothing rides in the query. */
  function formParams(req: IncomingMessage, url: URL, body: string): URLSearchParams {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== FORM) throw new CloudbedsError(415, `Content-Type ${type || '(none)'} is not accepted: send the parameters as ${FORM}`);
    if ([...url.searchParams.keys()].length > 0) throw new CloudbedsError(400, 'Parameters of a POST or PUT go in the form body, not in the query');
    return new URLSearchParams(body);
  }

  function tokenRequest(req: IncomingMessage, url: URL, body: string): { status: number; answer: unknown } {
    if (req.method !== 'POST') return refuse(405, 'Method not allowed');
    let params: URLSearchParams;
    try {
      params = formParams(req, url, body);
    } catch (error) {
      return refuse((error as CloudbedsError).status, (error as Error).message);
    }
    const clientId = params.get('client_id') ?? '';
    if (!limits.take(clientScope(clientId), PARTNER_LIMIT_PER_SECOND)) return refuse(429, 'API rate limit exceeded');
    const client = tokens.client(clientId, params.get('client_secret') ?? '');
    if (!client) return { status: 401, answer: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    if (params.get('grant_type') !== 'refresh_token') return { status: 400, answer: { error: 'unsupported_grant_type', error_description: 'The simulator issues tokens for refresh_token grants' } };
    const refreshToken = params.get('refresh_token') ?? '';
    const property = store.byRefresh(refreshToken);
    if (!property) return { status: 400, answer: { error: 'invalid_grant', error_description: 'The refresh token is invalid or was revoked' } };
    const issued = tokens.issue(client.clientId, property);
    return { status: 200, answer: { ...issued, token_type: 'Bearer', refresh_token: refreshToken, resources: [{ type: 'property', id: property.propertyID }] } };
  }

  function take(caller: Caller): boolean {
    return caller.kind === 'key' ? limits.take(keyScope(caller.apiKey), KEY_LIMIT_PER_SECOND) : limits.take(clientScope(caller.clientId), PARTNER_LIMIT_PER_SECOND);
  }

  /** One API method call after the gateway's checks: parameters, property and the handler. */
  function perform(req: IncomingMessage, url: URL, body: string, op: Operation, caller: Caller): { status: number; answer: unknown } {
    if (req.method !== op.method) return refuse(405, `Method ${req.method} not allowed: use ${op.method}`);
    let params: ParsedObject;
    try {
      params = parseParams(op.method === 'GET' ? url.searchParams : formParams(req, url, body));
      checkFields(params, op.fields);
    } catch (error) {
      if (error instanceof ParamError) return refuse(400, error.message);
      if (error instanceof CloudbedsError) return refuse(error.status, error.message);
      throw error;
    }
    const propertyID = str(params.propertyID);
    if (propertyID !== undefined && propertyID !== caller.property.propertyID) return refuse(403, `Access to property ${propertyID} is not granted`);
    try {
      return { status: 200, answer: op.handle({ store, property: caller.property, params, now: Date.now() }) };
    } catch (error) {
      if (error instanceof CloudbedsError) return refuse(error.status, error.message);
      throw error;
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    limits.received();
    const body = await readBody(req, BODY_LIMIT);
    const match = /^\/api\/(v1\.[23])\/([A-Za-z_]+)$/.exec(url.pathname);
    const version = match?.[1] as Version | undefined;
    const name = match?.[2] ?? null;
    if (name) calls.set(name, (calls.get(name) ?? 0) + 1);
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      options.record?.({ method: req.method ?? 'GET', url: req.url ?? '', operation: name, headers: req.headers, body, status, answer: payload });
      sendJson(res, status, payload, headers);
    };
    if (faults.outage) return answer(503, { success: false, message: 'Service Unavailable' });
    if (faults.latencyMs) await sleep(faults.latencyMs);
    if (name === TOKEN_METHOD) {
      const result = tokenRequest(req, url, body);
      return answer(result.status, result.answer, result.status === 429 ? { 'retry-after': '1' } : {});
    }
    const op = name === null ? undefined : OPERATIONS[name];
    if (op === undefined || version === undefined || !op.versions.includes(version)) return answer(404, { success: false, message: `Method ${name ?? url.pathname} not found in API ${version ?? '(no version)'}` });
    const apiKey = req.headers['x-api-key'];
    const caller = tokens.caller(store, { apiKey: typeof apiKey === 'string' ? apiKey : undefined, authorization: req.headers.authorization });
    if (caller === null) return answer(401, { success: false, message: 'Unauthorized: the API key or access token is invalid or expired' });
    if (!take(caller)) return answer(429, { success: false, message: 'API rate limit exceeded' }, { 'retry-after': '1' });
    if (rng.chance(faults.rate429Rate ?? 0)) return answer(429, { success: false, message: 'API rate limit exceeded' }, { 'retry-after': '1' });
    if (rng.chance(faults.error5xxRate ?? 0)) return answer(500, { success: false, message: 'Internal Server Error' });
    const result = perform(req, url, body, op, caller);
    if (op.write && result.status === 200 && takeLostAnswer(faults)) {
      // Applied, and the answer never arrives.
      options.record?.({ method: req.method ?? 'GET', url: req.url ?? '', operation: name, headers: req.headers, body, status: 0, answer: result.answer });
      req.socket.destroy();
      return;
    }
    answer(result.status, result.answer);
  }

  async function controlRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    answerControl(req, res, path, await readBody(req, BODY_LIMIT), (method, below, body) => control(state, method, below, body));
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    res.setHeader('x-request-id', randomUUID());
    const url = new URL(req.url ?? '/', 'http://simulator');
    const below = controlPath(url.pathname);
    const work = below !== undefined ? controlRequest(req, res, below) : api(req, res, url);
    work
      .catch((error: unknown) => {
        if (res.headersSent) return;
        if (error instanceof BodyTooLarge) sendJson(res, 413, { success: false, message: 'Request too large' });
        else sendJson(res, 500, { success: false, message: `Simulator fault: ${(error as Error).message}` });
      })
      .finally(() => {
        if (options.logRequests) console.log(`cloudbeds-sim ${req.method} ${url.pathname} ${res.statusCode}${res.writableEnded ? '' : ' (dropped)'} ${Math.round(performance.now() - started)}ms`);
      });
  });

  const url = await listen(server, options);

  let closed: Promise<void> | null = null;
  return {
    url,
    store,
    tokens,
    faults,
    calls,
    stats: () => limits.snapshot(),
    close: () =>
      (closed ??= closeServer(server, () => store.reset())),
  };
}
