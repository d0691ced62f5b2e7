/**
 * The simulated REST resources, after authentication, limits and faults have let a call through:
 * `current/Me`, `system/Divisions`, `crm/Accounts` (GET/POST, and GET/PUT/DELETE on `(guid'…')`),
 * `sync/CRM/Accounts` and `sync/Deleted`. Each answers a result the HTTP layer renders as JSON (or Atom).
 */
import { parseAccountBody } from './account-input';
import type { ExactEngine } from './engine';
import { compileFilter, conjuncts, equalityOn, ODataError, parseQueryOptions, type FilterNode, type Predicate, type QueryOptions } from './odata';
import type { DivisionData } from './store';
import {
  ACCOUNT_FIELDS,
  DELETED_FIELDS,
  DIVISION_FIELDS,
  ENTITY_TYPES,
  ME_FIELDS,
  SYNC_ACCOUNT_FIELDS,
  toJsonRow,
  type EntityDef,
  type SimRow,
} from './wire';

export type ApiResult =
  | { kind: 'collection'; title: string; def: EntityDef; rows: Array<Record<string, unknown>>; next?: string; count?: number }
  | { kind: 'entity'; status: number; title: string; def: EntityDef; row: Record<string, unknown> }
  | { kind: 'empty'; status: number }
  | { kind: 'text'; status: number; body: string };

export interface CallContext {
  engine: ExactEngine;
  /** scheme://host the client used, for `__next` and `__metadata.uri`. */
  base: string;
  method: string;
  /** Decoded path, e.g. `/api/v1/123/crm/Accounts`. */
  path: string;
  params: URLSearchParams;
  body: Buffer | undefined;
  contentType: string | undefined;
  prefer: string | undefined;
  /** Faults that shape paging (shortPages). */
  pageSizeOverride: number | null;
}

const notFound = (what: string) => new ODataError(404, what);
const methodNotAllowed = () => new ODataError(405, 'The HTTP method is not allowed on this resource.');

/** Values inside a query string the way Exact writes them in `__next`: spaces as %20, quotes and `$` kept. */
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%24/g, '$');
}

function nextLink(ctx: CallContext, overrides: Record<string, string | null>): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const [k, v] of ctx.params) {
    if (k in overrides) {
      if (seen.has(k)) continue;
      seen.add(k);
      const o = overrides[k];
      if (o !== null && o !== undefined) parts.push(`${k}=${encodeValue(o)}`);
      continue;
    }
    parts.push(`${k}=${encodeValue(v)}`);
  }
  for (const [k, v] of Object.entries(overrides)) if (!seen.has(k) && v !== null) parts.push(`${k}=${encodeValue(v)}`);
  return `${ctx.base}${ctx.path}?${parts.join('&')}`;
}

function parseJsonBody(ctx: CallContext): unknown {
  if (ctx.contentType === undefined || !/^application\/json\b/i.test(ctx.contentType))
    throw new ODataError(415, "Unsupported media type: send the body as 'application/json'.");
  const text = ctx.body?.toString('utf8') ?? '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ODataError(400, 'Error processing request stream. The JSON in the request body is not valid.');
  }
}

function predicateFor(opts: QueryOptions, def: EntityDef, typeName: string): Predicate {
  return opts.filter === null ? () => true : compileFilter(opts.filter, def, typeName);
}

function pageSize(ctx: CallContext, normal: number, top: number | null): number {
  const size = ctx.pageSizeOverride ?? normal;
  return top === null ? size : Math.min(size, top);
}

// --- current/Me ----------------------------------------------------------------------------------------------------

