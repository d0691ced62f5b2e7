/**
 * The convergence run's handle on the Exact simulator's control API (`/__sim`, see the simulator's
 * README): edits as an office user makes them in Exact's screens, the accounts as Exact holds them,
 * faults, the OAuth grant's age and the record of calls. Typed only as far as the run reads it.
 */

/** An account as the control API shows it (Sync API form). */
export interface SimAccount {
  ID: string;
  Code: string;
  Name: string;
  SearchCode: string | null;
  ChamberOfCommerce: string | null;
  AddressLine1: string | null;
  Postcode: string | null;
  City: string | null;
  Country: string | null;
  Blocked: boolean;
  Timestamp: string;
  Modified: string;
  Creator?: string;
  CreatorFullName?: string;
}

export interface SimDeleted {
  EntityKey: string;
  Timestamp: string;
}

/** The simulator's fault rules (README "Faults"); `null` removes one. */
export type SimFaults = Record<string, unknown>;

export interface SimGrant {
  lastIssuedAt: number;
  refreshes: number;
  brokenReason: string | null;
}

export class ChaosSim {
  constructor(readonly url: string) {}

  private async control<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && res.status !== 404) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${text}`);
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ping(): Promise<boolean> {
    return this.control('GET', '/').then(
      () => true,
      () => false,
    );
  }

  async accounts(division: number): Promise<SimAccount[]> {
    return (await this.control<{ accounts: SimAccount[] }>('GET', `/divisions/${division}/accounts`)).body.accounts;
  }

  async deleted(division: number): Promise<SimDeleted[]> {
    return (await this.control<{ deleted: SimDeleted[] }>('GET', `/divisions/${division}/deleted`)).body.deleted;
  }

  async account(division: number, id: string): Promise<SimAccount | null> {
    const res = await this.control<SimAccount>('GET', `/divisions/${division}/accounts/${id}`);
    return res.status === 404 ? null : res.body;
  }

  /** An office user's edit in Exact; null when the account is not there (deleted meanwhile). */
  async edit(division: number, id: string, fields: Record<string, string | null>): Promise<SimAccount | null> {
    const res = await this.control<SimAccount>('PATCH', `/divisions/${division}/accounts/${id}`, fields);
    return res.status === 404 ? null : res.body;
  }

  async create(division: number, fields: Record<string, string | null>): Promise<SimAccount> {
    return (await this.control<SimAccount>('POST', `/divisions/${division}/accounts`, fields)).body;
  }

  /** Deleted in Exact (logged for `sync/Deleted`); false when it was not there. */
  async remove(division: number, id: string): Promise<boolean> {
    return (await this.control('DELETE', `/divisions/${division}/accounts/${id}`)).status !== 404;
  }

  /** Merges rules into the current faults (`expireTokens: true` expires every access token now). */
  async patchFaults(faults: SimFaults): Promise<void> {
    await this.control('PATCH', '/faults', faults);
  }

  async clearFaults(): Promise<void> {
    await this.control('DELETE', '/faults');
  }

  async firedFaults(): Promise<Record<string, number>> {
    return (await this.control<{ fired: Record<string, number> }>('GET', '/faults')).body.fired;
  }

  async setLimits(limits: Record<string, number>): Promise<void> {
    await this.control('PATCH', '/limits', limits);
  }

  async grants(): Promise<SimGrant[]> {
    return (await this.control<{ grants: SimGrant[] }>('GET', '/oauth')).body.grants;
  }

  async now(): Promise<number> {
    return (await this.control<{ now: number }>('GET', '/clock')).body.now;
  }

  async stats(): Promise<{ calls: number; tokens: Record<string, unknown>; divisions: Array<Record<string, unknown>>; faultsFired: Record<string, number>; blocks: unknown }> {
    return (await this.control<Awaited<ReturnType<ChaosSim['stats']>>>('GET', '/stats')).body;
  }

  /** The record of every call (method, path, query, status, outcome, fault), for the look after a failed run. */
  async calls(): Promise<unknown[]> {
    return (await this.control<{ calls: unknown[] }>('GET', '/calls')).body.calls;
  }

  /** Calls answered with `status` (e.g. 404s that count towards Exact's error limit). */
  async callCount(filter: Record<string, string | number>): Promise<number> {
    const query = new URLSearchParams(Object.entries(filter).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return (await this.control<{ count: number }>('GET', `/calls?${query}`)).body.count;
  }
}
