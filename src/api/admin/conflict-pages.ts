import { ADDRESS_PARTS, SYNCED_FIELDS, type SyncedField } from '../../domain/company-sync/company-fields';
import { formatDutchAddress } from '../../domain/company-sync/dutch-address';
import type { z } from '../openapi';
import type { CompanyView } from '../routes/company-sync/companies/schemas';
import type { ConflictDetailView, ConflictOutcomeView, ConflictSummary, FieldComparison } from '../routes/company-sync/conflicts/schemas';
import { Html, html } from './html';

/**
 * The conflict pages: a list of conflicts, and one conflict with our record and Exact's side by
 * side (differing fields highlighted) and a form per decision. They render the same views the
 * API answers (src/api/routes/company-sync/conflicts/view.ts), so both show the same facts.
 */

type Summary = z.infer<typeof ConflictSummary>;
type Detail = z.infer<typeof ConflictDetailView>;
type Comparison = z.infer<typeof FieldComparison>;
type Company = z.infer<typeof CompanyView>;

const LABELS: Record<(typeof SYNCED_FIELDS)[number], string> = {
  name: 'Name',
  chamberOfCommerceId: 'KVK number',
  streetName: 'Street',
  buildingNumber: 'Number',
  buildingNumberAddition: 'Addition',
  postalCode: 'Postal code',
  city: 'City',
  country: 'Country',
};

const KIND_TEXT: Record<string, string> = {
  kvk_collision: 'KVK held by another company',
  code_collision: 'Code held by another link',
  address_match: 'Same address',
  suspicious_match: 'KVK agrees, name and address do not',
  ambiguous_kvk: 'Several Exact accounts carry our KVK',
  ambiguous_create: 'Several Exact accounts carry our create marker',
  field_conflict: 'Changed on both sides',
  unique_violation: 'Unique value held elsewhere',
  deleted_in_source: 'Deleted in Exact, changed here since',
};

const kindText = (kind: string) => KIND_TEXT[kind] ?? kind;
const cell = (value: string | null | undefined) => (value === null || value === undefined || value === '' ? html`<td class="empty">empty</td>` : html`<td>${value}</td>`);
const short = (id: string | null) => (id ? id.slice(0, 8) : '—');

export interface ListPageInput {
  items: Summary[];
  nextCursor: string | null;
  status: 'open' | 'resolved' | 'all';
  kind?: string;
}

export function conflictListBody(input: ListPageInput): Html {
  const next = input.nextCursor
    ? html`<p><a href="/admin/conflicts?${new URLSearchParams({ status: input.status, ...(input.kind ? { kind: input.kind } : {}), cursor: input.nextCursor }).toString()}">Next page</a></p>`
    : '';
  const rows = input.items.map(
    (c) => html`<tr data-conflict-id="${c.id}">
<td>${c.createdAt.slice(0, 16).replace('T', ' ')}</td>
<td><span class="tag">${kindText(c.kind)}</span></td>
<td>${c.division}</td>
<td>${c.reason ?? ''}</td>
<td>${c.exactGuid ? html`<code title="${c.exactGuid}">${short(c.exactGuid)}</code>` : '—'}</td>
<td>${c.status}${c.escalatedAt ? html` <span class="tag">escalated</span>` : ''}${c.resolvedBy ? html`<br><span class="muted">by ${c.resolvedBy}</span>` : ''}</td>
<td><a href="/admin/conflicts/${c.id}">Open</a></td>
</tr>`,
  );
  return html`<p class="muted">${input.status === 'open' ? 'Decisions waiting for an operator, newest first.' : input.status === 'resolved' ? 'Decided conflicts, newest first.' : 'All conflicts, newest first.'}</p>
${
  input.items.length
    ? html`<table id="conflicts"><thead><tr><th>Raised</th><th>Kind</th><th>Division</th><th>Why</th><th>Exact account</th><th>Status</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>No ${input.status === 'all' ? '' : input.status} conflicts.</p>`
}
${next}`;
}

export interface DetailPageInput {
  conflict: Detail;
  csrf: string;
  outcome?: z.infer<typeof ConflictOutcomeView>;
  error?: string;
}

/** Our company's fields against Exact's, the differing rows highlighted. */
function comparison(fields: Comparison[], ours: string, theirs: string): Html {
  const withBase = fields.some((f) => f.base !== undefined);
  return html`<table class="comparison"><thead><tr><th>Field</th><th>${ours}</th><th>${theirs}</th>${withBase ? html`<th>At the last sync</th>` : ''}</tr></thead><tbody>
${fields.map(
  (f) => html`<tr class="${f.differs ? 'differs' : 'same'}" data-field="${f.field}"><td class="field">${LABELS[f.field]}${f.differs ? html` <span class="tag">differs</span>` : ''}</td>${cell(f.relay)}${cell(f.exact)}${withBase ? cell(f.base) : ''}</tr>`,
)}
</tbody></table>`;
}

