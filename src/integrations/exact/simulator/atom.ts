/**
 * Exact's default answer format when a client does not ask for JSON: an OData v2 Atom feed or entry. Only a
 * minimal rendering (enough to show a client that forgot `Accept: application/json` what it got back); the
 * simulator's fidelity is in the JSON format.
 */
import type { ApiResult } from './endpoints';
import type { EntityDef } from './wire';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const NS =
  'xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"';

function properties(def: EntityDef, row: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(row)) {
    if (name === '__metadata') continue;
    const type = def[name]?.type ?? 'Edm.String';
    const typeAttr = type === 'Edm.String' ? '' : ` m:type="${type}"`;
    if (value === null) parts.push(`<d:${name}${typeAttr} m:null="true" />`);
    else {
      // JSON dates are /Date(ms)/; Atom carries ISO times.
      const text = type === 'Edm.DateTime' ? new Date(Number(/\d+/.exec(String(value))?.[0])).toISOString().replace('Z', '') : String(value);
      parts.push(`<d:${name}${typeAttr}>${esc(text)}</d:${name}>`);
    }
  }
  return `<m:properties>${parts.join('')}</m:properties>`;
}

function entry(def: EntityDef, row: Record<string, unknown>, updated: string): string {
  const meta = row.__metadata as { uri: string; type: string };
  return (
    `<entry><id>${esc(meta.uri)}</id><title type="text" /><updated>${updated}</updated><author><name /></author>` +
    `<category term="${esc(meta.type)}" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" />` +
    `<content type="application/xml">${properties(def, row)}</content></entry>`
  );
}

export function toAtom(result: ApiResult, selfUrl: string, now: number): string {
  const updated = new Date(now).toISOString();
  const head = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>';
  if (result.kind === 'collection') {
    const entries = result.rows.map((r) => entry(result.def, r, updated)).join('');
    const next = result.next === undefined ? '' : `<link rel="next" href="${esc(result.next)}" />`;
    const count = result.count === undefined ? '' : `<m:count>${result.count}</m:count>`;
    return `${head}<feed ${NS}><id>${esc(selfUrl)}</id><title type="text">${esc(result.title)}</title><updated>${updated}</updated>${count}${entries}${next}</feed>`;
  }
  if (result.kind === 'entity') return `${head}${entry(result.def, result.row, updated).replace('<entry>', `<entry ${NS}>`)}`;
  return '';
}

/** An OData error in XML, for clients that did not ask for JSON. */
export function atomError(message: string): string {
  return `<?xml version="1.0" encoding="utf-8" standalone="yes"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code></code><message xml:lang="en-US">${esc(message)}</message></error>`;
}
