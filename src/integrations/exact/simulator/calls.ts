/**
 * The record of every call the simulator answered (or chose not to answer), for tests and benchmarks to count:
 * how many Sync API calls an import used, whether a client ever went over the limits, what a fault hit.
 */

export interface CallRecord {
  seq: number;
  /** Simulator clock (epoch ms) when the call arrived. */
  at: number;
  method: string;
  /** Path without the query string, e.g. `/api/v1/123456/sync/CRM/Accounts`. */
  path: string;
  query: string;
  /** The URL's division, null for `current/Me` and the OAuth endpoints. */
  division: number | null;
  /** The endpoint as the error limit counts it, e.g. `crm/Accounts`, `sync/CRM/Accounts`, `oauth2/token`. */
  endpoint: string;
  /** The status answered, or that would have been answered (lost answers). */
  status: number;
  /** answered; lost (applied, socket destroyed); hung (held until the client left); abandoned (client left during a timeout fault, nothing applied). */
  outcome: 'answered' | 'lost' | 'hung' | 'abandoned';
  /** The fault that shaped the answer, if any. */
  fault?: string;
  /** Whether it counted against the division's rate limits. */
  counted: boolean;
}

export interface CallFilter {
  method?: string;
  /** Substring of the path. */
  path?: string;
  division?: number;
  status?: number;
  endpoint?: string;
  sinceSeq?: number;
}

export class CallLog {
  private records: CallRecord[] = [];
  private seq = 0;

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: ++this.seq, ...record };
    this.records.push(full);
    return full;
  }

  list(filter: CallFilter = {}): CallRecord[] {
    return this.records.filter(
      (r) =>
        (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
        (filter.path === undefined || r.path.includes(filter.path)) &&
        (filter.division === undefined || r.division === filter.division) &&
        (filter.status === undefined || r.status === filter.status) &&
        (filter.endpoint === undefined || r.endpoint === filter.endpoint) &&
        (filter.sinceSeq === undefined || r.seq > filter.sinceSeq),
    );
  }

  count(filter: CallFilter = {}): number {
    return Object.keys(filter).length === 0 ? this.records.length : this.list(filter).length;
  }

  lastSeq(): number {
    return this.seq;
  }

  clear(): void {
    this.records = [];
    this.seq = 0;
  }
}
