/**
 * What the Cloudbeds simulator holds: properties with their rooms, guests, reservations, custom
 * items (by referenceID), transactions, notes and card charges, and their credentials. Ids are
 * numeric strings as Cloudbeds' are; times are kept as instants and written in property time.
 */
import type { Random } from './random';

export type Status = 'not_confirmed' | 'confirmed' | 'canceled' | 'checked_in' | 'checked_out' | 'no_show';
export type Condition = 'clean' | 'dirty' | 'inspected';

export interface Room {
  roomID: string;
  roomName: string;
  roomTypeID: string;
  roomTypeName: string;
  roomCondition: Condition;
  roomBlocked: boolean;
}

export interface Guest {
  guestID: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  cellPhone: string;
  country: string;
  /** Guest custom fields by their shortcode. */
  customFields: Map<string, string>;
  modifiedAt: number;
}

export interface Reservation {
  reservationID: string;
  guestID: string;
  status: Status;
  startDate: string;
  endDate: string;
  adults: number;
  children: number;
  roomID: string | null;
  roomTypeID: string;
  createdAt: number;
  modifiedAt: number;
}

export interface CustomItemLine {
  itemName: string;
  itemPrice: string;
  itemQuantity: number;
  itemNote: string;
  itemSKU: string;
}

export interface SoldProduct {
  soldProductID: string;
  transactionID: string;
  reservationID: string;
  referenceID: string | null;
  lines: CustomItemLine[];
  postedAt: number;
}

export interface Transaction {
  transactionID: string;
  reservationID: string;
  description: string;
  notes: string;
  amount: number;
  transactionCategory: string;
  postedAt: number;
}

export interface Note {
  reservationNoteID: string;
  reservationID: string;
  reservationNote: string;
  createdAt: number;
}

export interface CardCharge {
  transactionID: string;
  reservationID: string;
  amount: string;
}

export interface Property {
  propertyID: string;
  name: string;
  timezone: string;
  country: string;
  currency: string;
  /** The property-level API key it hands out (`cbat_...`). */
  apiKey: string;
  /** The refresh token Relay's OAuth client holds for it. */
  refreshToken: string;
  /** Shortcode of the guest custom field staff record the language in. */
  languageField: string;
  rng: Random;
  rooms: Map<string, Room>;
  guests: Map<string, Guest>;
  reservations: Map<string, Reservation>;
  soldProducts: Map<string, SoldProduct>;
  /** referenceID → soldProductID: what makes a repeated referenceID post nothing. */
  references: Map<string, string>;
  transactions: Transaction[];
  notes: Note[];
  cardCharges: CardCharge[];
  churn?: NodeJS.Timeout;
}

export class SimStore {
  readonly properties = new Map<string, Property>();
  private readonly byApiKey = new Map<string, Property>();
  private readonly byRefreshToken = new Map<string, Property>();
  private sequence = 0;
  hotelsCreated = 0;

  /** A fresh numeric id: Cloudbeds' ids are digit strings of varying length. */
  /** A property id that follows the seed (runs sharing one database do not collide), unique here. */
  propertyIdFor(seed: number): string {
    let n = 100_000 + (Math.abs(Math.trunc(seed)) % 899_900_000);
    while (this.properties.has(String(n))) n++;
    return String(n);
  }

  nextId(digits = 8): string {
    this.sequence++;
    return String(10 ** (digits - 1) + this.sequence);
  }

  add(p: Property): void {
    this.properties.set(p.propertyID, p);
    this.byApiKey.set(p.apiKey, p);
    this.byRefreshToken.set(p.refreshToken, p);
  }

  byKey(apiKey: string): Property | undefined {
    return this.byApiKey.get(apiKey);
  }

  byRefresh(refreshToken: string): Property | undefined {
    return this.byRefreshToken.get(refreshToken);
  }

  reset(): void {
    for (const p of this.properties.values()) if (p.churn) clearInterval(p.churn);
    this.properties.clear();
    this.byApiKey.clear();
    this.byRefreshToken.clear();
    this.hotelsCreated = 0;
  }
}