export function me(ctx: CallContext): ApiResult {
  if (ctx.method !== 'GET') throw methodNotAllowed();
  const opts = parseQueryOptions(ctx.params, ME_FIELDS, ENTITY_TYPES.me);
  const { engine } = ctx;
  const user = engine.user;
  const current = engine.divisionCodes()[0]!;
  const now = engine.clock.now();
  const row: SimRow = {
    UserID: user.id,
    UserName: user.userName,
    FullName: user.fullName,
    FirstName: user.firstName,
    LastName: user.lastName,
    Email: user.email,
    LanguageCode: user.languageCode,
    CurrentDivision: current,
    AccountingDivision: current,
    DivisionCustomer: engine.division(current).info.customer,
    DivisionCustomerName: engine.division(current).info.customerName,
    ServerTime: now,
    ServerUtcOffset: 0,
  };
  const rows = predicateFor(opts, ME_FIELDS, ENTITY_TYPES.me)(row) && opts.top !== 0 ? [row] : [];
  return {
    kind: 'collection',
    title: 'Me',
    def: ME_FIELDS,
    rows: rows.map((r) => toJsonRow(ME_FIELDS, r, { uri: `${ctx.base}/api/v1/current/Me(guid'${user.id}')`, type: ENTITY_TYPES.me }, opts.select ?? undefined)),
  };
}

// --- system/Divisions ----------------------------------------------------------------------------------------------

export function divisions(ctx: CallContext, division: number): ApiResult {
  if (ctx.method !== 'GET') throw methodNotAllowed();
  const opts = parseQueryOptions(ctx.params, DIVISION_FIELDS, ENTITY_TYPES.division);
  const predicate = predicateFor(opts, DIVISION_FIELDS, ENTITY_TYPES.division);
  const after = opts.skiptoken === null ? 0 : Number(opts.skiptoken);
  if (!Number.isInteger(after)) throw new ODataError(400, 'Invalid $skiptoken.');
  const all = ctx.engine
    .divisionCodes()
    .sort((a, b) => a - b)
    .filter((code) => code > after)
    .map((code) => {
      const info = ctx.engine.division(code).info;
      const row: SimRow = {
        Code: info.code,
        Description: info.description,
        HID: info.hid,
        Country: 'NL',
        Currency: 'EUR',
        Customer: info.customer,
        CustomerName: info.customerName,
        DivisionMoveDate: info.moveDate,
        Main: code === ctx.engine.divisionCodes()[0],
        Status: 1,
        Created: info.created,
        Modified: info.moveDate ?? info.created,
      };
      return row;
    })
    .filter(predicate);
  const size = pageSize(ctx, ctx.engine.pageSizes.regular, opts.top);
  const page = all.slice(0, size);
  const more = all.length > size && (opts.top === null || opts.top > size);
  return {
    kind: 'collection',
    title: 'Divisions',
    def: DIVISION_FIELDS,
    rows: page.map((r) =>
      toJsonRow(DIVISION_FIELDS, r, { uri: `${ctx.base}/api/v1/${division}/system/Divisions(${String(r.Code)})`, type: ENTITY_TYPES.division }, opts.select ?? undefined),
    ),
    ...(more
      ? { next: nextLink(ctx, { $skiptoken: String(page.at(-1)!.Code), ...(opts.top === null ? {} : { $top: String(opts.top - size) }) }) }
      : {}),
  };
}

// --- crm/Accounts ----------------------------------------------------------------------------------------------------

const accountUri = (ctx: CallContext, division: number, id: unknown) => `${ctx.base}/api/v1/${division}/crm/Accounts(guid'${String(id)}')`;

function accountJson(ctx: CallContext, division: number, row: SimRow, select?: readonly string[]): Record<string, unknown> {
  return toJsonRow(ACCOUNT_FIELDS, row, { uri: accountUri(ctx, division, row.ID), type: ENTITY_TYPES.account }, select);
}

/** `ID eq guid'…'` among the filter's and-ed terms → that ID (the one index look-up worth having). */
function idLookup(filter: FilterNode | null): string | null {
  if (filter === null) return null;
  for (const term of conjuncts(filter) ?? []) {
    const lit = equalityOn(term, 'ID');
    if (lit !== null && lit.type === 'Edm.Guid') return String(lit.value);
  }
  return null;
}

