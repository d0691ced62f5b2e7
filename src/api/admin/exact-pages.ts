import type { z } from '../openapi';
import type { AvailableDivisionView, ConnectionView } from '../routes/company-sync/exact/schemas';
import { type Html, html } from './html';

/** The Exact pages: connections (connect, re-authorise) and choosing a connection's divisions. */

type Connection = z.infer<typeof ConnectionView>;
type Available = z.infer<typeof AvailableDivisionView>;

export function connectionsBody(connections: Connection[]): Html {
  const rows = connections.map(
    (c) => html`<tr data-connection-id="${c.id}"><td><a href="/admin/exact/connections/${c.id}"><code>${c.id.slice(0, 8)}</code></a></td>
<td>${c.status === 'active' ? 'active' : html`<strong>needs re-authorising</strong>`}${c.reason ? html`<br><span class="muted">${c.reason}</span>` : ''}</td>
<td>${c.baseUrl}</td><td>${c.divisions.join(', ') || '—'}</td>
<td><a href="${c.reauthorizeUrl}">Re-authorise</a> · <a href="/admin/exact/connections/${c.id}">Choose divisions</a></td></tr>`,
  );
  return html`<p><a href="/v1/exact/connect">Connect an Exact account</a> — you sign in at Exact Online and come back here to choose the divisions to sync.</p>
${connections.length ? html`<table><thead><tr><th>Connection</th><th>Status</th><th>Exact</th><th>Divisions synced</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>No Exact account is connected yet.</p>`}`;
}

export interface ChooseInput {
  connection: Connection;
  available?: Available[];
  csrf: string;
  notice?: string;
  error?: string;
}

export function chooseDivisionsBody(input: ChooseInput): Html {
  const { connection } = input;
  const boxes = (input.available ?? []).map(
    (d) => html`<tr><td><label><input type="checkbox" name="division" value="${d.division}"${d.selected ? html` checked` : ''}> ${d.division}</label></td>
<td>${d.name ?? ''}${d.main ? html` <span class="tag">main</span>` : ''}</td><td>${d.country ?? ''}</td>
<td>${d.selectedElsewhere ? 'synced through another connection (choosing it moves it here)' : d.selected ? 'synced' : ''}</td></tr>`,
  );
  const form = input.available
    ? html`<form method="post" action="/admin/exact/connections/${connection.id}/divisions"><input type="hidden" name="csrf" value="${input.csrf}">
<table><thead><tr><th>Division</th><th>Name</th><th>Country</th><th></th></tr></thead><tbody>${boxes}</tbody></table>
<button type="submit">Sync the chosen divisions</button></form>
<p class="muted">A newly chosen division is imported in full first, then synced every few minutes; a division left out stops syncing (nothing is deleted).</p>`
    : '';
  return html`${input.notice ? html`<p class="notice ok" role="status">${input.notice}</p>` : ''}
${input.error ? html`<p class="notice error" role="alert">${input.error}</p>` : ''}
<p>Connection <code>${connection.id}</code> to ${connection.baseUrl}: <strong>${connection.status}</strong>${connection.reason ? html` (${connection.reason})` : ''}.
<a href="${connection.reauthorizeUrl}">Re-authorise</a></p>
${form}`;
}
