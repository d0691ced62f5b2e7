/**
 * Clock's limits: 5 calls per second per API user, the call beyond answered 429, counted per
 * scope `user:<api user>` in `/__sim/stats` (the user named in the request's Digest credentials,
 * known before they are checked, as a limiter in front of the application sees it). And the web
 * application firewall: an address that keeps calling into 429s is banned for about two hours,
 * every request from it answered 403.
 */
import { SlidingWindowLimits } from '../../simulator-kit/limits';

export interface LimitSettings {
  /** Calls per API user within `windowMs` (Clock: 5 per second). */
  perUser: number;
  windowMs: number;
}

export interface FirewallSettings {
  /** 429s from one address within `windowMs` that earn a ban. */
  refusalsBeforeBan: number;
  windowMs: number;
  banMs: number;
}

export const CLOCK_LIMIT: LimitSettings = { perUser: 5, windowMs: 1000 };
export const CLOCK_FIREWALL: FirewallSettings = { refusalsBeforeBan: 100, windowMs: 60_000, banMs: 2 * 3_600_000 };

export const userScope = (apiUser: string) => `user:${apiUser}`;

export class RequestLimits extends SlidingWindowLimits {
  constructor(
    private readonly settings: LimitSettings = CLOCK_LIMIT,
    private readonly now: () => number = Date.now,
  ) {
    super(settings.windowMs);
  }

  /** Takes one call from the user's window; false when the window is already full. */
  take(apiUser: string): boolean {
    return this.takeFrom(userScope(apiUser), this.settings.perUser, this.now()).ok;
  }
}

export class Firewall {
  private readonly refusals = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();

  constructor(
    private readonly settings: FirewallSettings = CLOCK_FIREWALL,
    private readonly now: () => number = Date.now,
  ) {}

  isBanned(address: string): boolean {
    const until = this.bans.get(address);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.bans.delete(address);
    return false;
  }

  /** One more 429 for `address`; bans it once they pile up. */
  refused(address: string): void {
    const now = this.now();
    const recent = (this.refusals.get(address) ?? []).filter((at) => at > now - this.settings.windowMs);
    recent.push(now);
    this.refusals.set(address, recent);
    if (recent.length >= this.settings.refusalsBeforeBan) this.ban(address);
  }

  ban(address: string): void {
    this.bans.set(address, this.now() + this.settings.banMs);
    this.refusals.delete(address);
  }

  reset(): void {
    this.refusals.clear();
    this.bans.clear();
  }
}
