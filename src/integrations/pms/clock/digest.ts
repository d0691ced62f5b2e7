/**
 * HTTP Digest access authentication, the client's half (RFC 7616 with the MD5 algorithm and
 * qop="auth", computed as RFC 2617 defines it), which fetch does not speak. The response hashes
 * the method and the request-target exactly as sent (path and query), so the caller passes the
 * URI it will request.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** `auth` when the server offers it; undefined for an RFC 2069 server. */
  qop?: 'auth';
  /** The nonce expired, the credentials were right. */
  stale: boolean;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** `key="value"` and `key=token` pairs; values may hold commas and escaped quotes. */
function parameters(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of text.matchAll(pattern)) out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return out;
}

/**
 * The Digest challenge of a `WWW-Authenticate` value (which may list other schemes too), or
 * undefined when there is none Relay can answer (no nonce, an algorithm other than MD5, a qop
 * list without `auth`).
 */
export function parseDigestChallenge(header: string | null | undefined): DigestChallenge | undefined {
  const at = header ? header.search(/(^|[\s,])Digest\s/i) : -1;
  if (!header || at < 0) return undefined;
  const rest = header.slice(at).replace(/^[\s,]*Digest\s+/i, '');
  // Another scheme after the Digest one starts with a bare token followed by a space.
  const end = rest.search(/,\s*[A-Za-z][\w-]*\s+[A-Za-z0-9_-]+\s*=/);
  const p = parameters(end < 0 ? rest : rest.slice(0, end));
  if (!p.nonce || p.realm === undefined) return undefined;
  if (p.algorithm !== undefined && p.algorithm.toUpperCase() !== 'MD5') return undefined;
  let qop: 'auth' | undefined;
  if (p.qop !== undefined) {
    if (!p.qop.split(/[\s,]+/).includes('auth')) return undefined;
    qop = 'auth';
  }
  return { realm: p.realm, nonce: p.nonce, opaque: p.opaque, qop, stale: (p.stale ?? '').toLowerCase() === 'true' };
}

export interface DigestInput {
  challenge: DigestChallenge;
  method: string;
  /** The request-target as it will be sent: path and query. */
  uri: string;
  username: string;
  password: string;
  /** This request's count of the nonce (1 for its first use). */
  nc: number;
  /** The client nonce; a fresh random one when absent. */
  cnonce?: string;
}

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** The `Authorization` value answering `challenge` for one request. */
export function digestAuthorization(input: DigestInput): string {
  const { challenge, method, uri, username, password } = input;
  const nc = input.nc.toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(12).toString('hex');
  const ha1 = md5(`${username}:${challenge.realm}:${password}`);
  const ha2 = md5(`${method.toUpperCase()}:${uri}`);
  const response = challenge.qop ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`) : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [`username=${quote(username)}`, `realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`, `uri=${quote(uri)}`, 'algorithm=MD5', `response="${response}"`];
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (challenge.qop) parts.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  return `Digest ${parts.join(', ')}`;
}
