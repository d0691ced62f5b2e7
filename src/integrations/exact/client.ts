/**
 * Relay's client of Exact Online's REST API (OData v2) for one connection and one division: CRM accounts (read,
 * search, create, update, block), the Sync API (`sync/CRM/Accounts`, `sync/Deleted`), the user's divisions and
 * `current/Me`. It talks to https://start.exactonline.nl (or another country host) and to the local simulator
 * alike: only the base URL and credentials differ.
 *
 * Every call to a division's endpoint first takes a call from the division's budget in PostgreSQL (shared by every
 * worker; see src/db/company-sync/rate-budget.ts) and notes Exact's rate headers afterwards; a 429 blocks the
 * division until Exact's reset, and the call is made again only then. A 401 refreshes the token once and repeats
 * the call once. Exact's maintenance page is a retryable failure, never data. Client errors (4xx) count toward
 * Exact's error limit (more than 10 per endpoint per hour block the app's key): the client avoids needless ones (a
 * missing account is an empty filter result, not a 404) and warns as an endpoint approaches the limit.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ExactRateBudget } from '../../db/company-sync/rate-budget';
import type { CompanyFields } from '../../domain/company-sync/company-fields';
import { FailureType } from '../../domain/failure-types';
import type { Logger } from '../../logger';
import { bearerAuth, type HttpMethod, VendorHttpClient, type VendorResponse } from '../http';
import { ExactAuthError, ExactMaintenance, ExactRateLimited, ExactRequestRejected, ExactUnavailable } from './errors';
import {
  ACCOUNT_SELECT,
  type ExactAccount,
  type ExactAccountWrite,
  type ExactDeletedAccount,
  type ExactSyncAccount,
  fromExactAccountRow,
  fromExactDeletedRow,
  fromExactSyncRow,
  SYNC_ACCOUNT_SELECT,
  toExactCreate,
  toExactWrite,
} from './mapping';
import {
  and,
  eq,
  isGuid,
  isHtmlAnswer,
  type ODataRow,
  odataErrorMessage,
  odataGuid,
  odataInt64,
  odataQuery,
  odataString,
  padCode,
  parseBoolean,
  parseInt32,
  parseODataDate,
  parseString,
  unwrapCollection,
  unwrapEntity,
} from './odata';
import { type ExactRateHeaders, hasRateHeaders, parseRateHeaders } from './rate-headers';

/** Where an Exact client gets its bearer token (the token manager of its connection, see oauth.ts). */
export interface ExactTokenSource {
  /** A valid access token; `rejected`: Exact answered 401 to this one, do not hand it out again. */
  accessToken(options?: { signal?: AbortSignal; rejected?: string }): Promise<string>;
}

/** A fixed token (right after the code exchange, before the connection exists). */
export function staticTokenSource(token: string): ExactTokenSource {
  return { accessToken: () => Promise.resolve(token) };
}

/** `EntityType` of accounts in `sync/Deleted`. */
export const EXACT_DELETED_ENTITY_ACCOUNTS = 2;
/** Exact's first Sync API cursor for a division. */
export const EXACT_FIRST_TIMESTAMP = 1n;

export interface ExactClientOptions {
  /** Exact's host, e.g. https://start.exactonline.nl (or the simulator's URL). */
  baseUrl: string;
  tokens: ExactTokenSource;
  logger: Logger;
  /** The division this client works in; required for every call but `currentMe`. */
  division?: number;
  /** The shared call budget; required for every call to a division's endpoint. */
  budget?: ExactRateBudget;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  dispatcher?: NonNullable<RequestInit['dispatcher']>;
  /** 429s in a row for one call before it fails with `ExactRateLimited`. Default 3. */
  maxRateLimitRetries?: number;
  /** Pages read by a search or list before it stops (a safety bound, never a guess at the end). Default 50. */
  maxPages?: number;
  /** Client errors per endpoint and hour from which a warning is logged (Exact blocks after 10). Default 7. */
  errorWarnAt?: number;
}

export interface CallOptions {
  /** Cancels the call and any wait for the budget (an activity's cancellation signal). */
  signal?: AbortSignal;
  /**
   * The longest this call waits for the division's budget before `ExactBudgetExhausted` (default: the
   * budget's horizon, about a minute). 0 for a write that must follow its read at once: an update built
   * from an account read a minute ago would overwrite what an Exact user typed meanwhile.
   */
  maxBudgetWaitMs?: number;
}

export interface ExactDivision {
  /** The division number (Exact's `Code`), as in the API's URLs. */
  division: number;
  name: string | null;
  /** Changes when the division moved to another database: Sync API timestamps reset, a full resync is due. */
  divisionMoveDate: Date | null;
  main: boolean;
  country: string | null;
}

