import { CENSOR, isSensitiveKey, scrubText } from '../../logger';

/**
 * What of a vendor URL may be logged: path and query, never credentials in the authority,
 * with secret- or personal-data-named parameters (`access_token`, `client_secret`, `email`)
 * censored and e-mail addresses or phone numbers in other values (an OData `$filter`) scrubbed.
 */
export function redactUrl(url: URL): string {
  const params: string[] = [];
  for (const [name, value] of url.searchParams) {
    params.push(`${name}=${isSensitiveKey(name) ? CENSOR : scrubText(value)}`);
  }
  const path = scrubText(decodeSafe(url.pathname));
  return params.length ? `${path}?${params.join('&')}` : path;
}

/** Headers fit for a debug log: credentials, cookies and signatures censored. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = isSensitiveKey(name) ? CENSOR : scrubText(value);
  });
  return out;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
