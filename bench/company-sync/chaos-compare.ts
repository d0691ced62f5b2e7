import type { Pool } from 'pg';
import { type SyncedField, normaliseField } from '../../src/domain/company-sync/company-fields';
import { type CompanyRow, type CompanyView, type ViewField, addressOfParts, differingFields, exactView, kvkOf, relayView } from './chaos-fields';
import type { DeleteRecord, EditRecord } from './chaos-ops';
import type { ChaosSim, SimAccount } from './chaos-sim';

/**
 * The end of the run: both sides as they are, compared.
 * - Every linked pair (a company and its Exact account) field by field in the compared form
 *   (chaos-fields.ts); a company deleted in Relay must have its account blocked (or gone) in Exact, an
 *   account deleted in Exact its company deleted here. An Exact account no company is linked to, or a
 *   live company linked to no account, is a difference too — unless an operator has it (an open
 *   conflict, or IGNORED).
 * - Lost edits: a value one side accepted that is on neither side now, that no later edit of the same
 *   field replaced, and that the audit log does not show being overwritten (before → after, or a
 *   field conflict resolved against it).
 * - Duplicates: Exact accounts beyond the first carrying one Relay create marker (SearchCode), and
 *   Exact accounts beyond the first linked to one company.
 */

export interface Difference {
  kind: 'field' | 'deletion' | 'unlinked-account' | 'unlinked-company' | 'missing-account';
  companyId?: string;
  guid?: string;
  field?: ViewField;
  relay?: string | null;
  exact?: string | null;
  note?: string;
}

export interface LostEdit {
  edit: EditRecord;
  companyId?: string;
  guid?: string;
  relayNow?: string | null;
  exactNow?: string | null;
  inConflict: boolean;
  /** Reverted: the audit row that put another value back (action and actor). */
  by?: string;
  /** For the look that follows: every accepted value of this field of the pair, and the audit rows that changed it. */
  history: string[];
}

export interface Comparison {
  linkedPairs: number;
  comparedPairs: number;
  differences: Difference[];
  lost: LostEdit[];
  /**
   * Last edits on neither side whose overwrite the audit shows only as a plain write by the sync (no field
   * conflict resolved against them): the sync put an older value back. Audited, so not `lost`, but not
   * what the three-way merge promises either.
   */
  reverted: LostEdit[];
  editsChecked: number;
  duplicateExactAccounts: number;
  duplicateGroups: Array<{ marker?: string; companyId?: string; guids: string[] }>;
  openConflicts: number;
  openConflictKinds: Record<string, number>;
}

interface LinkRow {
  id: string;
  company_id: string | null;
  exact_guid: string | null;
  sync_status: string;
  deleted_in_source: boolean;
  create_ref: string | null;
  requires_manual_review: boolean;
}

