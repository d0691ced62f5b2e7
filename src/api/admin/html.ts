import type { Response } from 'express';

/**
 * Server-rendered HTML without a framework: every interpolated value is escaped unless it is
 * markup this module built (`Html`), so a company name from Exact can never become markup.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\`` escapes `name`; nested `html` fragments and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1]!;
  });
  return new Html(out);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;line-height:1.45;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d0d5;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f6}
tr.differs td{background:#fff4d6}tr.differs td.field{font-weight:600}td.empty{color:#888;font-style:italic}
.notice{padding:.6rem .8rem;border-radius:4px;margin:1rem 0}.ok{background:#e5f6ea;color:#0a6b2c}.error{background:#fde8ea;color:#b00020}
nav a{margin-right:1rem}form.inline{display:inline}button{margin:.2rem .4rem .2rem 0;padding:.3rem .7rem;cursor:pointer}
.muted{color:#666}.tag{display:inline-block;padding:0 .4rem;border-radius:3px;background:#eef;font-size:.85rem}
fieldset{border:1px solid #d0d0d5;margin:1rem 0;padding:.5rem 1rem}code{background:#eee;padding:0 .2rem}`;

/** A whole page; headers are set by the caller (see `sendPage` in ./router.ts). Without an operator (the Exact callback) there is no menu. */
export function page(title: string, body: Html, signedInAs?: string): Html {
  const nav = signedInAs
    ? html`<nav><a href="/admin/conflicts">Open conflicts</a><a href="/admin/conflicts?status=resolved">Resolved</a><a href="/admin/exact">Exact connections</a>
<span class="muted">Signed in as ${signedInAs} · <a href="/ui/sign-in">session</a></span></nav>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Relay</title>
<style>${new Html(STYLE)}</style></head><body>
${nav}
<h1>${title}</h1>
${body}
</body></html>`;
}

/** Pages carry no script and may be framed by nobody; forms post only to Relay itself. */
export function sendPage(res: Response, status: number, title: string, body: Html): void {
  res
    .status(status)
    .set({
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
    })
    .type('html')
    .send(page(title, body, (res.locals.adminOperator as { name?: string } | undefined)?.name).text);
}