export interface ExactMe {
  userId: string;
  currentDivision: number | null;
  fullName: string | null;
  userName: string | null;
}

/** One page of a Sync API read. */
export interface ExactSyncPage<T> {
  rows: T[];
  /** The next page's URL: absent on the last page (the only sign of the end; a page's size says nothing). */
  next?: string;
  /** The highest Timestamp on this page, or the cursor it started from when the page is empty. */
  maxTimestamp: bigint;
}

/** What `findAccounts` searches on; every given key must match. */
export interface ExactAccountFilter {
  /** One value, or spellings of one number that any account may carry (joined with `or`). */
  chamberOfCommerce?: string | readonly string[];
  searchCode?: string;
  /** Exact's Code (padded to 18 characters for the filter). */
  code?: string;
}

// --- Exact's error limit, counted per process ---------------------------------------------------------------------

const HOUR_MS = 60 * 60_000;
const clientErrors = new Map<string, number[]>();

function recordClientError(division: number | undefined, endpoint: string, now: number): number {
  const key = `${division ?? 'none'}:${endpoint}`;
  const recent = (clientErrors.get(key) ?? []).filter((at) => at > now - HOUR_MS);
  recent.push(now);
  clientErrors.set(key, recent);
  return recent.length;
}

/** Client errors (4xx but 429) this process got from Exact in the last hour, per `division:endpoint`. */
export function exactClientErrorCounts(now = Date.now()): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, times] of clientErrors) {
    const n = times.filter((at) => at > now - HOUR_MS).length;
    if (n > 0) out[key] = n;
  }
  return out;
}

/** The endpoint of a path as Exact counts errors: `crm/Accounts` for `/api/v1/1/crm/Accounts(guid'…')?$filter=…`. */
export function exactEndpoint(path: string): string {
  const pathname = path.replace(/^https?:\/\/[^/]+/i, '').split('?')[0]!;
  return decodeURIComponent(pathname)
    .replace(/^\/?api\/v1\/(\d+|current)\//, (_m, d: string) => (d === 'current' ? 'current/' : ''))
    .replace(/\([^)]*\)$/, '');
}

const RETRY_MAINTENANCE_MS = 60_000;

interface Send {
  method: HttpMethod;
  /** Path under the host, or an absolute `__next` URL. */
  path: string;
  json?: unknown;
  headers?: Record<string, string>;
  /** A division's endpoint: takes a call from the budget, notes the rate headers. */
  divisional: boolean;
}

export class ExactClient {
  private readonly http: VendorHttpClient;
  private readonly maxRateLimitRetries: number;
  private readonly maxPages: number;
  private readonly errorWarnAt: number;

  constructor(private readonly options: ExactClientOptions) {
    this.maxRateLimitRetries = options.maxRateLimitRetries ?? 3;
    this.maxPages = options.maxPages ?? 50;
    this.errorWarnAt = options.errorWarnAt ?? 7;
    this.http = new VendorHttpClient({
      vendor: 'exact-online',
      baseUrl: options.baseUrl,
      logger: options.logger,
      timeoutMs: options.timeoutMs ?? 30_000,
      dispatcher: options.dispatcher,
      // Without it Exact answers Atom XML.
      headers: { accept: 'application/json' },
      // Every answer comes back to `send`, which knows Exact's ways (401 refresh, 429 budget, maintenance page).
      classify: () => ({ outcome: 'ok' }),
    });
  }

  get division(): number | undefined {
    return this.options.division;
  }

  private divisionPath(rest: string): string {
    const division = this.options.division;
    if (division === undefined) throw invalidInput('this Exact client has no division');
    return `/api/v1/${division}/${rest}`;
  }

  // --- divisions and user ---------------------------------------------------------------------------------------

  /** The user's current division and identity. Not counted toward the division's limits (no division in the URL). */
  async currentMe(options: CallOptions = {}): Promise<ExactMe> {
    const body = await this.send({ method: 'GET', path: `/api/v1/current/Me?${odataQuery({ select: ['UserID', 'CurrentDivision', 'FullName', 'UserName'] })}`, divisional: false }, options);
    const row = this.read('GET', 'current/Me', () => unwrapEntity(body));
    const userId = parseString(row.UserID);
    if (!userId) throw new ExactUnavailable({ message: 'current/Me without UserID', method: 'GET', endpoint: 'current/Me', ambiguous: false });
    return { userId: userId.toLowerCase(), currentDivision: parseInt32(row.CurrentDivision), fullName: parseString(row.FullName), userName: parseString(row.UserName) };
  }