interface AuditRow {
  entity_id: string;
  actor: string;
  created_at: Date;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const MARKER = /^R[A-Z2-7]{9}$/;

export async function compareSides(db: Pool, sim: ChaosSim, division: number, edits: readonly EditRecord[], deletes: readonly DeleteRecord[]): Promise<Comparison> {
  const companies = new Map((await db.query<CompanyRow>('SELECT * FROM companies')).rows.map((c) => [c.id, c]));
  const links = (await db.query<LinkRow>('SELECT id, company_id, exact_guid, sync_status, deleted_in_source, create_ref, requires_manual_review FROM companies_sync WHERE division = $1', [division])).rows;
  const conflicts = (await db.query<{ kind: string; exact_guid: string | null; company_id: string | null; sync_id: string | null }>("SELECT kind, exact_guid, company_id, sync_id FROM sync_conflicts WHERE status = 'open'")).rows;
  const audit = (await db.query<AuditRow>("SELECT entity_id, actor, created_at, action, before, after FROM audit_log WHERE entity = 'company' ORDER BY id")).rows;
  const accounts = new Map((await sim.accounts(division)).map((a) => [a.ID.toLowerCase(), a]));
  const deletedInExact = new Set((await sim.deleted(division)).map((d) => d.EntityKey.toLowerCase()));

  const linkByGuid = new Map(links.filter((l) => l.exact_guid).map((l) => [l.exact_guid!, l]));
  const linksOfCompany = new Map<string, LinkRow[]>();
  for (const l of links) if (l.company_id) linksOfCompany.set(l.company_id, [...(linksOfCompany.get(l.company_id) ?? []), l]);
  const linkById = new Map(links.map((l) => [l.id, l]));
  const auditOf = new Map<string, AuditRow[]>();
  for (const row of audit) auditOf.set(row.entity_id, [...(auditOf.get(row.entity_id) ?? []), row]);

  // What an operator has in hand: those records are not compared (the goal says: every remaining difference an open conflict).
  const heldGuids = new Set<string>();
  const heldCompanies = new Set<string>();
  const openConflictKinds: Record<string, number> = {};
  for (const c of conflicts) {
    openConflictKinds[c.kind] = (openConflictKinds[c.kind] ?? 0) + 1;
    const link = c.sync_id ? linkById.get(c.sync_id) : undefined;
    for (const g of [c.exact_guid, link?.exact_guid]) if (g) heldGuids.add(g);
    for (const id of [c.company_id, link?.company_id]) if (id) heldCompanies.add(id);
  }
  const held = (companyId?: string | null, guid?: string | null) => (companyId ? heldCompanies.has(companyId) : false) || (guid ? heldGuids.has(guid) : false);

  const differences: Difference[] = [];
  let linkedPairs = 0;
  let comparedPairs = 0;
  for (const link of links) {
    if (!link.company_id || !link.exact_guid) continue;
    linkedPairs++;
    if (held(link.company_id, link.exact_guid)) continue;
    comparedPairs++;
    const company = companies.get(link.company_id)!;
    const account = accounts.get(link.exact_guid);
    const ids = { companyId: company.id, guid: link.exact_guid };
    if (!account) {
      if (!deletedInExact.has(link.exact_guid)) differences.push({ kind: 'missing-account', ...ids, note: 'linked to an account Exact never had' });
      else if (!company.deleted_at) differences.push({ kind: 'deletion', ...ids, note: `deleted in Exact, not in Relay (deleted_in_source=${link.deleted_in_source}, status ${link.sync_status})` });
      continue;
    }
    if (company.deleted_at) {
      if (!account.Blocked) differences.push({ kind: 'deletion', ...ids, note: `deleted in Relay, not blocked in Exact (status ${link.sync_status})` });
      continue;
    }
    const ours = relayView(company);
    const theirs = exactView(account);
    for (const field of differingFields(ours, theirs)) differences.push({ kind: 'field', ...ids, field, relay: ours[field], exact: theirs[field], note: `status ${link.sync_status}${link.requires_manual_review ? ', flagged for review' : ''}` });
  }
  for (const [guid, account] of accounts) {
    const link = linkByGuid.get(guid);
    if (link?.company_id || link?.sync_status === 'IGNORED' || held(null, guid)) continue;
    differences.push({ kind: 'unlinked-account', guid, exact: account.Name, note: link ? `link ${link.sync_status}` : `no link${account.SearchCode && MARKER.test(account.SearchCode) ? `, carries marker ${account.SearchCode}` : ''}` });
  }
  for (const company of companies.values()) {
    if (company.deleted_at || held(company.id, null)) continue;
    const own = linksOfCompany.get(company.id) ?? [];
    if (own.some((l) => l.exact_guid)) continue;
    if (own.some((l) => l.sync_status === 'IGNORED')) continue;
    differences.push({ kind: 'unlinked-company', companyId: company.id, relay: company.name, note: own.length ? `link ${own.map((l) => `${l.sync_status}${l.create_ref ? ` marker ${l.create_ref}` : ''}`).join(', ')}` : 'no link' });
  }

  // Duplicates: one create marker on several accounts; several accounts linked to one company.
  const refs = new Set(links.map((l) => l.create_ref).filter((r): r is string => r !== null));
  const byMarker = new Map<string, string[]>();
  for (const a of accounts.values()) {
    const code = a.SearchCode?.trim();
    if (code && (refs.has(code) || MARKER.test(code))) byMarker.set(code, [...(byMarker.get(code) ?? []), a.ID.toLowerCase()]);
  }
  const duplicateGroups: Comparison['duplicateGroups'] = [];
  let duplicateExactAccounts = 0;
  for (const [marker, guids] of byMarker)
    if (guids.length > 1) {
      duplicateExactAccounts += guids.length - 1;
      duplicateGroups.push({ marker, guids });
    }
  for (const [companyId, own] of linksOfCompany) {
    const guids = own.map((l) => l.exact_guid).filter((g): g is string => g !== null);
    if (guids.length > 1) {
      duplicateExactAccounts += guids.length - 1;
      duplicateGroups.push({ companyId, guids });
    }
  }

  // Lost edits.
  const companyOfGuid = (guid: string) => linkByGuid.get(guid)?.company_id ?? null;
  const guidOfCompany = (id: string) => (linksOfCompany.get(id) ?? []).find((l) => l.exact_guid)?.exact_guid ?? null;
  const pairOf = (r: { companyId?: string; guid?: string }) => {
    const companyId = r.companyId ?? (r.guid ? companyOfGuid(r.guid) : null) ?? undefined;
    const guid = r.guid ?? (companyId ? guidOfCompany(companyId) : null) ?? undefined;
    return { companyId, guid, key: companyId ? `c:${companyId}` : `g:${guid}` };
  };
  const lastEdit = new Map<string, number>();
  for (const e of edits) {
    const k = `${pairOf(e).key}|${e.field}`;
    lastEdit.set(k, Math.max(lastEdit.get(k) ?? 0, e.at));
  }
  const deletedAt = new Map<string, number>();
  for (const d of deletes) {
    const k = pairOf(d).key;
    deletedAt.set(k, Math.min(deletedAt.get(k) ?? Infinity, d.at));
  }
  const lost: LostEdit[] = [];
  const reverted: LostEdit[] = [];
  let editsChecked = 0;
  for (const e of edits) {
    const pair = pairOf(e);
    // A later edit of the field replaced it; a deletion made it moot.
    if ((lastEdit.get(`${pair.key}|${e.field}`) ?? 0) > e.at) continue;
    if (deletedAt.has(pair.key)) continue;
    editsChecked++;
    const company = pair.companyId ? companies.get(pair.companyId) : undefined;
    const account = pair.guid ? accounts.get(pair.guid) : undefined;
    const relayNow = company ? relayView(company)[e.field] : undefined;
    const exactNow = account ? exactView(account)[e.field] : undefined;
    if (relayNow === e.value || exactNow === e.value) continue;
    // Only what the audit wrote after the edit can have overwritten it.
    const after = (auditOf.get(company?.id ?? '') ?? []).filter((row) => row.created_at.getTime() >= e.at - 1_000);
    const audited = company ? overwrittenInAudit(after, e.field, e.value) : null;
    if (audited === 'conflict') continue;
    const history = [
      ...edits.filter((o) => o.field === e.field && pairOf(o).key === pair.key).map((o) => `${new Date(o.at).toISOString().slice(11, 23)} op ${o.op} ${o.side} set ${JSON.stringify(o.value)}`),
      ...(company ? auditTrail(auditOf.get(company.id) ?? [], e.field) : []),
    ].sort();
    const found = { edit: e, companyId: pair.companyId, guid: pair.guid, relayNow, exactNow, inConflict: held(pair.companyId, pair.guid), history };
    if (audited !== null) reverted.push({ ...found, by: audited.write });
    else lost.push(found);
  }

  return { linkedPairs, comparedPairs, differences, lost, reverted, editsChecked, duplicateExactAccounts, duplicateGroups, openConflicts: conflicts.length, openConflictKinds };
}

const ADDRESS_PARTS: readonly SyncedField[] = ['streetName', 'buildingNumber', 'buildingNumberAddition'];
const VIEW_OF: Record<SyncedField, ViewField> = {
  name: 'name',
  chamberOfCommerceId: 'kvk',
  streetName: 'address',
  buildingNumber: 'address',
  buildingNumberAddition: 'address',
  postalCode: 'postalCode',
  city: 'city',
  country: 'country',
};

/** An audit row's company (auditView: camelCase synced fields and addressUnparsed) in the compared form. */
function viewOfAudit(v: Record<string, unknown>): CompanyView {
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : null);
  return relayView({
    id: '',
    name: s('name') ?? '',
    chamber_of_commerce_id: s('chamberOfCommerceId'),
    street_name: s('streetName'),
    building_number: s('buildingNumber'),
    building_number_addition: s('buildingNumberAddition'),
    postal_code: s('postalCode'),
    city: s('city'),
    country: s('country'),
    address_unparsed: s('addressUnparsed'),
    version: 0,
    deleted_at: null,
  });
}

