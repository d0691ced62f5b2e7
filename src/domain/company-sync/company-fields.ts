/**
 * The company fields the Exact Online sync carries between Relay and Exact, and the small
 * operations every part of the sync needs on them (compare, normalise). Pure: imported by
 * workflows as well as activities and routes.
 */

/** The fields the sync carries between Relay and Exact. */
export const SYNCED_FIELDS = ['name', 'chamberOfCommerceId', 'streetName', 'buildingNumber', 'buildingNumberAddition', 'postalCode', 'city', 'country'] as const;
export type SyncedField = (typeof SYNCED_FIELDS)[number];
export type CompanyFields = { [K in SyncedField]: string | null };

/**
 * The street address's parts: one value to people (Exact keeps them as one AddressLine1), so the
 * sync merges, resolves and reviews them together — never one part from each side.
 */
export const ADDRESS_PARTS = ['streetName', 'buildingNumber', 'buildingNumberAddition'] as const satisfies readonly SyncedField[];
export type AddressPart = (typeof ADDRESS_PARTS)[number];

/** Fields that merge as one: the address parts; every other field is a group of its own. */
export const FIELD_GROUPS: ReadonlyArray<readonly SyncedField[]> = [['name'], ['chamberOfCommerceId'], ADDRESS_PARTS, ['postalCode'], ['city'], ['country']];

/** The fields that merge together with `field` (itself included). */
export function groupOf(field: SyncedField): readonly SyncedField[] {
  return FIELD_GROUPS.find((g) => g.includes(field)) ?? [field];
}

/** Every field null: the starting point of a mapping and the "nothing known" side of a comparison. */
export function emptyFields(): CompanyFields {
  return { name: null, chamberOfCommerceId: null, streetName: null, buildingNumber: null, buildingNumberAddition: null, postalCode: null, city: null, country: null };
}

/** A Dutch postcode as people type it: four digits (no leading zero), optional space, two letters. */
const DUTCH_POSTCODE = /^([1-9]\d{3}) ?([A-Za-z]{2})$/;

/**
 * One field's value in its canonical form: trimmed, inner whitespace collapsed to one space,
 * empty → null. Postal codes that are Dutch-shaped are written `1234 AB` (the form PostNL and
 * Exact show), so "1234ab" from one side and "1234 AB" from the other are the same value and
 * never a change or a conflict. Countries are ISO codes and compared upper-case.
 *
 * The KVK number is only trimmed here: whether it is valid is kvk.ts's question, and an invalid
 * one is kept as typed so that an operator sees what Exact holds.
 */
export function normaliseField(field: SyncedField, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const text = value.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  if (field === 'country') return text.toUpperCase();
  if (field === 'postalCode') {
    const dutch = DUTCH_POSTCODE.exec(text);
    return dutch ? `${dutch[1]} ${dutch[2]!.toUpperCase()}` : text;
  }
  return text;
}

/** Every field in its canonical form (see normaliseField). */
export function normaliseFields(fields: CompanyFields): CompanyFields {
  const out = emptyFields();
  for (const field of SYNCED_FIELDS) out[field] = normaliseField(field, fields[field]);
  return out;
}

/** Whether two values of a field are the same once normalised (so whitespace and case of a postcode never count as edits). */
export function sameFieldValue(field: SyncedField, a: string | null, b: string | null): boolean {
  return normaliseField(field, a) === normaliseField(field, b);
}

/** The fields whose normalised values differ between `a` and `b`, in SYNCED_FIELDS order. */
export function changedFields(a: CompanyFields, b: CompanyFields): SyncedField[] {
  return SYNCED_FIELDS.filter((field) => !sameFieldValue(field, a[field], b[field]));
}