  /** The divisions the user may access (`system/Divisions`), with `DivisionMoveDate` for resync detection. */
  async listDivisions(options: CallOptions = {}): Promise<ExactDivision[]> {
    const first = this.divisionPath(`system/Divisions?${odataQuery({ select: ['Code', 'Description', 'DivisionMoveDate', 'Main', 'Country'] })}`);
    const rows = await this.allPages(first, options);
    return rows.flatMap((row) => {
      const division = parseInt32(row.Code);
      if (division === null) return [];
      return [{ division, name: parseString(row.Description), divisionMoveDate: parseODataDate(row.DivisionMoveDate), main: parseBoolean(row.Main), country: parseString(row.Country) }];
    });
  }

  // --- Sync API -------------------------------------------------------------------------------------------------

  /**
   * One page of accounts changed after `cursor` (Exact's rowversion; 1 for a first import), up to 1000 rows. Pass
   * the previous page's `next` to read on; the read is complete when a page has no `next`.
   */
  async syncAccounts(cursor: bigint, nextUrl?: string, options: CallOptions = {}): Promise<ExactSyncPage<ExactSyncAccount>> {
    const path = nextUrl ?? this.divisionPath(`sync/CRM/Accounts?${odataQuery({ filter: `Timestamp gt ${odataInt64(cursor)}`, select: SYNC_ACCOUNT_SELECT })}`);
    const { rows, next } = await this.page(path, options);
    const accounts = this.read('GET', 'sync/CRM/Accounts', () => rows.map(fromExactSyncRow));
    return { rows: accounts, next, maxTimestamp: accounts.reduce((max, a) => (a.timestamp > max ? a.timestamp : max), cursor) };
  }

  /** One page of account deletions after `cursor` (`sync/Deleted`, EntityType 2; kept by Exact for 2 months). */
  async syncDeleted(cursor: bigint, nextUrl?: string, options: CallOptions = {}): Promise<ExactSyncPage<ExactDeletedAccount>> {
    const filter = and(`Timestamp gt ${odataInt64(cursor)}`, `EntityType eq ${EXACT_DELETED_ENTITY_ACCOUNTS}`);
    const path = nextUrl ?? this.divisionPath(`sync/Deleted?${odataQuery({ filter, select: ['EntityKey', 'EntityType', 'Timestamp', 'DeletedDate'] })}`);
    const { rows, next } = await this.page(path, options);
    const deletions = this.read('GET', 'sync/Deleted', () => rows.map(fromExactDeletedRow));
    return { rows: deletions, next, maxTimestamp: deletions.reduce((max, d) => (d.timestamp > max ? d.timestamp : max), cursor) };
  }

  // --- CRM accounts ---------------------------------------------------------------------------------------------

  /** One account by its ID, or null when Exact has none (a filter, so a missing account is no 404). */
  async getAccount(guid: string, options: CallOptions = {}): Promise<ExactAccount | null> {
    if (!isGuid(guid)) throw invalidInput('getAccount needs an Exact account ID (a GUID)');
    const path = this.divisionPath(`crm/Accounts?${odataQuery({ filter: eq('ID', odataGuid(guid)), select: ACCOUNT_SELECT, top: 1 })}`);
    const { rows } = await this.page(path, options);
    const [row] = rows;
    return row === undefined ? null : this.read('GET', 'crm/Accounts', () => fromExactAccountRow(row));
  }

  /** How many accounts the division has (`crm/Accounts/$count`): an import's progress bar. */
  async countAccounts(options: CallOptions = {}): Promise<number> {
    const body = await this.send({ method: 'GET', path: this.divisionPath('crm/Accounts/$count'), divisional: true }, options);
    const count = Number(body);
    if (!Number.isInteger(count) || count < 0) {
      throw new ExactUnavailable({ message: 'expected a count from crm/Accounts/$count', method: 'GET', endpoint: 'crm/Accounts/$count', ambiguous: false });
    }
    return count;
  }

