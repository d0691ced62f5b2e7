/**
 * The bench's handle on the Exact Online simulator process (src/integrations/exact/simulator, run by its own
 * `main.ts`): its OAuth flow as an operator's browser and Relay's callback would run it, and its control API
 * (`/__sim`) for the record of calls, the limits, and edits as an Exact user makes them in Exact's screens.
 * Wire shapes are the simulator's README's, typed here only as far as the bench reads them.
 */

export interface SimCall {
  seq: number;
  /** Simulator clock (epoch ms; real time unless moved) when the call arrived. */
  at: number;
  method: string;
  path: string;
  division: number | null;
  endpoint: string;
  status: number;
  outcome: string;
  counted: boolean;
}

export interface SimDivisionStats {
  division: number;
  accounts: number;
  deleted: number;
  calls: number;
  countedCalls: number;
  overLimit: number;
  forced429: number;
}

export interface SimLimits {
  minutely: number;
  daily: number;
  errorsPerHour: number;
  errorBlockMs: number;
  tokenCallsPerDay: number;
}

export interface SimTokens {
  access_token: string;
  refresh_token: string;
  expires_in: string;
}

export class ExactSim {
  constructor(
    /** Replaces https://start.exactonline.nl. */
    readonly url: string,
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  private async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Resolves once the control API answers. */
  async ping(): Promise<boolean> {
    return this.control('GET', '/').then(
      () => true,
      () => false,
    );
  }

  async limits(): Promise<SimLimits> {
    return (await this.control<{ limits: SimLimits }>('GET', '/limits')).limits;
  }

  async setLimits(partial: Partial<SimLimits>): Promise<SimLimits> {
    return (await this.control<{ limits: SimLimits }>('PATCH', '/limits', partial)).limits;
  }

  /** Every recorded call after `sinceSeq` (0: all). */
  async calls(sinceSeq = 0): Promise<SimCall[]> {
    return (await this.control<{ calls: SimCall[] }>('GET', `/calls?sinceSeq=${sinceSeq}`)).calls;
  }

  async divisionStats(division: number): Promise<SimDivisionStats> {
    const stats = await this.control<{ divisions: SimDivisionStats[] }>('GET', '/stats');
    const mine = stats.divisions.find((d) => d.division === division);
    if (!mine) throw new Error(`the simulator has no division ${division}`);
    return mine;
  }

  /** An edit in Exact's screens: PascalCase fields, the account's Timestamp moves on. */
  async editAccount(division: number, id: string, fields: Record<string, string | null>): Promise<void> {
    await this.control('PATCH', `/divisions/${division}/accounts/${id}`, fields);
  }

  async createAccount(division: number, fields: Record<string, string | null>): Promise<{ ID: string }> {
    return this.control<{ ID: string }>('POST', `/divisions/${division}/accounts`, fields);
  }

  /** Deleted in Exact: logged for `sync/Deleted`. */
  async deleteAccount(division: number, id: string): Promise<void> {
    await this.control('DELETE', `/divisions/${division}/accounts/${id}`);
  }

  /**
   * The authorization-code flow: the simulated user approves at once, the code comes back on the redirect
   * (decoded once, as Relay's callback reads it) and is exchanged at the token endpoint.
   */
  async authorize(redirectUri: string): Promise<{ tokens: SimTokens; receivedAtMs: number; userId: string }> {
    const auth = new URL('/api/oauth2/auth', this.url);
    auth.search = new URLSearchParams({ client_id: this.clientId, redirect_uri: redirectUri, response_type: 'code', state: 'bench', force_login: '0' }).toString();
    const approved = await fetch(auth, { redirect: 'manual' });
    const location = approved.headers.get('location');
    if (approved.status !== 302 || !location) throw new Error(`the simulator's authorize page answered ${approved.status}: ${await approved.text()}`);
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error(`no code on the redirect: ${location}`);
    const res = await fetch(new URL('/api/oauth2/token', this.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: this.clientId, client_secret: this.clientSecret }).toString(),
    });
    if (!res.ok) throw new Error(`the simulator's token endpoint answered ${res.status}: ${await res.text()}`);
    const tokens = (await res.json()) as SimTokens;
    const receivedAtMs = Date.now();
    // current/Me names the user (not rate-limited), as the connection's record keeps it.
    const me = await fetch(new URL('/api/v1/current/Me', this.url), { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'application/json' } });
    if (!me.ok) throw new Error(`current/Me answered ${me.status}`);
    const user = ((await me.json()) as { d: { results: Array<{ UserID: string }> } }).d.results[0];
    if (!user) throw new Error('current/Me named no user');
    return { tokens, receivedAtMs, userId: user.UserID };
  }
}
