/**
 * How Relay authenticates to Clock PMS+: HTTP Digest with the API user's name and key. A nonce is
 * negotiated once per API user and host and kept in this process, each request counting it up
 * (nc), so a call costs one request, not a 401 round trip every time. Callers that find no nonce
 * wait for one shared challenge request (single flight). A 401 to a signed request brings a
 * fresh challenge with it: it replaces the nonce that request used (not one another caller has
 * already renewed).
 *
 * Clock counts its limit per API user (5 calls a second), so that is the scope of Relay's shared
 * limiter: every hotel an API user serves shares it.
 */
import type { RateScope } from '../adapter';
import type { ClockCredentials } from './credentials';
import { type DigestChallenge, digestAuthorization } from './digest';
import { clockBaseUrl, type ClockSettings } from './settings';

/** Clock's documented limit: 5 calls per second per API user. */
export const CLOCK_RATE_LIMIT = { limit: 5, windowMs: 1000 } as const;

/** A nonce-count is 8 hex digits: a nonce used that often is renewed. */
const MAX_NC = 0xffffffff;

interface Held {
  challenge: DigestChallenge;
  nc: number;
}

interface Session {
  held?: Held;
  pending?: Promise<DigestChallenge>;
}

export interface SignedRequest {
  authorization: string;
  /** The nonce it used (to renew exactly that one on a 401). */
  nonce: string;
}

export class ClockDigestSessions {
  private readonly sessions = new Map<string, Session>();
  /** Challenge requests sent by this process (tests, metrics). */
  challenges = 0;

  /**
   * Signs one request; `obtain` asks Clock for a challenge when this user has no nonce yet (one
   * request at a time per user, whoever else is waiting).
   */
  async sign(key: string, request: { method: string; uri: string; username: string; password: string }, obtain: () => Promise<DigestChallenge>): Promise<SignedRequest> {
    const session = this.session(key);
    while (!session.held || session.held.nc >= MAX_NC) {
      session.pending ??= this.first(session, obtain);
      await session.pending;
    }
    const held = session.held;
    held.nc += 1;
    return { authorization: digestAuthorization({ challenge: held.challenge, nc: held.nc, ...request }), nonce: held.challenge.nonce };
  }

  /** Clock refused the request signed with `usedNonce`; `fresh` is the challenge its 401 carried. */
  renew(key: string, usedNonce: string, fresh: DigestChallenge | undefined): void {
    const session = this.session(key);
    if (session.held?.challenge.nonce !== usedNonce) return;
    session.held = fresh ? { challenge: fresh, nc: 0 } : undefined;
  }

  /** Forgets every nonce (tests). */
  clear(): void {
    this.sessions.clear();
    this.challenges = 0;
  }

  private session(key: string): Session {
    let session = this.sessions.get(key);
    if (!session) this.sessions.set(key, (session = {}));
    return session;
  }

  private async first(session: Session, obtain: () => Promise<DigestChallenge>): Promise<DigestChallenge> {
    try {
      this.challenges++;
      const challenge = await obtain();
      session.held = { challenge, nc: 0 };
      return challenge;
    } finally {
      session.pending = undefined;
    }
  }
}

/** The process-wide sessions every Clock adapter uses. */
export const clockDigestSessions = new ClockDigestSessions();

/** One API user on one host: its nonce and its limit. */
export function apiUserKey(settings: ClockSettings, credentials: Pick<ClockCredentials, 'apiUser' | 'subscriptionId' | 'region'>): string {
  const host = new URL(clockBaseUrl(settings, credentials.region)).host;
  return `${host}/${credentials.subscriptionId}/${credentials.apiUser}`;
}

export function clockRateScope(settings: ClockSettings, credentials: Pick<ClockCredentials, 'apiUser' | 'subscriptionId' | 'region'>): RateScope {
  return { key: `clock:user:${apiUserKey(settings, credentials)}`, ...CLOCK_RATE_LIMIT };
}