  /** Every account matching all given keys, following `__next` to the last page. */
  async findAccounts(filter: ExactAccountFilter, options: CallOptions = {}): Promise<ExactAccount[]> {
    const clauses: string[] = [];
    if (filter.chamberOfCommerce !== undefined) {
      const spellings = typeof filter.chamberOfCommerce === 'string' ? [filter.chamberOfCommerce] : filter.chamberOfCommerce;
      clauses.push(spellings.map((v) => eq('ChamberOfCommerce', odataString(v.trim()))).join(' or '));
    }
    if (filter.searchCode !== undefined) clauses.push(eq('SearchCode', odataString(filter.searchCode.trim())));
    if (filter.code !== undefined) clauses.push(eq('Code', odataString(padCode(filter.code))));
    if (clauses.length === 0) throw invalidInput('findAccounts needs at least one of chamberOfCommerce, searchCode, code');
    if (clauses.some((c) => c === '' || /eq ''( or |$)/.test(c))) throw invalidInput('findAccounts: an empty search value');
    const rows = await this.allPages(this.divisionPath(`crm/Accounts?${odataQuery({ filter: and(...clauses), select: ACCOUNT_SELECT })}`), options);
    return this.read('GET', 'crm/Accounts', () => rows.map(fromExactAccountRow));
  }

  /**
   * Creates an account with the company's fields and Relay's marker in SearchCode (to find it again exactly if the
   * answer is lost: `findAccounts({ searchCode })`). Never sends an ID: Exact assigns it, and the Code. A lost
   * answer is an `ExactUnavailable` with `ambiguous`: look the marker up before creating again.
   */
  async createAccount(fields: CompanyFields, searchCode: string, options: CallOptions & { addressUnparsed?: string | null } = {}): Promise<ExactAccount> {
    if (searchCode.trim() === '' || searchCode.length > 30) throw invalidInput('the create marker (SearchCode) must have 1 to 30 characters');
    const body = toExactCreate(fields, searchCode, { addressUnparsed: options.addressUnparsed });
    const answer = await this.send(
      { method: 'POST', path: this.divisionPath('crm/Accounts'), json: body, headers: { prefer: 'return=representation' }, divisional: true },
      options,
    );
    // Exact accepted it: an answer we cannot read must lead to a look-up, never to a second create.
    return this.read('POST', 'crm/Accounts', () => fromExactAccountRow(unwrapEntity(answer)), true);
  }

  /**
   * Writes only the given fields (`changed`); `current` (the company's full fields) completes AddressLine1 when
   * only some address parts changed. Nothing to write: no call. Exact answers 204.
   */
  async updateAccount(guid: string, changed: Partial<CompanyFields>, options: CallOptions & { current?: CompanyFields } = {}): Promise<void> {
    const body = toExactWrite(changed, options.current);
    if (Object.keys(body).length === 0) return;
    await this.writeAccount(guid, body, options);
  }

  /** Deactivates the account (`Blocked`): Relay never deletes an account in Exact. */
  async blockAccount(guid: string, options: CallOptions = {}): Promise<void> {
    await this.writeAccount(guid, { Blocked: true }, options);
  }

  private async writeAccount(guid: string, body: ExactAccountWrite, options: CallOptions): Promise<void> {
    if (!isGuid(guid)) throw invalidInput('an Exact account ID (a GUID) is needed');
    await this.send({ method: 'PUT', path: this.divisionPath(`crm/Accounts(${odataGuid(guid)})`), json: body, divisional: true }, options);
  }

  // --- paging ---------------------------------------------------------------------------------------------------

  private async page(path: string, options: CallOptions): Promise<{ rows: ODataRow[]; next: string | undefined }> {
    const body = await this.send({ method: 'GET', path, divisional: true }, options);
    return this.read('GET', exactEndpoint(path), () => unwrapCollection(body));
  }

  /** Every row, page after page, while Exact sends `__next`. */
  private async allPages(first: string, options: CallOptions): Promise<ODataRow[]> {
    const rows: ODataRow[] = [];
    let path: string | undefined = first;
    for (let pages = 0; path !== undefined; pages++) {
      if (pages >= this.maxPages) {
        throw new ExactUnavailable({ message: `more than ${this.maxPages} pages`, method: 'GET', endpoint: exactEndpoint(first), ambiguous: false });
      }
      const page = await this.page(path, options);
      rows.push(...page.rows);
      path = page.next;
    }
    return rows;
  }

  // --- one call -------------------------------------------------------------------------------------------------

