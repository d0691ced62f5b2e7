import { type CompanyFields, SYNCED_FIELDS, type SyncedField, sameFieldValue } from '../../../../domain/company-sync/company-fields';
import type { CompanyWithLinks } from '../../../../db/company-sync/company-queries';
import { type ConflictDetail, isObject } from '../../../../db/company-sync/conflict-queries';
import { fieldsOf } from '../../../../db/company-sync/companies';
import type { Prisma, SyncConflict } from '../../../../generated/prisma/client';
import type { z } from '../../../openapi';
import { companyView, linkView } from '../companies/view';
import type { CandidateView, ConflictDetailView, ConflictSummary, DECISIONS, ExactCandidateView, ExactSideView, FieldComparison } from './schemas';

/**
 * A conflict as operators see it: the conflict's details (written by the sync, see
 * src/db/company-sync/inbound-apply.ts) read defensively — a field the sync did not write is
 * null, never a crash — and our company set against Exact's account field by field.
 */

type Json = Prisma.JsonValue;
const iso = (d: Date | null) => d?.toISOString() ?? null;
const str = (v: Json | undefined): string | null => (typeof v === 'string' ? v : null);
const num = (v: Json | undefined): number | null => (typeof v === 'number' ? v : null);
const bool = (v: Json | undefined): boolean | null => (typeof v === 'boolean' ? v : null);
const obj = (v: Json | undefined): Record<string, Json> => (isObject(v) ? v : {});

export function conflictSummary(row: SyncConflict, webUiUrl: (workflowId: string) => string): z.infer<typeof ConflictSummary> {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status as z.infer<typeof ConflictSummary>['status'],
    division: row.division,
    exactGuid: row.exactGuid,
    companyId: row.companyId,
    reason: str(obj(row.details).reason),
    workflowId: row.workflowId,
    webUiUrl: webUiUrl(row.workflowId),
    escalatedAt: iso(row.escalatedAt),
    resolution: row.resolution ?? null,
    resolvedBy: row.resolvedBy,
    resolvedAt: iso(row.resolvedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Exact's side as the sync recorded it (`details.remote`). */
export function exactSide(details: Json): z.infer<typeof ExactSideView> | null {
  const remote = obj(details).remote;
  if (!isObject(remote)) return null;
  const fields = obj(remote.fields);
  return {
    guid: str(remote.guid),
    code: str(remote.code),
    modifiedAt: str(remote.modifiedAt),
    fields: Object.fromEntries(SYNCED_FIELDS.map((f) => [f, str(fields[f])])),
    kvkAsInExact: str(remote.kvkAsInExact),
    addressUnparsed: str(remote.addressUnparsed),
  };
}

/** The base value per field, where the sync knows it (a field conflict's `details.fields[]`, or the link's snapshot). */
function baseValues(details: Json, snapshot: Json | null): Partial<Record<SyncedField, string | null>> {
  const out: Partial<Record<SyncedField, string | null>> = {};
  if (isObject(snapshot)) for (const f of SYNCED_FIELDS) if (f in snapshot) out[f] = str(snapshot[f]);
  const list = obj(details).fields;
  if (Array.isArray(list)) {
    for (const c of list) {
      if (isObject(c) && typeof c.field === 'string' && (SYNCED_FIELDS as readonly string[]).includes(c.field)) out[c.field as SyncedField] = str(c.base);
    }
  }
  return out;
}

export function compareFields(relay: CompanyFields | null, exact: Record<string, string | null> | null, base: Partial<Record<SyncedField, string | null>> = {}): Array<z.infer<typeof FieldComparison>> {
  return SYNCED_FIELDS.map((field) => {
    const ours = relay ? relay[field] : null;
    const theirs = exact ? (exact[field] ?? null) : null;
    return { field, relay: ours, exact: theirs, ...(field in base ? { base: base[field] ?? null } : {}), differs: !sameFieldValue(field, ours, theirs) };
  });
}

function candidates(detail: ConflictDetail, exact: Record<string, string | null> | null): Array<z.infer<typeof CandidateView>> {
  const byId = new Map<string, CompanyWithLinks>(detail.candidates.map((c) => [c.id, c]));
  const listed = obj(detail.conflict.details).candidates;
  const entries = Array.isArray(listed) ? listed.filter(isObject).filter((c) => typeof c.companyId === 'string') : [];
  return entries.map((c) => {
    const company = byId.get(c.companyId as string) ?? null;
    return {
      companyId: c.companyId as string,
      company: company ? companyView(company) : null,
      nameSimilarity: num(c.nameSimilarity),
      postalCodeAgrees: bool(c.postalCodeAgrees),
      kvkAgrees: bool(c.kvkAgrees),
      linkedGuid: str(c.linkedGuid),
      fields: compareFields(company ? fieldsOf(company) : null, exact),
    };
  });
}

/** Exact accounts named as candidates (outbound: several accounts carry our company's KVK), each against our company. */
function exactCandidates(details: Json, relay: CompanyFields | null): Array<z.infer<typeof ExactCandidateView>> {
  const d = obj(details);
  const lists = [d.exactCandidates, d.accounts, d.candidates].filter(Array.isArray) as Json[][];
  const seen = new Set<string>();
  const out: Array<z.infer<typeof ExactCandidateView>> = [];
  for (const entry of lists.flat()) {
    if (!isObject(entry)) continue;
    const guid = str(entry.exactGuid) ?? str(entry.guid) ?? str(entry.ID);
    if (!guid || seen.has(guid)) continue;
    seen.add(guid);
    const fields = isObject(entry.fields) ? Object.fromEntries(SYNCED_FIELDS.map((f) => [f, str(obj(entry.fields)[f])])) : null;
    const comparison = relay && fields ? compareFields(relay, fields) : [];
    out.push({ exactGuid: guid, code: str(entry.code) ?? str(entry.Code), name: str(entry.name) ?? str(entry.Name) ?? fields?.name ?? null, fields, comparison });
  }
  return out;
}

/**
 * Which decisions fit: outbound ambiguity picks an Exact account; an account deleted in Exact keeps
 * our company (recreate) or deletes it too; everything else inbound picks a company (or none).
 */
export function decisionsFor(kind: string): Array<(typeof DECISIONS)[number]> {
  if (kind === 'ambiguous_kvk' || kind === 'ambiguous_create') return ['link_exact', 'ignore'];
  if (kind === 'deleted_in_source') return ['recreate', 'delete'];
  return ['link', 'merge', 'create', 'ignore'];
}

export function conflictDetailView(detail: ConflictDetail, webUiUrl: (workflowId: string) => string): z.infer<typeof ConflictDetailView> {
  const { conflict, company, link } = detail;
  const details = conflict.details;
  const exact = exactSide(details);
  const flags = obj(details).flags;
  return {
    ...conflictSummary(conflict, webUiUrl),
    relay: company ? companyView(company) : null,
    exact,
    fields: compareFields(company ? fieldsOf(company) : null, exact?.fields ?? null, baseValues(details, link?.baseSnapshot ?? null)),
    candidates: candidates(detail, exact?.fields ?? null),
    exactCandidates: exactCandidates(details, company ? fieldsOf(company) : null).filter((c) => c.exactGuid !== exact?.guid),
    link: link ? linkView(link) : null,
    rule: str(obj(details).rule) ?? link?.matchRule ?? null,
    matchValues: obj(details).values ?? link?.matchValues ?? null,
    flags: Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string') : [],
    decisions: decisionsFor(conflict.kind),
    details,
  };
}