function decisionForm(conflictId: string, csrf: string, fields: Record<string, string>, label: string, inner: Html | '' = ''): Html {
  return html`<form method="post" action="/admin/conflicts/${conflictId}/resolve" class="${inner ? '' : 'inline'}">
<input type="hidden" name="csrf" value="${csrf}">
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${inner}<button type="submit">${label}</button></form>`;
}

const isAddressPart = (field: SyncedField) => (ADDRESS_PARTS as readonly SyncedField[]).includes(field);

/** One side's street address from the comparison rows, as one line. */
function addressLine(fields: Comparison[], side: 'relay' | 'exact'): string | null {
  const part = (field: SyncedField) => fields.find((f) => f.field === field)?.[side] ?? null;
  return formatDutchAddress({ streetName: part('streetName'), buildingNumber: part('buildingNumber'), buildingNumberAddition: part('buildingNumberAddition') });
}

/**
 * Merge: per differing field, which side to keep (ours preselected: nothing changes unless chosen).
 * The street address is one choice (street, number and addition go together, as Exact keeps them).
 */
function mergeForm(conflictId: string, csrf: string, company: Company, fields: Comparison[]): Html | '' {
  const differing = fields.filter((f) => f.differs);
  if (!differing.length) return '';
  const row = (name: string, label: string, relay: string | null, exact: string | null) => html`<tr><td>${label}</td>
<td><label><input type="radio" name="field.${name}" value="relay" checked> ${relay ?? 'empty'}</label></td>
<td><label><input type="radio" name="field.${name}" value="exact"> ${exact ?? 'empty'}</label></td></tr>`;
  const radios = differing.filter((f) => !isAddressPart(f.field)).map((f) => row(f.field, LABELS[f.field], f.relay, f.exact));
  // The address row stands where the street would (the choice posts as the street's, and applies to all three parts).
  if (differing.some((f) => isAddressPart(f.field))) {
    const at = differing.findIndex((f) => isAddressPart(f.field));
    radios.splice(at, 0, row('streetName', 'Address', addressLine(fields, 'relay'), addressLine(fields, 'exact')));
  }
  const inner = html`<table class="merge"><thead><tr><th>Field</th><th>Keep ours</th><th>Take Exact's</th></tr></thead><tbody>${radios}</tbody></table>`;
  return html`<fieldset><legend>Merge into ${company.name}</legend>${decisionForm(conflictId, csrf, { action: 'merge', companyId: company.id }, 'Merge chosen fields', inner)}</fieldset>`;
}

/** One company the account may belong to: the comparison and its decisions. */
function companySection(detail: Detail, csrf: string, company: Company, fields: Comparison[], note: Html | ''): Html {
  const open = detail.status === 'open';
  // Without one Exact account in the conflict (several carry our KVK) our record stands alone; the accounts below compare.
  const table = detail.exact
    ? comparison(fields, 'Relay (ours)', 'Exact')
    : html`<table class="relay-only"><thead><tr><th>Field</th><th>Relay (ours)</th></tr></thead><tbody>
${fields.map((f) => html`<tr data-field="${f.field}"><td class="field">${LABELS[f.field]}</td>${cell(f.relay)}</tr>`)}</tbody></table>`;
  return html`<section class="candidate" data-company-id="${company.id}">
<h2>Relay company: ${company.name} <span class="muted">(${short(company.id)}, version ${company.version})</span></h2>
${note}
${table}
${open && detail.decisions.includes('link') ? decisionForm(detail.id, csrf, { action: 'link', companyId: company.id }, 'Link to this company') : ''}
${open && detail.decisions.includes('merge') ? mergeForm(detail.id, csrf, company, fields) : ''}
</section>`;
}

function outcomeNotice(outcome: z.infer<typeof ConflictOutcomeView>): Html {
  const target = outcome.companyId ? html` company <a href="/admin/conflicts/${outcome.conflictId}"><code>${outcome.companyId}</code></a>` : '';
  return html`<p class="notice ok" role="status" id="outcome">Resolved: <strong>${outcome.decision}</strong>${target}${outcome.exactGuid ? html`, Exact account <code>${outcome.exactGuid}</code>` : ''} — by ${outcome.resolvedBy} at ${outcome.resolvedAt}.</p>`;
}