  /** Sends a request the Exact way and returns its parsed JSON (undefined for an empty answer). */
  private async send(req: Send, options: CallOptions): Promise<unknown> {
    const endpoint = exactEndpoint(req.path);
    let rejected: string | undefined;
    let refused = 0;
    for (;;) {
      if (req.divisional) {
        if (!this.options.budget || this.options.division === undefined) throw invalidInput('a division endpoint needs the division and its budget');
        await this.options.budget.take(this.options.division, { signal: options.signal, ...(options.maxBudgetWaitMs !== undefined ? { maxWaitMs: options.maxBudgetWaitMs } : {}) });
      }
      const token = await this.options.tokens.accessToken({ signal: options.signal, rejected });
      const res = await this.request(req, endpoint, token, options.signal);
      const rate = parseRateHeaders(res.headers);

      if (res.status === 429) {
        refused++;
        const until = await this.noteRefusal(rate);
        if (refused > this.maxRateLimitRetries) throw new ExactRateLimited({ ...until, division: this.options.division, endpoint });
        // The next `take` waits for the reset (or ends the run when it is far): never a burst.
        continue;
      }
      if (req.divisional) await this.noteLimits(rate);

      const html = isHtmlAnswer(res.headers.get('content-type'), res.body);
      if (html && ((res.status >= 200 && res.status < 300) || res.status === 503)) {
        throw new ExactMaintenance({ status: res.status, method: req.method, endpoint, delayMs: RETRY_MAINTENANCE_MS });
      }
      if (res.status === 401) {
        this.countClientError(endpoint, res.status);
        if (rejected === undefined) {
          // Expired or revoked meanwhile: one refresh, one more try.
          rejected = token;
          continue;
        }
        throw new ExactAuthError({ reason: 'exact refused a freshly refreshed token (401)', needsReauth: false, division: this.options.division });
      }
      if (res.status >= 400 && res.status < 500) {
        this.countClientError(endpoint, res.status);
        throw new ExactRequestRejected({ status: res.status, method: req.method, endpoint, vendorMessage: parseErrorMessage(res.body) });
      }
      if (res.status >= 300) {
        const ambiguous = req.method !== 'GET';
        throw new ExactUnavailable({ message: `HTTP ${res.status}`, method: req.method, endpoint, status: res.status, ambiguous });
      }
      if (res.body.trim() === '') return undefined;
      try {
        return JSON.parse(res.body) as unknown;
      } catch {
        throw new ExactUnavailable({
          message: `expected JSON, got ${res.headers.get('content-type') ?? 'no content type'}`,
          method: req.method,
          endpoint,
          status: res.status,
          ambiguous: req.method !== 'GET',
        });
      }
    }
  }

  private async request(req: Send, endpoint: string, token: string, signal: AbortSignal | undefined): Promise<VendorResponse<string>> {
    try {
      return await this.http.request<string>({
        method: req.method,
        path: req.path,
        json: req.json,
        headers: { ...req.headers, authorization: bearerAuth(token), accept: 'application/json' },
        parse: 'text',
        signal,
      });
    } catch (error) {
      if (error instanceof CancelledFailure || !(error instanceof ApplicationFailure)) throw error;
      const details = error.details?.[0] as { ambiguous?: boolean } | undefined;
      throw new ExactUnavailable({
        message: error.message,
        method: req.method,
        endpoint,
        ambiguous: details?.ambiguous === true,
        timedOut: error.type === FailureType.VendorTimeout,
        cause: error,
      });
    }
  }

  private async noteLimits(rate: ExactRateHeaders): Promise<void> {
    if (!hasRateHeaders(rate) || !this.options.budget || this.options.division === undefined) return;
    try {
      await this.options.budget.note(this.options.division, rate);
    } catch (error) {
      // The answer is good; the next answer's headers bring the budget up to date.
      this.options.logger.warn({ division: this.options.division, err: error }, 'could not note exact rate headers');
    }
  }

  private async noteRefusal(rate: ExactRateHeaders): Promise<{ retryAtMs: number; scope: 'minutely' | 'daily' }> {
    if (!this.options.budget || this.options.division === undefined) throw invalidInput('a division endpoint needs the division and its budget');
    return this.options.budget.refused(this.options.division, rate);
  }

  private countClientError(endpoint: string, status: number): void {
    const n = recordClientError(this.options.division, endpoint, Date.now());
    if (n >= this.errorWarnAt) {
      this.options.logger.warn({ division: this.options.division, endpoint, status, errorsLastHour: n }, 'approaching exact’s error limit (10 client errors per endpoint and hour block the key)');
    }
  }

  /** Maps a 2xx answer; an unreadable one becomes a retryable failure (a write's: outcome unknown). */
  private read<T>(method: HttpMethod, endpoint: string, map: () => T, write = false): T {
    try {
      return map();
    } catch (error) {
      throw new ExactUnavailable({ message: `unexpected answer (${(error as Error).message})`, method, endpoint, ambiguous: write });
    }
  }
}

function parseErrorMessage(text: string): string | undefined {
  try {
    const message = odataErrorMessage(JSON.parse(text));
    return message === undefined ? undefined : message.slice(0, 300);
  } catch {
    return undefined;
  }
}

function invalidInput(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message: `exact-online: ${message}`, nonRetryable: true });
}
