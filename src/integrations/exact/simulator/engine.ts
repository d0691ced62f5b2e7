/**
 * The simulated Exact Online environment, independent of HTTP: one user with access to some divisions, their
 * accounts and Deleted logs, the rowversion counters, OAuth state, limits, faults, the clock and the call record.
 * The HTTP layer (api-routes, oauth-routes, control-routes) and the in-process handle both work through it.
 */
import { randomUUID } from 'node:crypto';
import { parseAccountBody, type AccountChanges } from './account-input';
import { CallLog } from './calls';
import { SimClock } from './clock';
import { FaultPlan, type ExactFaults } from './faults';
import { defaultLimits, ErrorLimiter, RateLimiter, validateLimits, type ExactLimits } from './limits';
import { defaultLifetimes, OAuthServer, type OAuthSnapshot, type SimUser, type TokenLifetimes } from './oauth';
import { ODataError } from './odata';
import { mixSeed, seededRng, type Rng } from './random';
import { generateAccounts } from './seed-data';
import { DivisionData, type DeletedRow, type DivisionInfo } from './store';
import { blankAccount, countryName, DELETED_ENTITY_TYPE_ACCOUNTS, REGULAR_PAGE_SIZE, SYNC_PAGE_SIZE, type SimRow } from './wire';

export interface DivisionSpec {
  code: number;
  description?: string;
}

export interface ExactEngineOptions {
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs (empty or absent: any http(s) URI). */
  redirectUris?: string[];
  /** The divisions the simulated user has; the first is `CurrentDivision`. */
  divisions: Array<number | DivisionSpec>;
  /** The simulated user (who logs in on the authorize page and calls the API). */
  user?: Partial<SimUser>;
  limits?: Partial<ExactLimits>;
  lifetimes?: Partial<TokenLifetimes>;
  faults?: ExactFaults;
  /** Seed of the fault draws (default 1). */
  seed?: number;
  /** When set, account and deletion GUIDs come from this seed (else node:crypto): reproducible runs in one process. */
  idSeed?: number;
  /** First rowversion of the database the divisions start on (default 3 000 000 000, above Int32 on purpose). */
  timestampStart?: bigint | number | string;
  /** How long `sync/Deleted` keeps a deletion (Exact: two months). */
  deletedRetentionDays?: number;
  pageSizes?: { regular?: number; sync?: number };
  /** Accounts seeded into every division at start and on reset. */
  seedAccounts?: { perDivision: number; rngSeed?: number };
}

/** Who made a change: the API's user, or an Exact user working in Exact's own screens. */
export interface Actor {
  id: string;
  fullName: string;
}

/** The state a state file keeps (JSON-safe: bigints as strings). */
export interface ExactSnapshot {
  version: 1;
  databases: Array<[number, string]>;
  nextDatabase: number;
  divisions: Array<{
    info: Omit<DivisionInfo, 'hid'> & { hid: string };
    accounts: Array<Record<string, unknown>>;
    deleted: Array<Record<string, unknown>>;
  }>;
  oauth: OAuthSnapshot;
}

const bigintsToStrings = (row: SimRow): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]));

export interface DivisionStats {
  division: number;
  description: string;
  accounts: number;
  deleted: number;
  lastTimestamp: string;
  divisionMoveDate: number | null;
  calls: number;
  countedCalls: number;
  /** Calls refused with 429 because a limit was reached (attempts over the limit). */
  overLimit: number;
  /** 429s forced by the rateLimit429 fault. */
  forced429: number;
  errorLimitBlocks: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_TIMESTAMP_START = 3_000_000_000n;

function toBigInt(v: bigint | number | string | undefined, fallback: bigint): bigint {
  if (v === undefined) return fallback;
  const b = BigInt(v);
  if (b < 0n) throw new RangeError('timestampStart must not be negative');
  return b;
}

export class ExactEngine {
  readonly clock = new SimClock();
  readonly calls = new CallLog();
  readonly faults: FaultPlan;
  readonly oauth: OAuthServer;
  readonly rates: RateLimiter;
  readonly errors: ErrorLimiter;
  /** An Exact user other than the API's, making edits in Exact's screens (control API `edit`/`create`/`delete`). */
  readonly officeUser: Actor = { id: randomUUID(), fullName: 'Femke de Boer (administratie)' };
  readonly pageSizes: { regular: number; sync: number };
  readonly deletedRetentionMs: number;
  private limitValues: ExactLimits;
  private readonly divisions = new Map<number, DivisionData>();
  /** Rowversion counter per database (the last value handed out). */
  private readonly databases = new Map<number, bigint>();
  private nextDatabase = 1;
  private idRng: Rng | null = null;
  private readonly perDivision = new Map<number, { overLimit: number; forced429: number; blocks: number }>();
  private changes = 0;