function listAccounts(ctx: CallContext, d: DivisionData, division: number): ApiResult {
  const opts = parseQueryOptions(ctx.params, ACCOUNT_FIELDS, ENTITY_TYPES.account);
  const predicate = predicateFor(opts, ACCOUNT_FIELDS, ENTITY_TYPES.account);
  let after: string | null = null;
  if (opts.skiptoken !== null) {
    const m = /^guid'([0-9a-fA-F-]{36})'$/.exec(opts.skiptoken);
    if (m === null) throw new ODataError(400, `Invalid $skiptoken '${opts.skiptoken}'.`);
    after = m[1]!.toLowerCase();
  }
  const size = pageSize(ctx, ctx.engine.pageSizes.regular, opts.top);
  const rows: SimRow[] = [];
  let more = false;
  let count = 0;
  const id = idLookup(opts.filter);
  if (id !== null) {
    const row = d.get(id);
    if (row !== undefined && predicate(row) && (after === null || id > after) && size > 0) rows.push(row);
    count = rows.length;
  } else {
    const ordered = d.rowsById();
    for (let i = d.idPositionAfter(after); i < ordered.length; i++) {
      const row = ordered[i]!;
      if (!predicate(row)) continue;
      if (rows.length < size) rows.push(row);
      else {
        more = true;
        if (!opts.inlinecount) break;
      }
      count++;
    }
    if (opts.inlinecount && after !== null) {
      // __count is the total of the whole query, not of what is left after the skiptoken.
      count = 0;
      for (const row of ordered) if (predicate(row)) count++;
    }
  }
  const topLeft = opts.top === null ? null : opts.top - rows.length;
  const next =
    more && rows.length > 0 && (topLeft === null || topLeft > 0)
      ? nextLink(ctx, { $skiptoken: `guid'${String(rows.at(-1)!.ID)}'`, ...(topLeft === null ? {} : { $top: String(topLeft) }) })
      : undefined;
  return {
    kind: 'collection',
    title: 'Accounts',
    def: ACCOUNT_FIELDS,
    rows: rows.map((r) => accountJson(ctx, division, r, opts.select ?? undefined)),
    ...(next === undefined ? {} : { next }),
    ...(opts.inlinecount ? { count } : {}),
  };
}

function countAccounts(ctx: CallContext, d: DivisionData): ApiResult {
  const opts = parseQueryOptions(ctx.params, ACCOUNT_FIELDS, ENTITY_TYPES.account);
  const predicate = predicateFor(opts, ACCOUNT_FIELDS, ENTITY_TYPES.account);
  let n = 0;
  for (const row of d.accounts.values()) if (predicate(row)) n++;
  return { kind: 'text', status: 200, body: String(n) };
}

function createAccount(ctx: CallContext, division: number): ApiResult {
  const body = parseJsonBody(ctx);
  const changes = parseAccountBody(body, 'create');
  const row = ctx.engine.createAccount(division, changes, ctx.engine.apiActor);
  // Exact fills in the whole entity only when asked with `Prefer: return=representation`.
  const full = ctx.prefer !== undefined && /return=representation/i.test(ctx.prefer);
  const select = full ? undefined : ['ID', ...Object.keys(changes).filter((k) => k !== 'ID')];
  return { kind: 'entity', status: 201, title: 'Accounts', def: ACCOUNT_FIELDS, row: accountJson(ctx, division, row, select) };
}

function accountByKey(ctx: CallContext, d: DivisionData, division: number, id: string): ApiResult {
  const row = d.get(id);
  if (ctx.method === 'GET') {
    const opts = parseQueryOptions(ctx.params, ACCOUNT_FIELDS, ENTITY_TYPES.account);
    if (opts.filter !== null || opts.top !== null || opts.skiptoken !== null) throw new ODataError(400, 'Query options $filter, $top and $skiptoken are not allowed on a single entity.');
    if (row === undefined) throw notFound('Resource not found for the segment \'Accounts\'.');
    return { kind: 'entity', status: 200, title: 'Accounts', def: ACCOUNT_FIELDS, row: accountJson(ctx, division, row, opts.select ?? undefined) };
  }
  if (ctx.method === 'PUT') {
    const changes = parseAccountBody(parseJsonBody(ctx), 'update');
    const updated = ctx.engine.updateAccount(division, id, changes, ctx.engine.apiActor);
    if (updated === undefined) throw notFound('Object not found: the account does not exist.');
    return { kind: 'empty', status: 204 };
  }
  if (ctx.method === 'DELETE') {
    if (ctx.engine.deleteAccount(division, id, ctx.engine.apiActor) === undefined) throw notFound('Object not found: the account does not exist.');
    return { kind: 'empty', status: 204 };
  }
  throw methodNotAllowed();
}

