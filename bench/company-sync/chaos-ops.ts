import type { Pool } from 'pg';
import { type CompanyRow, type CompanyView, type ViewField, exactView, relayView } from './chaos-fields';
import type { Change, Op, Plan } from './chaos-plan';
import type { ChaosSim, SimAccount } from './chaos-sim';

/**
 * Carries out the plan's operations as their users would: Relay's through its API with the service
 * key (a PUT with If-Match of the version read; a 412 is read again and retried on the fresh company,
 * as a client does), Exact's through the simulator's control API as an office user. Every change
 * accepted is logged field by field with the value as stored, which is what the end of the run looks
 * for on both sides.
 */

/** One field's value as one side accepted it. */
export interface EditRecord {
  op: number;
  side: 'relay' | 'exact';
  /** Our company (Relay's edits; Exact's when the account was linked at the time). */
  companyId?: string;
  /** The Exact account (Exact's edits; Relay's when linked at the time). */
  guid?: string;
  field: ViewField;
  value: string | null;
  /** When the side answered (ms): later edits of a field supersede earlier ones. */
  at: number;
}

export interface DeleteRecord {
  op: number;
  side: 'relay' | 'exact';
  companyId?: string;
  guid?: string;
  at: number;
}

export interface OpCounts {
  done: number;
  accepted: number;
  /** 412s met and retried on a fresh read. */
  retried412: number;
  refused: Record<string, number>;
  skipped: Record<string, number>;
}

/** The API's company view (camelCase), as far as the run reads it. */
interface ApiCompany {
  id: string;
  version: number;
  name: string;
  chamberOfCommerceId: string | null;
  streetName: string | null;
  buildingNumber: string | null;
  buildingNumberAddition: string | null;
  postalCode: string | null;
  city: string | null;
  country: string | null;
  addressUnparsed: string | null;
  deletedAt: string | null;
}

const rowOf = (c: ApiCompany): CompanyRow => ({
  id: c.id,
  name: c.name,
  chamber_of_commerce_id: c.chamberOfCommerceId,
  street_name: c.streetName,
  building_number: c.buildingNumber,
  building_number_addition: c.buildingNumberAddition,
  postal_code: c.postalCode,
  city: c.city,
  country: c.country,
  address_unparsed: c.addressUnparsed,
  version: c.version,
  deleted_at: c.deletedAt ? new Date(c.deletedAt) : null,
});

export interface ExecutorContext {
  apiUrl: string;
  serviceKey: string;
  db: Pool;
  sim: ChaosSim;
  division: number;
  plan: Plan;
  /** Prints a line for a surprise (an API error) worth a look. */
  note: (line: string) => void;
}

export class Executor {
  readonly edits: EditRecord[] = [];
  readonly deletes: DeleteRecord[] = [];
  readonly counts: OpCounts = { done: 0, accepted: 0, retried412: 0, refused: {}, skipped: {} };
  /** Companies the run created (or found, for a create refused because its KVK was taken), by entity. */
  private readonly companies = new Map<number, string>();
  private notes = 0;

  constructor(private readonly ctx: ExecutorContext) {}

  async run(op: Op, index: number): Promise<void> {
    try {
      await this.dispatch(op, index);
    } finally {
      this.counts.done++;
    }
  }

  private async dispatch(op: Op, index: number): Promise<void> {
    switch (op.kind) {
      case 'relay-edit':
        return this.relayEdit(index, op.target, op.change);
      case 'exact-edit':
        return this.exactEdit(index, op.target, op.change);
      case 'both-edit':
        if (op.exactFirst) {
          await this.exactEdit(index, op.target, op.exact);
          return this.relayEdit(index, op.target, op.relay);
        }
        await this.relayEdit(index, op.target, op.relay);
        return this.exactEdit(index, op.target, op.exact);
      case 'two-clients': {
        const companyId = await this.companyOf(op.target);
        if (!companyId) return this.skip('not in Relay (yet)');
        await Promise.all([this.putWithRetry(index, companyId, op.a), this.putWithRetry(index, companyId, op.b)]);
        return;
      }
      case 'relay-create':
        return this.relayCreate(index, op.entity, op.change);
      case 'exact-create':
        return this.exactCreate(index, op.entity, op.id, op.change);
      case 'twin-create':
        await this.exactCreate(index, op.exactEntity, op.id, op.exact);
        return this.relayCreate(index, op.relayEntity, op.relay);
      case 'relay-delete':
        return this.relayDelete(index, op.target);
      case 'exact-delete':
        return this.exactDelete(index, op.target);
    }
  }

  /** The entity's company: one the run created, or the one the sync linked to its Exact account. */
  async companyOf(entity: number): Promise<string | null> {
    const known = this.companies.get(entity);
    if (known) return known;
    const guid = this.ctx.plan.entities[entity]?.guid;
    if (!guid) return null;
    const res = await this.ctx.db.query<{ company_id: string | null }>('SELECT company_id FROM companies_sync WHERE exact_guid = $1', [guid]);
    return res.rows[0]?.company_id ?? null;
  }

  /** The entity's Exact account: one the plan knows, or the one the sync created or linked for its company. */
  async guidOf(entity: number): Promise<string | null> {
    const known = this.ctx.plan.entities[entity]?.guid;
    if (known) return known;
    const companyId = this.companies.get(entity);
    if (!companyId) return null;
    const res = await this.ctx.db.query<{ exact_guid: string | null }>('SELECT exact_guid FROM companies_sync WHERE company_id = $1 AND exact_guid IS NOT NULL', [companyId]);
    return res.rows[0]?.exact_guid ?? null;
  }