  constructor(private readonly options: ExactEngineOptions) {
    this.limitValues = { ...defaultLimits(), ...(options.limits ?? {}) };
    validateLimits(this.limitValues);
    this.pageSizes = { regular: options.pageSizes?.regular ?? REGULAR_PAGE_SIZE, sync: options.pageSizes?.sync ?? SYNC_PAGE_SIZE };
    this.deletedRetentionMs = (options.deletedRetentionDays ?? 61) * DAY;
    const user: SimUser = {
      id: options.user?.id ?? randomUUID(),
      userName: options.user?.userName ?? 'jan.jansen@voorbeeld.nl',
      fullName: options.user?.fullName ?? 'Jan Jansen',
      firstName: options.user?.firstName ?? 'Jan',
      lastName: options.user?.lastName ?? 'Jansen',
      email: options.user?.email ?? 'jan.jansen@voorbeeld.nl',
      languageCode: options.user?.languageCode ?? 'nl-NL',
    };
    this.faults = new FaultPlan(seededRng(options.seed ?? 1));
    this.oauth = new OAuthServer(
      this.clock,
      { clientId: options.clientId, clientSecret: options.clientSecret, redirectUris: options.redirectUris ?? [] },
      user,
      () => this.limitValues,
      { ...defaultLifetimes(), ...(options.lifetimes ?? {}) },
    );
    this.rates = new RateLimiter(() => this.limitValues);
    this.errors = new ErrorLimiter(() => this.limitValues);
    if (options.divisions.length === 0) throw new RangeError('the user needs at least one division');
    this.reset();
  }

  get user(): SimUser {
    return this.oauth.user;
  }

  get apiActor(): Actor {
    return { id: this.user.id, fullName: this.user.fullName };
  }

  limits(): ExactLimits {
    return { ...this.limitValues };
  }

  setLimits(partial: Partial<ExactLimits>): ExactLimits {
    const next = { ...this.limitValues, ...partial };
    validateLimits(next);
    this.limitValues = next;
    return this.limits();
  }

  /** Back to the start state: no tokens, no calls, initial faults, limits and clock, divisions re-created (and re-seeded). */
  reset(): void {
    this.clock.setOffset(0);
    this.calls.clear();
    this.oauth.clear();
    this.rates.clear();
    this.errors.clear();
    this.faults.reset(seededRng(this.options.seed ?? 1), this.options.faults ?? {});
    this.limitValues = { ...defaultLimits(), ...(this.options.limits ?? {}) };
    this.idRng = this.options.idSeed === undefined ? null : seededRng(this.options.idSeed);
    this.divisions.clear();
    this.databases.clear();
    this.perDivision.clear();
    this.nextDatabase = 1;
    const db = this.newDatabase(toBigInt(this.options.timestampStart, DEFAULT_TIMESTAMP_START));
    for (const spec of this.options.divisions) this.addDivision(typeof spec === 'number' ? { code: spec } : spec, db);
    const seed = this.options.seedAccounts;
    if (seed !== undefined && seed.perDivision > 0) for (const code of this.divisions.keys()) this.seed(code, seed.perDivision, seed.rngSeed ?? 1);
  }

  private newDatabase(start: bigint): number {
    const id = this.nextDatabase++;
    this.databases.set(id, start - 1n);
    return id;
  }

  newId(): string {
    return this.idRng === null ? randomUUID() : this.idRng.guid();
  }

  // --- divisions ---------------------------------------------------------------------------------------------------

  addDivision(spec: DivisionSpec, database = 1): DivisionData {
    if (!Number.isInteger(spec.code) || spec.code <= 0 || spec.code > 2147483647) throw new RangeError('a division code is a positive Int32');
    if (this.divisions.has(spec.code)) throw new RangeError(`division ${spec.code} exists`);
    const info: DivisionInfo = {
      code: spec.code,
      description: spec.description ?? `Administratie ${spec.code}`,
      moveDate: null,
      created: this.clock.now() - 3 * 365 * DAY,
      hid: BigInt(spec.code),
      customer: this.newId(),
      customerName: spec.description ?? `Voorbeeld Holding B.V.`,
      database,
    };
    const data = new DivisionData(info);
    this.divisions.set(spec.code, data);
    this.perDivision.set(spec.code, { overLimit: 0, forced429: 0, blocks: 0 });
    this.changes++;
    return data;
  }

  divisionCodes(): number[] {
    return [...this.divisions.keys()];
  }

  hasDivision(code: number): boolean {
    return this.divisions.has(code);
  }

  division(code: number): DivisionData {
    const d = this.divisions.get(code);
    if (d === undefined) throw new ODataError(404, `Division ${code} does not exist.`);
    return d;
  }

  private nextTimestamp(d: DivisionData): bigint {
    const value = this.databases.get(d.info.database)! + 1n;
    this.databases.set(d.info.database, value);
    return value;
  }

