/**
 * What the simulated Clock PMS+ holds. A subscription (a customer) owns accounts (hotels) and the
 * guest profiles all its accounts share; an API user belongs to one subscription and may use some
 * of its accounts, with a set of rights. Ids are integers unique across the whole simulator, as
 * Clock's are across its ecosystem, handed out in creation order (so the same control calls give
 * the same ids).
 */
import type { Random } from './random';
import { timestamp, type WireBooking, type WireBookingGuest, type WireCharge, type WireGuest, type WireRoom, type WireRoomType, type WireToDo } from './wire';

export interface Subscription {
  id: number;
  guests: Map<number, WireGuest>;
}

export interface ApiUser {
  name: string;
  key: string;
  subscriptionId: number;
  accounts: Set<number>;
  /** Rights the user was given; null: every right. */
  rights: Set<string> | null;
}

export interface Account {
  id: number;
  subscriptionId: number;
  name: string;
  timezone: string;
  country: string;
  createdAt: string;
  /** Draws for everything created later in this hotel (deterministic per seed). */
  rng: Random;
  roomTypes: Map<number, WireRoomType>;
  rooms: Map<number, WireRoom>;
  bookings: Map<number, WireBooking>;
  /** Booking id → its guests, the main one first. */
  bookingGuests: Map<number, Array<Omit<WireBookingGuest, 'guest'>>>;
  /** Booking id → its default (open) folio. */
  folios: Map<number, number>;
  charges: Map<number, WireCharge>;
  /** To-do id → the booking it belongs to and the to-do. */
  todos: Map<number, { bookingId: number; todo: WireToDo }>;
  nextNumber: number;
  churn?: NodeJS.Timeout;
}

type Kind = 'subscription' | 'account' | 'guest' | 'booking' | 'bookingGuest' | 'room' | 'roomType' | 'folio' | 'charge' | 'todo';

/** Where each kind's ids start: distinct ranges make a mixed-up id show at once. */
const FIRST_ID: Record<Kind, number> = {
  subscription: 17_001,
  account: 24_001,
  guest: 510_001,
  booking: 730_001,
  bookingGuest: 810_001,
  room: 31_001,
  roomType: 4_001,
  folio: 920_001,
  charge: 1_400_001,
  todo: 66_001,
};

export class ClockStore {
  readonly subscriptions = new Map<number, Subscription>();
  readonly accounts = new Map<number, Account>();
  readonly users = new Map<string, ApiUser>();
  /** Hotels created since the last reset (mixed into their seeds). */
  hotelsCreated = 0;
  private next: Record<Kind, number> = { ...FIRST_ID };
  /** Last `updated_at` per record, so that every change moves it. */
  private readonly lastTouch = new Map<string, number>();

  nextId(kind: Kind): number {
    return this.next[kind]++;
  }

  /** An `updated_at` for a change of record `key` now, later than any this record had. */
  touch(key: string, now = Date.now()): string {
    const last = this.lastTouch.get(key);
    const at = last !== undefined && now <= last ? last + 1 : now;
    this.lastTouch.set(key, at);
    return timestamp(at);
  }

  subscriptionOf(account: Account): Subscription {
    return this.subscriptions.get(account.subscriptionId)!;
  }

  /** The booking and the account holding it, if this account has it. */
  booking(account: Account, id: number): WireBooking | undefined {
    return account.bookings.get(id);
  }

  reset(): void {
    for (const account of this.accounts.values()) if (account.churn) clearInterval(account.churn);
    this.subscriptions.clear();
    this.accounts.clear();
    this.users.clear();
    this.lastTouch.clear();
    this.next = { ...FIRST_ID };
    this.hotelsCreated = 0;
  }
}