export function conflictDetailBody(input: DetailPageInput): Html {
  const c = input.conflict;
  const open = c.status === 'open';
  const why = c.link?.matchRule || c.rule ? html`<p>Matched by rule <code>${c.rule ?? c.link?.matchRule}</code> on ${valuesText(c.matchValues)}.</p>` : '';
  const resolved = !open
    ? html`<p class="notice ok" role="status">This conflict was resolved${c.resolvedBy ? html` by ${c.resolvedBy}` : ''}${c.resolvedAt ? html` at ${c.resolvedAt}` : ''}: <code>${JSON.stringify(c.resolution)}</code></p>`
    : '';
  const exactHeading = c.exact ? html`<p>Exact account <code>${c.exact.guid ?? ''}</code>${c.exact.code ? html`, code <code>${c.exact.code}</code>` : ''}${c.exact.modifiedAt ? html`, changed in Exact at ${c.exact.modifiedAt}` : ''}${c.exact.kvkAsInExact && c.exact.kvkAsInExact !== c.exact.fields.chamberOfCommerceId ? html`; KVK as typed in Exact: <code>${c.exact.kvkAsInExact}</code>` : ''}.</p>` : '';

  // The company the conflict concerns first, then the other candidates.
  const sections: Html[] = [];
  const shown = new Set<string>();
  if (c.relay) {
    shown.add(c.relay.id);
    const cand = c.candidates.find((k) => k.companyId === c.relay!.id);
    sections.push(companySection(c, input.csrf, c.relay, c.fields, cand ? candidateNote(cand) : ''));
  }
  for (const cand of c.candidates) {
    if (!cand.company || shown.has(cand.companyId)) continue;
    shown.add(cand.companyId);
    sections.push(companySection(c, input.csrf, cand.company, cand.fields, candidateNote(cand)));
  }
  // No company of ours in the conflict (a review): Exact's values on their own, the candidates above compare.
  const exactOnly =
    !c.relay && c.exact
      ? html`<h2>Exact's account</h2><table class="exact-only"><thead><tr><th>Field</th><th>Exact</th></tr></thead><tbody>
${c.fields.map((f) => html`<tr data-field="${f.field}"><td class="field">${LABELS[f.field]}</td>${cell(f.exact)}</tr>`)}</tbody></table>`
      : '';
  const exactCandidates = c.exactCandidates.map(
    (e) => html`<section class="exact-candidate" data-exact-guid="${e.exactGuid}"><h2>Exact account ${e.name ?? ''} <span class="muted">(code ${e.code ?? '—'}, <code>${e.exactGuid}</code>)</span></h2>
${e.comparison.length ? comparison(e.comparison, 'Relay (ours)', 'This Exact account') : ''}
${open && c.decisions.includes('link_exact') ? decisionForm(c.id, input.csrf, { action: 'link_exact', exactGuid: e.exactGuid }, 'Link to this Exact account') : ''}</section>`,
  );
  const general = open
    ? html`<h2>${c.decisions.includes('recreate') ? 'Decisions' : 'Other decisions'}</h2><p>
${c.decisions.includes('recreate') ? decisionForm(c.id, input.csrf, { action: 'recreate' }, 'Keep ours: create it in Exact again') : ''}
${c.decisions.includes('delete') ? decisionForm(c.id, input.csrf, { action: 'delete' }, 'Delete it here too') : ''}
${c.decisions.includes('create') ? decisionForm(c.id, input.csrf, { action: 'create' }, 'Create a new company from Exact') : ''}
${c.decisions.includes('ignore') ? decisionForm(c.id, input.csrf, { action: 'ignore' }, 'Ignore this account') : ''}</p>`
    : '';

  return html`${input.outcome ? outcomeNotice(input.outcome) : ''}
${input.error ? html`<p class="notice error" role="alert" id="rejection">${input.error}</p>` : ''}
${resolved}
<p><span class="tag">${kindText(c.kind)}</span> in division ${c.division} · raised ${c.createdAt} · <strong>${c.status}</strong>${c.escalatedAt ? html` · escalated ${c.escalatedAt}` : ''}
· <a href="${c.webUiUrl}">workflow ${c.workflowId}</a></p>
${c.reason ? html`<p>${c.reason}</p>` : ''}
${c.flags.length ? html`<p>Flags: ${c.flags.map((f) => html`<span class="tag">${f}</span> `)}</p>` : ''}
${why}
${exactHeading}
${sections}
${exactOnly}
${exactCandidates}
${general}`;
}

function candidateNote(cand: Detail['candidates'][number]): Html | '' {
  const parts: string[] = [];
  if (cand.nameSimilarity !== null) parts.push(`name similarity ${Math.round(cand.nameSimilarity * 100)}%`);
  if (cand.postalCodeAgrees !== null) parts.push(cand.postalCodeAgrees ? 'postal code agrees' : 'postal code differs');
  if (cand.kvkAgrees !== null) parts.push(cand.kvkAgrees ? 'KVK agrees' : 'KVK differs');
  if (cand.linkedGuid) parts.push(`already linked to Exact account ${cand.linkedGuid}`);
  return parts.length ? html`<p class="muted">${parts.join(' · ')}</p>` : '';
}

function valuesText(values: unknown): Html {
  const entries = values && typeof values === 'object' ? Object.entries(values as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined) : [];
  return entries.length ? html`${entries.map(([k, v], i) => html`${i ? ', ' : ''}${k} <code>${String(v)}</code>`)}` : html`its values`;
}

export { Html };
