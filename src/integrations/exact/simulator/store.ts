/**
 * In-memory state of the simulated Exact environment: divisions, their accounts and their Deleted logs.
 *
 * Every insert, update and delete takes the next value of the database's rowversion counter (`Timestamp`): unique,
 * monotonically increasing, unrelated to wall time, shared by every division on the same database (as SQL
 * Server's rowversion is), so a division's timestamps have gaps. Moving a division puts it on a new database whose
 * counter starts elsewhere (lower by default): the timestamps reset and `DivisionMoveDate` changes.
 *
 * Built for 50 000+ accounts a division: accounts by ID in a Map, codes in a Map, an append-only log of
 * (timestamp, ID) that is sorted by construction (stale entries skipped, compacted now and then) for the Sync API,
 * an ID-sorted index for the regular endpoint's `$skiptoken=guid'…'` paging (rebuilt lazily after bulk seeds).
 */
import { padCode, type SimRow } from './wire';

export interface DivisionInfo {
  code: number;
  description: string;
  /** `DivisionMoveDate`: when the division last moved to another database (null: never). */
  moveDate: number | null;
  created: number;
  hid: bigint;
  customer: string;
  customerName: string;
  database: number;
}

interface LogEntry {
  ts: bigint;
  /** The row as it was logged; stale once the row has a newer Timestamp or was deleted (Timestamp -1). */
  row: SimRow;
}

