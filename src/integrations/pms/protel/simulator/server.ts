/**
 * The protel I/O simulator: an HTTP server whose synchronous endpoint (`POST /io/sync`) takes
 * SOAP 1.2 envelopes as protel I/O does (the hotel's bearer token, protel's header elements,
 * SOAPAction, one OTA / HTNG / IO message in the body), answers with the matching RS or a SOAP
 * 1.2 fault, enforces the per-token limit Relay assumes for protel, and speaks the `/__sim/`
 * control protocol every PMS simulator speaks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { SimStats } from '../../simulator-control';
import { churnOnce, churnStream } from './churn';
import { answerControl, type BodyLimit, closeServer, controlPath, readBody, sleep } from '../../simulator-kit/http';
import { listen } from '../../simulator-kit/listen';
import { control, type ControlState } from './control';
import { PROTEL_SYNC_PATH } from './demo';
import { type FaultState, protelFaults } from './faults';
import { HANDLERS, type HandlerResult, OtaFailure } from './handlers';
import { TokenLimits, tokenScope } from './limits';
import { ProtelStore } from './store';
import { answerEnvelope, faultEnvelope, readSoapRequest, type SoapFaultAnswer } from './soap';
import { errors, type OtaProblem, warnings } from './views';
import { DEFAULT_PAGE_SIZE, ERR, EWT, TOKEN_LIMIT } from './wire';
import { el, type El, type Tree } from './xml';

export interface ProtelSimulatorOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  host?: string;
  logRequests?: boolean;
  /** Requests per hotel token and window (default: 120 per minute). */
  limit?: { requests: number; windowMs: number };
  /** Most reservations per OTA_ReadRQ answer, whatever MaxResponses asks (default 20). */
  maxPageSize?: number;
  /** Receives every exchange on the SOAP endpoint (wire checks). */
  record?: (exchange: SimExchange) => void;
}

/** One request to the SOAP endpoint and its answer, as the wire carried them. */
export interface SimExchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** The answer was never delivered (`loseAnswers`). */
  lost: boolean;
}