  private async relayEdit(index: number, entity: number, change: Change): Promise<void> {
    const companyId = await this.companyOf(entity);
    if (!companyId) return this.skip('not in Relay (yet)');
    await this.putWithRetry(index, companyId, change);
  }

  /** GET, then PUT with If-Match; a 412 means someone (often the sync) wrote it meanwhile: read again, apply the change again. */
  private async putWithRetry(index: number, companyId: string, change: Change): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const read = await this.api('GET', `/v1/companies/${companyId}`);
      if (read.status === 404) return this.skip('no such company');
      if (read.status !== 200) return this.refuse(`GET ${read.status}`, read.text);
      const current = read.json as ApiCompany;
      if (current.deletedAt) return this.skip('deleted in Relay');
      const put = await this.api('PUT', `/v1/companies/${companyId}`, change.body, { 'if-match': `"${current.version}"` });
      if (put.status === 412) {
        this.counts.retried412++;
        continue;
      }
      if (put.status === 200) {
        const company = put.json as ApiCompany;
        this.accept();
        this.recordRelay(index, company, change, relayView(rowOf(current)));
        return;
      }
      // 409: a KVK another company holds, or the company was deleted meanwhile (the sync applied Exact's deletion).
      return this.refuse(`PUT ${put.status}`, put.text);
    }
    this.refuse('PUT 412 eight times');
  }

  private async exactEdit(index: number, entity: number, change: Change): Promise<void> {
    const guid = await this.guidOf(entity);
    if (!guid) return this.skip('not in Exact (yet)');
    // Read first, as the user sees the screen: a value typed over the same value is no edit.
    const before = await this.ctx.sim.account(this.ctx.division, guid);
    const account = before && (await this.ctx.sim.edit(this.ctx.division, guid, change.body));
    if (!account) return this.skip('deleted in Exact');
    this.accept();
    this.recordExact(index, account, change, exactView(before));
  }

  private async relayCreate(index: number, entity: number, change: Change): Promise<void> {
    const res = await this.api('POST', '/v1/companies', change.body);
    if (res.status === 201) {
      const company = res.json as ApiCompany;
      this.companies.set(entity, company.id);
      this.accept();
      this.recordRelay(index, company, change);
      return;
    }
    if (res.status === 409 && change.view.kvk) {
      // The KVK is taken: the company is in Relay already (often the sync brought it from Exact). The
      // client goes on with that one instead of typing it in twice.
      const found = await this.api('GET', `/v1/companies?chamberOfCommerceId=${change.view.kvk}&deleted=include`);
      const existing = (found.json as { items?: ApiCompany[] } | null)?.items?.[0];
      if (existing) this.companies.set(entity, existing.id);
      return this.refuse('POST 409 (KVK taken)');
    }
    return this.refuse(`POST ${res.status}`, res.text);
  }

  private async exactCreate(index: number, _entity: number, id: string, change: Change): Promise<void> {
    const account = await this.ctx.sim.create(this.ctx.division, { ...change.body, ID: id });
    this.accept();
    this.recordExact(index, account, change);
  }

  private async relayDelete(index: number, entity: number): Promise<void> {
    const companyId = await this.companyOf(entity);
    if (!companyId) return this.skip('not in Relay (yet)');
    const res = await this.api('DELETE', `/v1/companies/${companyId}`);
    if (res.status !== 200) return this.refuse(`DELETE ${res.status}`, res.text);
    this.accept();
    this.deletes.push({ op: index, side: 'relay', companyId, at: Date.now() });
  }

  private async exactDelete(index: number, entity: number): Promise<void> {
    const guid = await this.guidOf(entity);
    if (!guid) return this.skip('not in Exact (yet)');
    if (!(await this.ctx.sim.remove(this.ctx.division, guid))) return this.skip('deleted in Exact');
    this.accept();
    this.deletes.push({ op: index, side: 'exact', guid, at: Date.now() });
  }

  /** The fields the change set, with their values as stored; with `before`, only those it changed (a value typed over itself is no edit). */
  private recordRelay(index: number, company: ApiCompany, change: Change, before?: CompanyView): void {
    const stored = relayView(rowOf(company));
    const at = Date.now();
    for (const field of Object.keys(change.view) as ViewField[])
      if (!before || before[field] !== stored[field]) this.edits.push({ op: index, side: 'relay', companyId: company.id, field, value: stored[field], at });
  }

  private recordExact(index: number, account: SimAccount, change: Change, before?: CompanyView): void {
    const stored = exactView(account);
    const at = Date.now();
    for (const field of Object.keys(change.view) as ViewField[])
      if (!before || before[field] !== stored[field]) this.edits.push({ op: index, side: 'exact', guid: account.ID.toLowerCase(), field, value: stored[field], at });
  }

  private accept(): void {
    this.counts.accepted++;
  }

  private skip(why: string): void {
    this.counts.skipped[why] = (this.counts.skipped[why] ?? 0) + 1;
  }

  private refuse(why: string, text?: string): void {
    this.counts.refused[why] = (this.counts.refused[why] ?? 0) + 1;
    // A refusal other than the expected ones (409, a deleted company) is worth a line, a few times.
    if (text !== undefined && !why.includes('409') && this.notes++ < 10) this.ctx.note(`${why}: ${text.slice(0, 300)}`);
  }

  private async api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown; text: string }> {
    const res = await fetch(`${this.ctx.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.ctx.serviceKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, text };
  }
}