/** The first index of a log sorted by `key` whose key is greater than `after`. */
function firstAfter<T>(log: readonly T[], after: bigint, key: (entry: T) => bigint): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(log[mid]!) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index of an ID-sorted row array whose ID is greater than `after`. */
function firstIdAfter(sorted: readonly SimRow[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid]!.ID as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A deleted row's Timestamp: no log entry matches it any more. */
const GONE = -1n;

const numericCode = (code: unknown): number | null => {
  if (typeof code !== 'string') return null;
  const t = code.trim();
  return /^\d{1,15}$/.test(t) ? Number(t) : null;
};

export interface DeletedRow extends SimRow {
  Timestamp: bigint;
  DeletedBy: string;
  DeletedDate: number;
  Division: number;
  EntityKey: string;
  EntityType: number;
  ID: string;
}

export class DivisionData {
  readonly accounts = new Map<string, SimRow>();
  private readonly byCode = new Map<string, string>();
  /** Live rows sorted by ID (rebuilt lazily after bulk inserts). */
  private idIndex: SimRow[] = [];
  private idIndexValid = true;
  private log: LogEntry[] = [];
  deleted: DeletedRow[] = [];
  /** Highest numeric Code among existing accounts; null when it must be recomputed (the highest was removed). */
  private maxCode: number | null = 0;

  constructor(public info: DivisionInfo) {}

  get(id: string): SimRow | undefined {
    return this.accounts.get(id);
  }

  idForCode(paddedCode: string): string | undefined {
    return this.byCode.get(paddedCode);
  }

  /** Exact's rule for a create without Code: the highest existing numeric code plus one. */
  nextCode(): string {
    if (this.maxCode === null) {
      let max = 0;
      for (const row of this.accounts.values()) max = Math.max(max, numericCode(row.Code) ?? 0);
      this.maxCode = max;
    }
    return padCode(String(this.maxCode + 1));
  }

  /** Adds a fully built account row (ID, Code and Timestamp set). */
  insert(row: SimRow, bulk = false): void {
    const id = row.ID as string;
    this.accounts.set(id, row);
    this.byCode.set(row.Code as string, id);
    this.noteCode(row.Code);
    this.log.push({ ts: row.Timestamp as bigint, row });
    if (bulk || !this.idIndexValid) this.idIndexValid = false;
    else this.idIndex.splice(firstIdAfter(this.idIndex, id), 0, row);
  }

  /** Records an account's new version: a changed Code is re-indexed, the new Timestamp appended to the log. */
  touched(row: SimRow, previousCode: string): void {
    if (previousCode !== row.Code) {
      this.byCode.delete(previousCode);
      this.byCode.set(row.Code as string, row.ID as string);
      if (numericCode(previousCode) === this.maxCode) this.maxCode = null;
      this.noteCode(row.Code);
    }
    this.log.push({ ts: row.Timestamp as bigint, row });
    this.compactLog();
  }

  remove(id: string, deletedRow: DeletedRow): SimRow | undefined {
    const row = this.accounts.get(id);
    if (row === undefined) return undefined;
    this.accounts.delete(id);
    this.byCode.delete(row.Code as string);
    if (numericCode(row.Code) === this.maxCode) this.maxCode = null;
    if (this.idIndexValid) {
      const at = firstIdAfter(this.idIndex, id) - 1;
      if (this.idIndex[at] === row) this.idIndex.splice(at, 1);
    }
    row.Timestamp = GONE;
    this.deleted.push(deletedRow);
    this.compactLog();
    return row;
  }

  private noteCode(code: unknown): void {
    const n = numericCode(code);
    if (n !== null && this.maxCode !== null && n > this.maxCode) this.maxCode = n;
  }

  /** Drops stale log entries once they outnumber the live ones, so Sync API scans stay proportional to the data. */
  private compactLog(): void {
    if (this.log.length < 2 * this.accounts.size + 1024) return;
    this.log = this.log.filter((e) => e.row.Timestamp === e.ts);
  }

  /** Live accounts in key (ID) order, as the regular endpoint pages them. Do not modify. */
  rowsById(): readonly SimRow[] {
    if (!this.idIndexValid) {
      this.idIndex = [...this.accounts.values()].sort((a, b) => ((a.ID as string) < (b.ID as string) ? -1 : 1));
      this.idIndexValid = true;
    }
    return this.idIndex;
  }

  /** Position in `rowsById()` just after `afterId` (0 when absent). */
  idPositionAfter(afterId: string | null): number {
    return afterId === null ? 0 : firstIdAfter(this.rowsById(), afterId);
  }

  /**
   * Live accounts with Timestamp > `after`, in Timestamp order, starting the scan there; `visit` returns false to
   * stop. Costs O(log n) to find the start plus the rows visited.
   */
  scanByTimestamp(after: bigint, visit: (row: SimRow) => boolean): void {
    for (let i = firstAfter(this.log, after, (e) => e.ts); i < this.log.length; i++) {
      const e = this.log[i]!;
      if (e.row.Timestamp !== e.ts) continue;
      if (!visit(e.row)) return;
    }
  }

  scanDeleted(after: bigint, visit: (row: DeletedRow) => boolean): void {
    for (let i = firstAfter(this.deleted, after, (d) => d.Timestamp); i < this.deleted.length; i++)
      if (!visit(this.deleted[i]!)) return;
  }

  /** All live accounts in Timestamp order. */
  rowsByTimestamp(): SimRow[] {
    const out: SimRow[] = [];
    this.scanByTimestamp(-1n, (row) => {
      out.push(row);
      return true;
    });
    return out;
  }

  /** Renumbers every account and deletion, keeping their relative order, with `next()` (a division move). */
  renumber(next: () => bigint): void {
    const items: Array<{ ts: bigint; row: SimRow }> = this.rowsByTimestamp().map((row) => ({ ts: row.Timestamp as bigint, row }));
    for (const d of this.deleted) items.push({ ts: d.Timestamp, row: d });
    items.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    this.log = [];
    for (const { row } of items) {
      row.Timestamp = next();
      if (this.accounts.get(row.ID as string) === row) this.log.push({ ts: row.Timestamp, row });
    }
  }

  clear(): void {
    this.accounts.clear();
    this.byCode.clear();
    this.idIndex = [];
    this.idIndexValid = true;
    this.log = [];
    this.deleted = [];
    this.maxCode = 0;
  }
}