/**
 * How the audit log shows `value` of `field` being replaced: `conflict` when a field conflict was
 * resolved against it, `write` when only a write shows it (before had it, after not), null when not at all.
 */
function overwrittenInAudit(rows: readonly AuditRow[], field: ViewField, value: string | null): 'conflict' | { write: string } | null {
  let write: { write: string } | null = null;
  for (const row of rows) {
    if (!row.before || !row.after) continue;
    if (row.action === 'company.field_conflict_resolved') {
      const conflictField = row.before.field as SyncedField | undefined;
      if (!conflictField || VIEW_OF[conflictField] !== field) continue;
      const norm = (v: unknown) => (typeof v === 'string' ? v : null);
      const local = norm(row.before.local);
      const remote = norm(row.before.remote);
      const merged = norm(row.after[conflictField]);
      if (ADDRESS_PARTS.includes(conflictField)) {
        // One part of an address conflicted: the value lost if that part of it was the losing side's.
        const part = partOf(value, conflictField);
        if ((local === part || remote === part) && merged !== part) return 'conflict';
      } else {
        const v = field === 'kvk' ? kvkOf(value) : normaliseField(conflictField, value);
        const n = (x: string | null) => (field === 'kvk' ? kvkOf(x) : normaliseField(conflictField, x));
        if ((n(local) === v || n(remote) === v) && n(merged) !== v) return 'conflict';
      }
      continue;
    }
    const before = viewOfAudit(row.before)[field];
    const after = viewOfAudit(row.after)[field];
    // Who wrote it: the outbound sync (`company-sync`) or an inbound run (`workflow:exact-…`).
    if (before === value && after !== value) write = { write: `${row.action} by ${row.actor.replace(/-\d{4}-\d\d-\d\dT\d+Z$/, '')}` };
  }
  return write;
}