  /**
   * The division moves to another database: `DivisionMoveDate` becomes now and every timestamp is renumbered from
   * `timestampStart` (default: 1 000, far below anything seen before), so a client's stored cursor no longer means
   * anything and only `DivisionMoveDate` tells it so.
   */
  moveDivision(code: number, options: { timestampStart?: bigint | number | string } = {}): DivisionInfo {
    const d = this.division(code);
    const db = this.newDatabase(toBigInt(options.timestampStart, 1000n));
    d.info.database = db;
    d.info.moveDate = this.clock.now();
    d.renumber(() => this.nextTimestamp(d));
    this.changes++;
    return { ...d.info };
  }

  // --- accounts ----------------------------------------------------------------------------------------------------

  /** Creates an account from checked changes (see account-input); Code defaults to the highest + 1. */
  createAccount(code: number, changes: AccountChanges, actor: Actor, at = this.clock.now(), bulk = false): SimRow {
    const d = this.division(code);
    const id = typeof changes.ID === 'string' ? changes.ID : this.newId();
    if (d.get(id) !== undefined) throw new ODataError(400, `An account with ID ${id} already exists.`);
    const accountCode = typeof changes.Code === 'string' ? changes.Code : d.nextCode();
    if (d.idForCode(accountCode) !== undefined) throw new ODataError(400, `Code: the code '${accountCode.trim()}' is already in use.`);
    const now = this.clock.now();
    const row = blankAccount();
    for (const name in changes) if (name in row) row[name] = changes[name]!;
    row.ID = id;
    row.Code = accountCode;
    row.Status = changes.Status ?? 'C';
    row.Type = 'A';
    row.IsSales = changes.IsSales ?? true;
    row.CountryName = countryName((changes.Country as string | null | undefined) ?? null);
    row.Created = at;
    row.Creator = actor.id;
    row.CreatorFullName = actor.fullName;
    row.Modified = now;
    row.Modifier = actor.id;
    row.ModifierFullName = actor.fullName;
    row.Division = code;
    row.Timestamp = this.nextTimestamp(d);
    d.insert(row, bulk);
    this.changes++;
    return row;
  }

  /** Applies checked changes to an account (every update takes a new Timestamp, changed or not). */
  updateAccount(code: number, id: string, changes: AccountChanges, actor: Actor): SimRow | undefined {
    const d = this.division(code);
    const row = d.get(id.toLowerCase());
    if (row === undefined) return undefined;
    if (typeof changes.Code === 'string' && changes.Code !== row.Code) {
      const holder = d.idForCode(changes.Code);
      if (holder !== undefined && holder !== row.ID) throw new ODataError(400, `Code: the code '${changes.Code.trim()}' is already in use.`);
    }
    const previousCode = row.Code as string;
    for (const name in changes) if (name in row && name !== 'ID') row[name] = changes[name]!;
    if ('Country' in changes) row.CountryName = countryName((row.Country as string | null) ?? null);
    row.Modified = this.clock.now();
    row.Modifier = actor.id;
    row.ModifierFullName = actor.fullName;
    row.Timestamp = this.nextTimestamp(d);
    d.touched(row, previousCode);
    this.changes++;
    return row;
  }

  /** Deletes an account and records it in the Deleted log (EntityType 2). */
  deleteAccount(code: number, id: string, actor: Actor): DeletedRow | undefined {
    const d = this.division(code);
    const key = id.toLowerCase();
    if (d.get(key) === undefined) return undefined;
    const deletedRow: DeletedRow = {
      Timestamp: this.nextTimestamp(d),
      DeletedBy: actor.id,
      DeletedDate: this.clock.now(),
      Division: code,
      EntityKey: key,
      EntityType: DELETED_ENTITY_TYPE_ACCOUNTS,
      ID: this.newId(),
    };
    d.remove(key, deletedRow);
    this.changes++;
    return deletedRow;
  }

  /** An edit as an Exact user makes it in Exact's screens (same validation as the API, ID allowed on create). */
  userCreate(code: number, body: unknown): SimRow {
    return this.createAccount(code, parseAccountBody(body, 'create', { allowId: true }), this.officeUser);
  }

  userUpdate(code: number, id: string, body: unknown): SimRow | undefined {
    return this.updateAccount(code, id, parseAccountBody(body, 'update'), this.officeUser);
  }

  userDelete(code: number, id: string): DeletedRow | undefined {
    return this.deleteAccount(code, id, this.officeUser);
  }

