import { normaliseField } from '../../src/domain/company-sync/company-fields';
import { formatDutchAddress, isUnparsedAddress, parseDutchAddress } from '../../src/domain/company-sync/dutch-address';
import { kvkKey, normaliseKvk } from '../../src/domain/company-sync/kvk';
import type { SimAccount } from './chaos-sim';

/**
 * One view of a company on either side, for comparing them: the synced fields normalised as the sync
 * normalises them (src/domain/company-sync/company-fields.ts), the KVK number as the sync keys it (an
 * invalid one is no number: kvk.ts), and the street address as one line — our street, number and
 * addition formatted by formatDutchAddress, Exact's AddressLine1 parsed and formatted the same way
 * (so "Dorpsstraat 5 A" and street "Dorpsstraat", number "5", addition "A" are one address), or, when
 * the parser would not split it, the line as typed (kept whole in our `address_unparsed`).
 */

export const VIEW_FIELDS = ['name', 'kvk', 'address', 'postalCode', 'city', 'country'] as const;
export type ViewField = (typeof VIEW_FIELDS)[number];
export type CompanyView = Record<ViewField, string | null>;

/** A row of `companies` as the run reads it (snake_case columns). */
export interface CompanyRow {
  id: string;
  name: string;
  chamber_of_commerce_id: string | null;
  street_name: string | null;
  building_number: string | null;
  building_number_addition: string | null;
  postal_code: string | null;
  city: string | null;
  country: string | null;
  address_unparsed: string | null;
  version: number;
  deleted_at: Date | null;
}

const squash = (value: string | null | undefined): string | null => {
  const text = (value ?? '').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
};

/** An address line (as Exact holds it, or as an edit typed it) in the form both sides compare. */
export function addressOfLine(line: string | null | undefined): string | null {
  const parsed = parseDutchAddress(line ?? null);
  if (isUnparsedAddress(parsed)) return squash(parsed.unparsed);
  return addressOfParts(parsed.streetName, parsed.buildingNumber, parsed.buildingNumberAddition);
}

export function addressOfParts(street: string | null, number: string | null, addition: string | null): string | null {
  return formatDutchAddress({ streetName: squash(street), buildingNumber: squash(number), buildingNumberAddition: squash(addition) });
}

export const kvkOf = (raw: string | null | undefined): string | null => kvkKey(normaliseKvk(raw));

export function relayView(c: CompanyRow): CompanyView {
  const parts = addressOfParts(c.street_name, c.building_number, c.building_number_addition);
  return {
    name: normaliseField('name', c.name),
    kvk: kvkOf(c.chamber_of_commerce_id),
    address: parts ?? squash(c.address_unparsed),
    postalCode: normaliseField('postalCode', c.postal_code),
    city: normaliseField('city', c.city),
    country: normaliseField('country', c.country),
  };
}

export function exactView(a: Pick<SimAccount, 'Name' | 'ChamberOfCommerce' | 'AddressLine1' | 'Postcode' | 'City' | 'Country'>): CompanyView {
  return {
    name: normaliseField('name', a.Name),
    kvk: kvkOf(a.ChamberOfCommerce),
    address: addressOfLine(a.AddressLine1),
    postalCode: normaliseField('postalCode', a.Postcode),
    city: normaliseField('city', a.City),
    country: normaliseField('country', a.Country),
  };
}

/** A value of one field in its compared form (as an edit's value is recorded). */
export function normaliseViewValue(field: ViewField, value: string | null): string | null {
  switch (field) {
    case 'kvk':
      return kvkOf(value);
    case 'address':
      return addressOfLine(value);
    default:
      return normaliseField(field, value);
  }
}

export function differingFields(a: CompanyView, b: CompanyView): ViewField[] {
  return VIEW_FIELDS.filter((f) => a[f] !== b[f]);
}