// --- sync/CRM/Accounts and sync/Deleted ------------------------------------------------------------------------------

/**
 * On Sync endpoints only `Timestamp` may be filtered on (and `EntityType` on Deleted), in and-ed comparisons. Returns
 * the lower bound to start scanning from (rows with Timestamp > bound), the rest is checked by the predicate.
 */
function syncBounds(opts: QueryOptions, allowed: ReadonlySet<string>): bigint {
  let after = 0n;
  if (opts.filter !== null) {
    const terms = conjuncts(opts.filter);
    if (terms === null) throw new ODataError(400, "Sync endpoints accept only 'and'-ed comparisons on Timestamp in $filter.");
    for (const term of terms) {
      if (term.kind !== 'cmp') throw new ODataError(400, 'Sync endpoints accept only comparisons on Timestamp in $filter.');
      const field = term.left.kind === 'field' ? term.left : term.right.kind === 'field' ? term.right : null;
      if (field === null || field.kind !== 'field' || !allowed.has(field.name))
        throw new ODataError(400, `Sync endpoints can only be filtered on ${[...allowed].join(' and ')}.`);
      if (field.name !== 'Timestamp') continue;
      const lit = term.left.kind === 'lit' ? term.left : term.right.kind === 'lit' ? term.right : null;
      if (lit === null || lit.type !== 'Edm.Int64') continue; // the type check reports it
      const fieldLeft = term.left.kind === 'field';
      const op = fieldLeft ? term.op : ({ gt: 'lt', ge: 'le', lt: 'gt', le: 'ge', eq: 'eq', ne: 'ne' } as const)[term.op];
      const v = lit.value as bigint;
      if (op === 'gt' && v > after) after = v;
      if ((op === 'ge' || op === 'eq') && v - 1n > after) after = v - 1n;
    }
  }
  if (opts.inlinecount) throw new ODataError(400, '$inlinecount is not supported on Sync endpoints.');
  if (opts.skiptoken !== null) {
    const m = /^(\d+)L$/.exec(opts.skiptoken);
    if (m === null) throw new ODataError(400, `Invalid $skiptoken '${opts.skiptoken}'.`);
    const v = BigInt(m[1]!);
    if (v > after) after = v;
  }
  return after;
}

const SYNC_ACCOUNT_FILTERABLE = new Set(['Timestamp']);
const DELETED_FILTERABLE = new Set(['Timestamp', 'EntityType']);

function syncAccounts(ctx: CallContext, d: DivisionData, division: number): ApiResult {
  if (ctx.method !== 'GET') throw methodNotAllowed();
  const opts = parseQueryOptions(ctx.params, SYNC_ACCOUNT_FIELDS, ENTITY_TYPES.syncAccount);
  const predicate = predicateFor(opts, SYNC_ACCOUNT_FIELDS, ENTITY_TYPES.syncAccount);
  const after = syncBounds(opts, SYNC_ACCOUNT_FILTERABLE);
  const size = pageSize(ctx, ctx.engine.pageSizes.sync, opts.top);
  const rows: SimRow[] = [];
  let more = false;
  d.scanByTimestamp(after, (row) => {
    if (!predicate(row)) return true;
    if (rows.length < size) {
      rows.push(row);
      return true;
    }
    more = true;
    return false;
  });
  return syncPage(ctx, rows, more, opts, {
    title: 'Accounts',
    def: SYNC_ACCOUNT_FIELDS,
    uri: (r) => `${ctx.base}/api/v1/${division}/sync/CRM/Accounts(${String(r.Timestamp)}L)`,
    type: ENTITY_TYPES.syncAccount,
  });
}

