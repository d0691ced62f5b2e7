/**
 * In-memory state of the simulated account: accepted messages (in acceptance order), recipients who opted out,
 * WhatsApp customer-service windows and handsets that cannot be reached.
 */
import { bareNumber, type SimMessage } from './model';

export const SESSION_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface MessageFilter {
  to?: string;
  from?: string;
  /** Inclusive bounds on the sent time (epoch ms); see `sentTimeForFilter`. */
  sentFrom?: number;
  sentTo?: number;
}

/**
 * Time a DateSent filter compares against. Twilio's reference defines the filters on the sent date and does not say
 * how still-queued messages (no date_sent yet) are treated; the simulator matches them on their creation time, so
 * a client that looks a message up right after creating it finds it even while it waits in a sender's queue.
 */
export function sentTimeForFilter(message: SimMessage, now: number): number {
  return message.dispatchedAt <= now ? message.dispatchedAt : message.createdAt;
}

export class SimulatorStore {
  private readonly bySid = new Map<string, SimMessage>();
  private readonly ordered: SimMessage[] = [];
  private readonly optedOut = new Set<string>();
  private readonly sessions = new Map<string, number>();
  private readonly unreachable = new Set<string>();

  add(message: SimMessage): void {
    this.bySid.set(message.sid, message);
    this.ordered.push(message);
  }

  get(sid: string): SimMessage | undefined {
    return this.bySid.get(sid);
  }

  /** Accepted messages, oldest first. */
  all(): SimMessage[] {
    return [...this.ordered];
  }

  /** Newest first, as Twilio lists them. */
  query(filter: MessageFilter, now: number): SimMessage[] {
    const out: SimMessage[] = [];
    for (let i = this.ordered.length - 1; i >= 0; i--) {
      const m = this.ordered[i]!;
      if (filter.to !== undefined && m.to !== filter.to) continue;
      if (filter.from !== undefined && m.from !== filter.from) continue;
      if (filter.sentFrom !== undefined || filter.sentTo !== undefined) {
        // date_sent has one-second resolution on the wire; compare at that resolution.
        const t = Math.floor(sentTimeForFilter(m, now) / 1000) * 1000;
        if (filter.sentFrom !== undefined && t < filter.sentFrom) continue;
        if (filter.sentTo !== undefined && t > filter.sentTo) continue;
      }
      out.push(m);
    }
    return out;
  }

  clearMessages(): void {
    this.bySid.clear();
    this.ordered.length = 0;
  }

  // Opt-outs are kept per recipient address (channel prefix included), not per sender as Twilio does for
  // SMS: enough to exercise a client's handling of 21610.
  optOut(address: string): void {
    this.optedOut.add(address);
  }
  optIn(address: string): void {
    this.optedOut.delete(address);
  }
  isOptedOut(address: string): boolean {
    return this.optedOut.has(address);
  }
  optedOutAddresses(): string[] {
    return [...this.optedOut].sort();
  }

  /** Opens (or refreshes) the 24-hour WhatsApp customer-service window of `address` as of `at`. */
  openSession(address: string, at: number): void {
    this.sessions.set(bareNumber(address), at);
  }
  closeSession(address: string): void {
    this.sessions.delete(bareNumber(address));
  }
  inSession(address: string, now: number): boolean {
    const opened = this.sessions.get(bareNumber(address));
    return opened !== undefined && now - opened < SESSION_WINDOW_MS && now >= opened;
  }
  openSessions(now: number): Array<{ address: string; openedAt: string; closesAt: string }> {
    return [...this.sessions]
      .filter(([address]) => this.inSession(address, now))
      .map(([address, at]) => ({
        address: `whatsapp:${address}`,
        openedAt: new Date(at).toISOString(),
        closesAt: new Date(at + SESSION_WINDOW_MS).toISOString(),
      }));
  }

  /** Handsets whose messages end `undelivered` with 30003. */
  markUnreachable(address: string): void {
    this.unreachable.add(bareNumber(address));
  }
  markReachable(address: string): void {
    this.unreachable.delete(bareNumber(address));
  }
  isUnreachable(address: string): boolean {
    return this.unreachable.has(bareNumber(address));
  }
  unreachableNumbers(): string[] {
    return [...this.unreachable].sort();
  }

  clearAll(): void {
    this.clearMessages();
    this.optedOut.clear();
    this.sessions.clear();
    this.unreachable.clear();
  }
}