export interface ProtelSimulator {
  url: string;
  store: ProtelStore;
  limits: TokenLimits;
  faults: FaultState;
  stats(): SimStats;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const SOAP_CONTENT_TYPE = 'application/soap+xml; charset=utf-8';

class BodyTooLarge extends Error {}

// protel answers a request too large with a SOAP fault, so the connection stays open for it.
const BODY_LIMIT: BodyLimit = { maxBytes: MAX_BODY_BYTES, tooLarge: () => new BodyTooLarge('the request is too large'), answerTooLarge: true };

/** Without latency the answer is not put off to a timer at all. */
const delay = (ms: number): Promise<void> => (ms > 0 ? sleep(ms) : Promise.resolve());

function bearer(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return /^Bearer\s+(\S+)$/i.exec(value ?? '')?.[1];
}

export async function startProtelSimulator(options: ProtelSimulatorOptions = {}): Promise<ProtelSimulator> {
  const store = new ProtelStore();
  const limits = new TokenLimits(options.limit ?? TOKEN_LIMIT);
  const faults = protelFaults();
  const maxPageSize = options.maxPageSize ?? DEFAULT_PAGE_SIZE;
  const churn = new Set<NodeJS.Timeout>();
  const state: ControlState = {
    store,
    limits,
    faults,
    startChurn: (hotel, everyMs) => {
      const rng = churnStream(hotel);
      const timer = setInterval(() => churnOnce(store, hotel, rng), everyMs);
      timer.unref();
      churn.add(timer);
    },
    stopChurn: () => {
      for (const timer of churn) clearInterval(timer);
      churn.clear();
    },
  };

  /** Sends an answer on the SOAP endpoint, recording it; `lose` destroys the connection instead. */
  function answer(req: IncomingMessage, res: ServerResponse, requestBody: string, status: number, body: string, headers: Record<string, string> = {}, lose = false): void {
    const responseHeaders = body === '' ? headers : { 'content-type': SOAP_CONTENT_TYPE, ...headers };
    options.record?.({ method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, requestBody, status, responseHeaders, responseBody: body, lost: lose });
    if (lose) {
      req.socket.destroy();
      return;
    }
    res.writeHead(status, { ...responseHeaders, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function fault(req: IncomingMessage, res: ServerResponse, requestBody: string, f: SoapFaultAnswer): void {
    answer(req, res, requestBody, f.status, faultEnvelope(f), f.headers ?? {});
  }

  async function sync(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestBody = await readBody(req, BODY_LIMIT);
    await delay(faults.latencyMs());
    const drawn = faults.draw();
    if (drawn?.kind === 'outage') return answer(req, res, requestBody, 503, '', { 'retry-after': '30' });
    const token = bearer(req.headers.authorization);
    const taken = limits.take(token ? tokenScope(token) : 'unauthenticated');
    const retryAfter = !taken.ok ? taken.retryAfterSeconds : drawn?.kind === 'status' && drawn.status === 429 ? 1 : undefined;
    if (retryAfter !== undefined) return fault(req, res, requestBody, { status: 429, code: 'Receiver', subcode: 'TooManyRequests', reason: 'too many requests for this hotel token', headers: { 'retry-after': String(retryAfter) } });
    if (drawn?.kind === 'status' && drawn.status === 500) return fault(req, res, requestBody, { status: 500, code: 'Receiver', subcode: 'InternalError', reason: 'simulated failure' });
    if (drawn?.kind === 'status') return answer(req, res, requestBody, drawn.status, '');
    if (req.method !== 'POST') return fault(req, res, requestBody, { status: 405, code: 'Sender', subcode: 'MethodNotAllowed', reason: 'protel I/O takes POST', headers: { allow: 'POST' } });
    const hotel = token === undefined ? undefined : store.hotelOfToken(token);
    if (hotel === undefined) {
      const challenge = token === undefined ? 'Bearer realm="protel I/O"' : 'Bearer realm="protel I/O", error="invalid_token"';
      return fault(req, res, requestBody, { status: 401, code: 'Sender', subcode: 'Unauthorized', reason: token === undefined ? 'a hotel bearer token is required' : 'the bearer token is not valid', headers: { 'www-authenticate': challenge } });
    }
    const soap = readSoapRequest(requestBody, req.headers);
    if ('status' in soap) return fault(req, res, requestBody, soap);

    let result: HandlerResult | OtaProblem[];
    try {
      checkRoot(soap.message);
      result = HANDLERS[soap.action]!({ store, hotel, maxPageSize }, soap.message);
    } catch (error) {
      if (!(error instanceof OtaFailure)) throw error;
      result = error.problems;
    }
    const rs = Array.isArray(result) ? { ...rootEcho(soap.message), Errors: errors(result) } : success(soap.message, result);
    const lose = soap.definition.write && !Array.isArray(result) && faults.takeLostAnswer();
    answer(req, res, requestBody, 200, answerEnvelope(soap.definition.rs, soap.definition.ns, soap.correlationId, rs), {}, lose);
  }

  async function controlRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    answerControl(req, res, path, await readBody(req, BODY_LIMIT), (method, below, body) => control(state, method, below, body));
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const below = controlPath(path);
    const work = below !== undefined ? controlRequest(req, res, below) : path === PROTEL_SYNC_PATH ? sync(req, res) : notFound(res);
    work
      .catch((error: unknown) => {
        if (res.headersSent) return;
        if (error instanceof BodyTooLarge) return sendFault(res, { status: 413, code: 'Sender', subcode: 'MessageTooLarge', reason: error.message });
        sendFault(res, { status: 500, code: 'Receiver', subcode: 'InternalError', reason: `simulator fault: ${(error as Error).message}` });
      })
      .finally(() => {
        if (options.logRequests) console.log(`protel-sim ${req.method} ${path} ${res.statusCode}${res.writableEnded ? '' : ' (dropped)'} ${Math.round(performance.now() - started)}ms`);
      });
  });

  const url = await listen(server, options);
  let closed: Promise<void> | undefined;
  return {
    url,
    store,
    limits,
    faults,
    stats: () => limits.snapshot(),
    close: () =>
      (closed ??= closeServer(server, state.stopChurn)),
  };
}

/** CorrelationID and TimeStamp are mandatory on every protel I/O message root. */
function checkRoot(message: El): void {
  for (const name of ['CorrelationID', 'TimeStamp'] as const) {
    if (!message.attributes[name]) throw new OtaFailure([{ type: EWT.requiredField, code: ERR.requiredFieldMissing, text: `${name} is required on ${message.local}` }]);
  }
  if (Number.isNaN(Date.parse(message.attributes.TimeStamp!))) throw new OtaFailure([{ type: EWT.bizRule, code: ERR.invalidValue, text: 'TimeStamp is not an ISO 8601 date-time' }]);
}

/** The RS root's attributes: the request's EchoToken and CorrelationID, a fresh TimeStamp, the version. */
function rootEcho(message: El): Tree {
  return el({
    EchoToken: message.attributes.EchoToken,
    CorrelationID: message.attributes.CorrelationID,
    TimeStamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: message.attributes.Version ?? '1.00',
  });
}

function success(message: El, result: HandlerResult): Tree {
  return {
    ...rootEcho(message),
    ...el(result.attributes ?? {}),
    ...el({}, { Success: {}, Warnings: result.warnings && result.warnings.length > 0 ? warnings(result.warnings) : undefined, ...result.content }),
  };
}

function sendFault(res: ServerResponse, f: SoapFaultAnswer): void {
  const body = faultEnvelope(f);
  res.writeHead(f.status, { 'content-type': SOAP_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function notFound(res: ServerResponse): Promise<void> {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('Not Found');
  return Promise.resolve();
}
