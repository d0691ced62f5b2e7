/**
 * The simulated Mews data: enterprises (hotels) with their services, age categories, resources
 * (rooms), customers, reservations, product service orders with their items, and notes. Each
 * record gets a sequence number when it is created: Mews pages newest first and a cursor
 * names the last record returned, so the sequence is the paging order.
 */
import type { Random } from './random';
import type {
  WireAgeCategory,
  WireCustomer,
  WireOrderItem,
  WireProductServiceOrder,
  WireReservation,
  WireResource,
  WireService,
  WireServiceOrderNote,
} from './wire';
import { utc } from './wire';

export interface Enterprise {
  id: string;
  name: string;
  /** IANA zone (Mews' `TimeZoneIdentifier`). */
  timezone: string;
  country: string;
  chainId: string;
  accessToken: string;
  /** Ids and numbers of everything created later in this hotel come from here (deterministic per seed). */
  rng: Random;
  /** The profile Mews names as creator/updater of what the simulator makes. */
  profileId: string;
  rateId: string;
  resourceCategoryId: string;
  bookable: WireService;
  additional: WireService;
  ageCategories: WireAgeCategory[];
  resources: Map<string, WireResource>;
  customers: Map<string, WireCustomer>;
  reservations: Map<string, WireReservation>;
  orders: Map<string, WireProductServiceOrder>;
  orderItems: Map<string, WireOrderItem>;
  notes: Map<string, WireServiceOrderNote>;
  nextNumber: number;
  nextCustomerNumber: number;
  churn?: NodeJS.Timeout;
}

export class SimStore {
  readonly enterprises = new Map<string, Enterprise>();
  /** AccessToken → the enterprises it opens (one, or several for a portfolio token). */
  readonly tokens = new Map<string, string[]>();
  /** Hotels created since the last reset (mixes into their seeds). */
  hotelsCreated = 0;
  private seq = 0;
  private readonly seqOf = new Map<string, number>();
  /** Last UpdatedUtc handed out per record, so a change always moves it. */
  private readonly lastUpdate = new Map<string, number>();

  /** Registers a new record for paging order. */
  created(id: string): void {
    this.seqOf.set(id, ++this.seq);
  }

  sequence(id: string): number | undefined {
    return this.seqOf.get(id);
  }

  /**
   * An UpdatedUtc for a change of record `id` now: Mews' datetimes have whole seconds, and a
   * second change within the same second must still show as a change.
   */
  touch(id: string, now = Date.now()): string {
    const second = Math.floor(now / 1000) * 1000;
    const last = this.lastUpdate.get(id);
    const at = last !== undefined && second <= last ? last + 1000 : second;
    this.lastUpdate.set(id, at);
    return utc(at);
  }

  enterprisesOf(accessToken: string): Enterprise[] {
    return (this.tokens.get(accessToken) ?? []).map((id) => this.enterprises.get(id)!).filter(Boolean);
  }

  addEnterprise(e: Enterprise): void {
    this.enterprises.set(e.id, e);
    this.tokens.set(e.accessToken, [...(this.tokens.get(e.accessToken) ?? []), e.id]);
  }

  reset(): void {
    for (const e of this.enterprises.values()) if (e.churn) clearInterval(e.churn);
    this.enterprises.clear();
    this.tokens.clear();
    this.seqOf.clear();
    this.lastUpdate.clear();
    this.hotelsCreated = 0;
  }
}

/** A new record's id, registered for paging. */
export function newId(store: SimStore, e: Enterprise): string {
  const id = e.rng.guid();
  store.created(id);
  return id;
}