function syncDeleted(ctx: CallContext, d: DivisionData, division: number): ApiResult {
  if (ctx.method !== 'GET') throw methodNotAllowed();
  const opts = parseQueryOptions(ctx.params, DELETED_FIELDS, ENTITY_TYPES.deleted);
  const predicate = predicateFor(opts, DELETED_FIELDS, ENTITY_TYPES.deleted);
  const after = syncBounds(opts, DELETED_FILTERABLE);
  const size = pageSize(ctx, ctx.engine.pageSizes.sync, opts.top);
  // Exact keeps deletions for two months.
  const oldest = ctx.engine.clock.now() - ctx.engine.deletedRetentionMs;
  const rows: SimRow[] = [];
  let more = false;
  d.scanDeleted(after, (row) => {
    if (row.DeletedDate < oldest || !predicate(row)) return true;
    if (rows.length < size) {
      rows.push(row);
      return true;
    }
    more = true;
    return false;
  });
  return syncPage(ctx, rows, more, opts, {
    title: 'Deleted',
    def: DELETED_FIELDS,
    uri: (r) => `${ctx.base}/api/v1/${division}/sync/Deleted(${String(r.Timestamp)}L)`,
    type: ENTITY_TYPES.deleted,
  });
}

function syncPage(
  ctx: CallContext,
  rows: SimRow[],
  more: boolean,
  opts: QueryOptions,
  shape: { title: string; def: EntityDef; uri: (row: SimRow) => string; type: string },
): ApiResult {
  const topLeft = opts.top === null ? null : opts.top - rows.length;
  const next =
    more && rows.length > 0 && (topLeft === null || topLeft > 0)
      ? nextLink(ctx, { $skiptoken: `${String(rows.at(-1)!.Timestamp)}L`, ...(topLeft === null ? {} : { $top: String(topLeft) }) })
      : undefined;
  return {
    kind: 'collection',
    title: shape.title,
    def: shape.def,
    rows: rows.map((r) => toJsonRow(shape.def, r, { uri: shape.uri(r), type: shape.type }, opts.select ?? undefined)),
    ...(next === undefined ? {} : { next }),
  };
}

// --- routing -------------------------------------------------------------------------------------------------------

/** The endpoint name a division path belongs to (for the error limit, faults and the call record), or null. */
export function endpointOf(rest: string): string | null {
  if (rest === 'system/Divisions') return 'system/Divisions';
  if (rest === 'crm/Accounts' || rest === 'crm/Accounts/$count' || /^crm\/Accounts\(.*\)$/.test(rest)) return 'crm/Accounts';
  if (rest === 'sync/CRM/Accounts') return 'sync/CRM/Accounts';
  if (rest === 'sync/Deleted') return 'sync/Deleted';
  return null;
}

/** Answers a call to `/api/v1/{division}/{rest}`. */
export function divisionCall(ctx: CallContext, division: number, rest: string): ApiResult {
  const d = ctx.engine.division(division);
  if (rest === 'system/Divisions') return divisions(ctx, division);
  if (rest === 'crm/Accounts') {
    if (ctx.method === 'GET') return listAccounts(ctx, d, division);
    if (ctx.method === 'POST') return createAccount(ctx, division);
    throw methodNotAllowed();
  }
  if (rest === 'crm/Accounts/$count') {
    if (ctx.method !== 'GET') throw methodNotAllowed();
    return countAccounts(ctx, d);
  }
  const key = /^crm\/Accounts\((.*)\)$/.exec(rest);
  if (key !== null) {
    const m = /^guid'([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})'$/.exec(key[1]!);
    if (m === null) throw new ODataError(400, `Bad Request - Error in query syntax: the key '${key[1]}' is not a guid'…' literal.`);
    return accountByKey(ctx, d, division, m[1]!.toLowerCase());
  }
  if (rest === 'sync/CRM/Accounts') return syncAccounts(ctx, d, division);
  if (rest === 'sync/Deleted') return syncDeleted(ctx, d, division);
  throw notFound(`Resource not found for the segment '${rest.split('/').at(-1)}'.`);
}
