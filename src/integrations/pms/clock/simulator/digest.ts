/**
 * HTTP Digest authentication as the simulated Clock PMS+ demands it (RFC 7616 with MD5 and
 * qop="auth", the RFC 2617 computation): every request without a valid `Authorization: Digest`
 * is answered 401 with a challenge. A nonce is the server's own signed timestamp (nothing is
 * stored to issue it) and is good for `nonceTtlMs`; a correct answer with an expired nonce gets
 * a fresh challenge marked `stale=true`. A nonce-count is accepted once per nonce and cnonce,
 * and `uri` must be the request-target exactly.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const CLOCK_REALM = 'Clock PMS+ API';
/** Five minutes, as a Rails application's digest nonces live. */
export const DEFAULT_NONCE_TTL_MS = 5 * 60_000;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
  algorithm?: string;
}

/** `Authorization: Digest k="v", k=v, ...`; undefined when it is not a Digest header or lacks a field. */
export function parseDigestAuthorization(header: string | undefined): DigestCredentials | undefined {
  const match = /^\s*Digest\s+(.+)$/is.exec(header ?? '');
  if (!match) return undefined;
  const fields: Record<string, string> = {};
  const pattern = /([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))\s*(?:,|$)/g;
  for (const part of match[1]!.matchAll(pattern)) fields[part[1]!.toLowerCase()] = part[2] !== undefined ? part[2].replace(/\\(.)/g, '$1') : part[3]!;
  const { username, realm, nonce, uri, response } = fields;
  if (!username || realm === undefined || !nonce || !uri || !response) return undefined;
  return { username, realm, nonce, uri, response, qop: fields.qop, nc: fields.nc, cnonce: fields.cnonce, opaque: fields.opaque, algorithm: fields.algorithm };
}

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; stale: boolean; reason: string; username?: string };

export class DigestAuthority {
  private readonly secret = randomBytes(32).toString('hex');
  readonly opaque = md5(`opaque:${this.secret}`);
  /** Nonce → the `cnonce:nc` pairs already used with it. */
  private readonly seen = new Map<string, { issuedAt: number; used: Set<string> }>();
  private prunedAt = 0;

  constructor(
    private readonly nonceTtlMs = DEFAULT_NONCE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A fresh nonce: the issue time and its signature. */
  nonce(): string {
    const at = String(this.now());
    return Buffer.from(`${at}:${createHmac('sha256', this.secret).update(at).digest('hex')}`).toString('base64');
  }

  /** The `WWW-Authenticate` value of a 401. */
  challenge(stale = false): string {
    return `Digest realm="${CLOCK_REALM}", qop="auth", algorithm=MD5, nonce="${this.nonce()}", opaque="${this.opaque}"${stale ? ', stale=true' : ''}`;
  }

  /** Checks one request's credentials; `keyOf` gives an API user's key (undefined: no such user). */
  verify(credentials: DigestCredentials | undefined, method: string, requestTarget: string, keyOf: (username: string) => string | undefined): DigestVerdict {
    if (!credentials) return { ok: false, stale: false, reason: 'no Digest credentials' };
    const c = credentials;
    const fail = (reason: string) => ({ ok: false as const, stale: false, reason, username: c.username });
    if (c.realm !== CLOCK_REALM) return fail('wrong realm');
    if (c.algorithm !== undefined && c.algorithm.toUpperCase() !== 'MD5') return fail('unsupported algorithm');
    if (c.opaque !== this.opaque) return fail('wrong opaque');
    if (c.qop !== 'auth' || !c.nc || !/^[0-9a-f]{8}$/i.test(c.nc) || !c.cnonce) return fail('qop=auth with nc and cnonce is required');
    if (c.uri !== requestTarget) return fail('uri is not the request-target');
    const issuedAt = this.issuedAt(c.nonce);
    if (issuedAt === undefined) return fail('not a nonce of this server');
    const key = keyOf(c.username);
    if (key === undefined) return fail('unknown API user');
    const ha1 = md5(`${c.username}:${CLOCK_REALM}:${key}`);
    const ha2 = md5(`${method}:${c.uri}`);
    const expected = md5(`${ha1}:${c.nonce}:${c.nc}:${c.cnonce}:${c.qop}:${ha2}`);
    if (expected !== c.response.toLowerCase()) return fail('wrong response');
    if (this.now() - issuedAt > this.nonceTtlMs) return { ok: false, stale: true, reason: 'nonce expired', username: c.username };
    if (!this.firstUse(c.nonce, issuedAt, `${c.cnonce}:${c.nc.toLowerCase()}`)) return fail('nonce-count replayed');
    return { ok: true, username: c.username };
  }

  private issuedAt(nonce: string): number | undefined {
    const decoded = Buffer.from(nonce, 'base64').toString('utf8');
    const [at, signature] = decoded.split(':');
    if (!at || !signature || !/^\d+$/.test(at)) return undefined;
    const expected = createHmac('sha256', this.secret).update(at).digest('hex');
    return expected === signature ? Number(at) : undefined;
  }

  private firstUse(nonce: string, issuedAt: number, pair: string): boolean {
    this.prune();
    let entry = this.seen.get(nonce);
    if (!entry) this.seen.set(nonce, (entry = { issuedAt, used: new Set() }));
    if (entry.used.has(pair)) return false;
    entry.used.add(pair);
    return true;
  }

  /** Forgets the counts of expired nonces (they are refused as stale anyway). */
  private prune(): void {
    if (this.now() - this.prunedAt < 1000) return;
    this.prunedAt = this.now();
    const cutoff = this.now() - this.nonceTtlMs;
    for (const [nonce, entry] of this.seen) if (entry.issuedAt < cutoff) this.seen.delete(nonce);
  }
}