  /**
   * Adds `n` generated Dutch accounts to a division. The data depends only on (`rngSeed`, division, the number of
   * accounts seeded into it before), so the same calls give the same accounts; GUIDs follow `idSeed` if set.
   */
  seed(code: number, n: number, rngSeed = 1): SimRow[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
    const d = this.division(code);
    const rng = seededRng(mixSeed(rngSeed, code, d.accounts.size));
    const existing: string[] = [];
    for (const row of d.accounts.values()) if (typeof row.ChamberOfCommerce === 'string' && /^\d{8}$/.test(row.ChamberOfCommerce)) existing.push(row.ChamberOfCommerce);
    const now = this.clock.now();
    const rows: SimRow[] = [];
    for (const g of generateAccounts(rng, n, existing)) {
      const { ageMs, ...fields } = g;
      const created = now - ageMs;
      const row = this.createAccount(code, fields, this.officeUser, created, true);
      // A seeded account was last modified somewhere between its creation and now.
      row.Modified = created + Math.floor(rng.next() * ageMs);
      rows.push(row);
    }
    return rows;
  }

  /**
   * Sets faults (`merge` or `replace`); `expireTokens: true` among them is a one-shot action, not a standing fault:
   * every access token issued so far expires now.
   */
  applyFaults(faults: ExactFaults & { expireTokens?: boolean }, mode: 'merge' | 'replace'): ExactFaults {
    const { expireTokens, ...rest } = faults;
    if (expireTokens !== undefined && typeof expireTokens !== 'boolean') throw new RangeError('expireTokens must be a boolean');
    const result = mode === 'merge' ? this.faults.merge(rest) : this.faults.replace(rest);
    if (expireTokens === true) this.oauth.expireAccessTokens();
    return result;
  }

  // --- state file ------------------------------------------------------------------------------------------------

  /** Changes so far (accounts, divisions, tokens): a state file is saved when this moved. */
  revision(): number {
    return this.changes + this.oauth.changes;
  }

  snapshot(): ExactSnapshot {
    return {
      version: 1,
      databases: [...this.databases].map(([id, v]) => [id, String(v)]),
      nextDatabase: this.nextDatabase,
      divisions: [...this.divisions.values()].map((d) => ({
        info: { ...d.info, hid: String(d.info.hid) },
        accounts: d.rowsByTimestamp().map(bigintsToStrings),
        deleted: d.deleted.map(bigintsToStrings),
      })),
      oauth: this.oauth.snapshot(),
    };
  }

  /** Replaces divisions, accounts, deletions, counters and OAuth grants with a snapshot's. */
  restore(snapshot: ExactSnapshot): void {
    if (snapshot.version !== 1) throw new RangeError(`unsupported state version ${String(snapshot.version)}`);
    this.divisions.clear();
    this.perDivision.clear();
    this.databases.clear();
    for (const [id, v] of snapshot.databases) this.databases.set(id, BigInt(v));
    this.nextDatabase = snapshot.nextDatabase;
    for (const saved of snapshot.divisions) {
      const d = new DivisionData({ ...saved.info, hid: BigInt(saved.info.hid) });
      this.divisions.set(d.info.code, d);
      this.perDivision.set(d.info.code, { overLimit: 0, forced429: 0, blocks: 0 });
      for (const a of saved.accounts) {
        const row = blankAccount();
        for (const name in a) if (name in row) row[name] = a[name] as SimRow[string];
        row.Timestamp = BigInt(a.Timestamp as string);
        d.insert(row, true);
      }
      d.deleted = saved.deleted.map((r) => ({ ...(r as object), Timestamp: BigInt(r.Timestamp as string) }) as DeletedRow);
    }
    this.oauth.restore(snapshot.oauth);
    this.changes++;
  }

  // --- statistics ----------------------------------------------------------------------------------------------------

  noteOverLimit(division: number): void {
    const s = this.perDivision.get(division);
    if (s) s.overLimit++;
  }

  noteForced429(division: number): void {
    const s = this.perDivision.get(division);
    if (s) s.forced429++;
  }

  noteBlocked(division: number): void {
    const s = this.perDivision.get(division);
    if (s) s.blocks++;
  }

  divisionStats(): DivisionStats[] {
    return [...this.divisions.values()].map((d) => {
      const s = this.perDivision.get(d.info.code)!;
      let last = 0n;
      d.scanByTimestamp(-1n, (row) => {
        last = row.Timestamp as bigint;
        return true;
      });
      const lastDeleted = d.deleted.at(-1)?.Timestamp ?? 0n;
      return {
        division: d.info.code,
        description: d.info.description,
        accounts: d.accounts.size,
        deleted: d.deleted.length,
        lastTimestamp: String(last > lastDeleted ? last : lastDeleted),
        divisionMoveDate: d.info.moveDate,
        calls: this.calls.count({ division: d.info.code }),
        countedCalls: this.calls.list({ division: d.info.code }).filter((c) => c.counted).length,
        overLimit: s.overLimit,
        forced429: s.forced429,
        errorLimitBlocks: s.blocks,
      };
    });
  }
}