/** The audit rows that changed `field` of a company, one line each. */
function auditTrail(rows: readonly AuditRow[], field: ViewField): string[] {
  const out: string[] = [];
  for (const row of rows) {
    const at = row.created_at.toISOString().slice(11, 23);
    if (row.action === 'company.field_conflict_resolved') {
      const f = row.before?.field as SyncedField | undefined;
      if (f && VIEW_OF[f] === field) out.push(`${at} audit ${row.action} by ${row.actor}: ${JSON.stringify(row.before)} -> ${JSON.stringify(row.after)}`);
      continue;
    }
    const before = row.before ? viewOfAudit(row.before)[field] : undefined;
    const after = row.after ? viewOfAudit(row.after)[field] : undefined;
    if (before !== after) out.push(`${at} audit ${row.action} by ${row.actor}: ${JSON.stringify(before ?? null)} -> ${JSON.stringify(after ?? null)}`);
  }
  return out;
}

/** One part (street, number, addition) of an address in the compared form. */
function partOf(address: string | null, part: SyncedField): string | null {
  if (address === null) return null;
  const m = /^(.*?) (\d+)(?:-(\S.*)| (\S.*)|(\p{L}))?$/u.exec(address);
  if (!m) return null;
  const parts = { streetName: m[1]!, buildingNumber: m[2]!, buildingNumberAddition: m[3] ?? m[4] ?? m[5] ?? null } as Record<string, string | null>;
  // Only meaningful when the address formats back to itself (a canonical line).
  if (addressOfParts(parts.streetName!, parts.buildingNumber!, parts.buildingNumberAddition ?? null) !== address) return null;
  return parts[part] ?? null;
}

export type { SimAccount };
