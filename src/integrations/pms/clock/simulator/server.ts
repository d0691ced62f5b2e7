/**
 * The Clock PMS+ simulator: an HTTP server answering `/pms_api/{subscription_id}/{account_id}/...`
 * as Clock does (HTTP Digest on every request, JSON bodies under a root key, index endpoints that
 * answer ids, `{"error": ...}` refusals, 5 calls per second per API user answered 429, a firewall
 * that bans an address calling into 429s) plus the `/__sim/` control protocol every PMS simulator
 * speaks. In front of the application, in Clock's order: firewall, limiter, routing, Digest,
 * account access, rights.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimFaults } from '../../simulator-control';
import { route } from './api';
import { takeLostAnswer } from '../../simulator-kit/faults';
import { answerControl, type BodyLimit, closeServer, controlPath, readBody, sendJson, sleep } from '../../simulator-kit/http';
import { listen } from '../../simulator-kit/listen';
import { control, type ControlState } from './control';
import { DigestAuthority, parseDigestAuthorization } from './digest';
import { CLOCK_FIREWALL, CLOCK_LIMIT, Firewall, type FirewallSettings, type LimitSettings, RequestLimits } from './limits';
import { seededRandom } from './random';
import { ClockStore } from './store';
import { ClockError } from './wire';

export interface ClockSimulatorOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  /** One line per request on stdout. */
  logRequests?: boolean;
  /** Calls per API user (default Clock's 5 per second). */
  limit?: LimitSettings;
  /** When the firewall bans an address (default: 100 refusals within a minute, for two hours). */
  firewall?: FirewallSettings;
  /** How long a Digest nonce is good (default five minutes). */
  nonceTtlMs?: number;
  /** Seeds the draws of the 5xx and 429 fault rates. */
  faultSeed?: number;
  /** Receives every vendor-format exchange (wire checks). */
  record?: (exchange: ClockExchange) => void;
}

/** One vendor-format request and how it was answered. */
export interface ClockExchange {
  /** When the request arrived (ms since the epoch). */
  at: number;
  method: string;
  /** The request-target as sent (path and query). */
  target: string;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
  /** False when the connection was destroyed instead (a lost answer). */
  answered: boolean;
}

export interface ClockSimulator {
  url: string;
  store: ClockStore;
  limits: RequestLimits;
  firewall: Firewall;
  digest: DigestAuthority;
  faults: SimFaults;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

const BODY_LIMIT: BodyLimit = { maxBytes: MAX_BODY_BYTES, tooLarge: () => new ClockError(413, 'Request Entity Too Large') };

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...headers, 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const WAF_PAGE = '<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body><h1>Request blocked</h1><p>Your address has been blocked by the web application firewall.</p></body></html>';
const MAINTENANCE_PAGE = '<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>Service Temporarily Unavailable</h1></body></html>';

export async function createClockSimulator(options: ClockSimulatorOptions = {}): Promise<ClockSimulator> {
  const store = new ClockStore();
  const limits = new RequestLimits(options.limit ?? CLOCK_LIMIT);
  const firewall = new Firewall(options.firewall ?? CLOCK_FIREWALL);
  const digest = new DigestAuthority(options.nonceTtlMs);
  const faults: SimFaults = {};
  const state: ControlState = { store, limits, firewall, faults };
  const rng = seededRandom(options.faultSeed ?? 1);

  /** One pms_api request as Clock answers it; resolves false when the answer was lost on purpose. */
  async function api(req: IncomingMessage, res: ServerResponse, body: string): Promise<boolean> {
    limits.received();
    const address = req.socket.remoteAddress ?? 'unknown';
    const method = req.method ?? 'GET';
    if (firewall.isBanned(address)) return sendText(res, 403, WAF_PAGE, {}, 'text/html; charset=utf-8'), true;
    if (faults.outage) return sendText(res, 503, MAINTENANCE_PAGE, {}, 'text/html; charset=utf-8'), true;
    if (faults.latencyMs) await sleep(faults.latencyMs);
    const credentials = parseDigestAuthorization(req.headers.authorization);
    if (credentials && !limits.take(credentials.username)) {
      firewall.refused(address);
      return sendText(res, 429, 'Retry later\n'), true;
    }
    if (rng.chance(faults.rate429Rate ?? 0)) return sendText(res, 429, 'Retry later\n'), true;
    if (rng.chance(faults.error5xxRate ?? 0)) return sendJson(res, 500, { status: 500, error: 'Internal Server Error' }), true;

    const target = req.url ?? '/';
    const segments = new URL(target, 'http://clock').pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [area, subscriptionId, accountId, ...rest] = segments;
    const found = area === 'pms_api' && /^\d+$/.test(subscriptionId ?? '') && /^\d+$/.test(accountId ?? '') ? route(method, rest) : undefined;
    if (!found) return sendJson(res, 404, { status: 404, error: 'Not Found' }), true;

    const verdict = digest.verify(credentials, method, target, (name) => store.users.get(name)?.key);
    if (!verdict.ok) return sendText(res, 401, 'HTTP Digest: Access denied.\n', { 'www-authenticate': digest.challenge(verdict.stale) }), true;
    const user = store.users.get(verdict.username)!;
    const account = store.accounts.get(Number(accountId));
    if (!account || account.subscriptionId !== Number(subscriptionId) || user.subscriptionId !== account.subscriptionId || !user.accounts.has(account.id)) {
      return sendJson(res, 403, { error: `The User doesn't have access to account ${accountId}` }), true;
    }
    const { operation, params } = found;
    if (user.rights !== null && !user.rights.has(operation.right)) return sendJson(res, 403, { error: `The User doesn't have ${operation.right} right` }), true;

    let parsed: unknown;
    if (method !== 'GET') {
      const json = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
      try {
        parsed = json && body.trim() !== '' ? JSON.parse(body) : {};
      } catch {
        return sendJson(res, 400, { error: 'There was a problem in the JSON you submitted' }), true;
      }
    }
    const query = new URL(target, 'http://clock').searchParams;
    let answer;
    try {
      answer = operation.handle({ store, account, user, query, body: parsed, params });
    } catch (error) {
      if (error instanceof ClockError) return sendJson(res, error.status, error.body), true;
      throw error;
    }
    if (operation.write && takeLostAnswer(faults)) {
      // Applied, and the answer never arrives.
      req.socket.destroy();
      return false;
    }
    sendJson(res, answer.status, answer.body);
    return true;
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const at = Date.now();
    const path = new URL(req.url ?? '/', 'http://clock').pathname;
    const below = controlPath(path);
    const isControl = below !== undefined;
    let answered = true;
    let body = '';
    const work = readBody(req, BODY_LIMIT).then(async (raw) => {
      body = raw;
      if (isControl) answerControl(req, res, below, raw, (method, p, b) => control(state, method, p, b));
      else answered = await api(req, res, raw);
    });
    work
      .catch((error: unknown) => {
        if (error instanceof ClockError && !res.headersSent) return sendJson(res, error.status, error.body);
        if (!res.headersSent) sendJson(res, 500, { status: 500, error: `Simulator fault: ${(error as Error).message}` });
      })
      .finally(() => {
        if (!isControl) options.record?.({ at, method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body, status: res.statusCode, answered });
        if (options.logRequests) console.log(`clock-sim ${req.method} ${req.url} ${answered ? res.statusCode : '(answer lost)'} ${Math.round(performance.now() - started)}ms`);
      });
  });

  const url = await listen(server, options);

  return {
    url,
    store,
    limits,
    firewall,
    digest,
    faults,
    close: () => closeServer(server, () => store.reset()),
  };
}
