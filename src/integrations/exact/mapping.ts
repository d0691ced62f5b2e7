/**
 * Exact Online accounts (wire rows of `crm/Accounts` and `sync/CRM/Accounts`) ↔ Relay's `CompanyFields`.
 *
 * Exact keeps the street address in one line (`AddressLine1`); Relay keeps street, number and addition. A line the
 * Dutch address parser will not split is never guessed at: the three fields stay empty and the line is kept whole
 * in `addressUnparsed`, with the parser's reason, for the sync to flag. The KVK number (`ChamberOfCommerce`) is
 * kept as Exact has it: whether it is a valid KVK number is the matcher's question (kvk.ts).
 */
import { type CompanyFields, emptyFields, type SyncedField } from '../../domain/company-sync/company-fields';
import { formatDutchAddress, isUnparsedAddress, parseDutchAddress, type UnparsedAddressReason } from '../../domain/company-sync/dutch-address';
import { type ODataRow, parseBoolean, parseInt64, parseODataDate, parseString } from './odata';

/** The account properties Relay reads (`$select`); never `*`. */
export const ACCOUNT_SELECT = ['ID', 'Code', 'Name', 'ChamberOfCommerce', 'AddressLine1', 'Postcode', 'City', 'Country', 'SearchCode', 'Blocked', 'Status', 'Modified'] as const;
/** The same from the Sync API, with its rowversion. */
export const SYNC_ACCOUNT_SELECT = ['Timestamp', ...ACCOUNT_SELECT] as const;

/** The wire properties the synced fields live in (the address parts all in AddressLine1). */
export const WIRE_FIELD: Record<SyncedField, string> = {
  name: 'Name',
  chamberOfCommerceId: 'ChamberOfCommerce',
  streetName: 'AddressLine1',
  buildingNumber: 'AddressLine1',
  buildingNumberAddition: 'AddressLine1',
  postalCode: 'Postcode',
  city: 'City',
  country: 'Country',
};

/** An Exact account as Relay reads it. */
export interface ExactAccount {
  guid: string;
  /** Exact's Code, trimmed (it arrives right-aligned in 18 characters). */
  code: string | null;
  /** Exact's `Modified`; epoch 0 when Exact sent none. */
  modifiedAt: Date;
  blocked: boolean;
  /** Exact's customer status: A none, S suspect, P prospect, C customer. */
  status: string | null;
  /** Relay writes its create marker here. */
  searchCode: string | null;
  fields: CompanyFields;
  /** AddressLine1 as received, when the parser would not split it (the address fields are then null). */
  addressUnparsed?: string;
  addressUnparsedReason?: UnparsedAddressReason;
}

/** A row of the Sync API: an account with its rowversion. */
export interface ExactSyncAccount extends ExactAccount {
  timestamp: bigint;
}

/** A row of `sync/Deleted` for accounts. */
export interface ExactDeletedAccount {
  /** The deleted account's ID (`EntityKey`). */
  guid: string;
  timestamp: bigint;
  deletedAt: Date | null;
}

export class ExactMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExactMappingError';
  }
}

const text = (value: unknown): string | null => {
  const s = parseString(value);
  return s === null || s.trim() === '' ? null : s;
};

/** The synced fields of a wire row, and the address line when it could not be split. */
export function fieldsFromWire(row: ODataRow): Pick<ExactAccount, 'fields' | 'addressUnparsed' | 'addressUnparsedReason'> {
  const fields = emptyFields();
  fields.name = text(row.Name);
  fields.chamberOfCommerceId = text(row.ChamberOfCommerce);
  fields.postalCode = text(row.Postcode);
  fields.city = text(row.City);
  fields.country = text(row.Country);
  const address = parseDutchAddress(text(row.AddressLine1));
  if (isUnparsedAddress(address)) return { fields, addressUnparsed: address.unparsed, addressUnparsedReason: address.reason };
  fields.streetName = address.streetName;
  fields.buildingNumber = address.buildingNumber;
  fields.buildingNumberAddition = address.buildingNumberAddition;
  return { fields };
}

/** A `crm/Accounts` row (as `$select=ACCOUNT_SELECT` returns it). */
export function fromExactAccountRow(row: ODataRow): ExactAccount {
  const guid = text(row.ID);
  if (guid === null) throw new ExactMappingError('an account row without ID');
  return {
    guid: guid.toLowerCase(),
    code: text(row.Code)?.trim() ?? null,
    modifiedAt: parseODataDate(row.Modified) ?? new Date(0),
    blocked: parseBoolean(row.Blocked),
    status: text(row.Status),
    searchCode: text(row.SearchCode)?.trim() ?? null,
    ...fieldsFromWire(row),
  };
}

/** A `sync/CRM/Accounts` row: its Timestamp arrives as a string (OData v2 Int64) or a number. */
export function fromExactSyncRow(row: ODataRow): ExactSyncAccount {
  const timestamp = parseInt64(row.Timestamp);
  if (timestamp === null) throw new ExactMappingError('a sync row without a Timestamp');
  return { ...fromExactAccountRow(row), timestamp };
}

/** A `sync/Deleted` row. */
export function fromExactDeletedRow(row: ODataRow): ExactDeletedAccount {
  const guid = text(row.EntityKey);
  const timestamp = parseInt64(row.Timestamp);
  if (guid === null || timestamp === null) throw new ExactMappingError('a deletion row without EntityKey or Timestamp');
  return { guid: guid.toLowerCase(), timestamp, deletedAt: parseODataDate(row.DeletedDate) };
}

/** An account body for POST/PUT. */
export type ExactAccountWrite = Record<string, string | boolean>;

const ADDRESS_FIELDS = ['streetName', 'buildingNumber', 'buildingNumberAddition'] as const;

/**
 * The account properties for the given fields only (an update sends only what changed: Exact advises it, and a
 * field Relay did not mean to touch stays as an Exact user left it). An emptied field is sent as "" (Exact stores
 * empty text as empty). The address parts share AddressLine1: when any of them is given, the line is formatted
 * from the given parts and, for the others, from `current` (the company's full fields), so that changing only the
 * number keeps the street. `name` cannot be emptied (Exact requires it).
 */
export function toExactWrite(fields: Partial<CompanyFields>, current?: CompanyFields): ExactAccountWrite {
  const out: ExactAccountWrite = {};
  const value = (v: string | null | undefined) => (v === null || v === undefined ? '' : v.trim());
  if ('name' in fields) {
    if (value(fields.name) === '') throw new ExactMappingError('an Exact account needs a name');
    out.Name = value(fields.name);
  }
  if ('chamberOfCommerceId' in fields) out.ChamberOfCommerce = value(fields.chamberOfCommerceId);
  if (ADDRESS_FIELDS.some((f) => f in fields)) {
    const part = (f: (typeof ADDRESS_FIELDS)[number]) => (f in fields ? (fields[f] ?? null) : (current?.[f] ?? null));
    out.AddressLine1 = formatDutchAddress({ streetName: part('streetName'), buildingNumber: part('buildingNumber'), buildingNumberAddition: part('buildingNumberAddition') }) ?? '';
  }
  if ('postalCode' in fields) out.Postcode = value(fields.postalCode);
  if ('city' in fields) out.City = value(fields.city);
  if ('country' in fields) out.Country = value(fields.country).toUpperCase();
  return out;
}

/**
 * A create's body: every non-empty field, and Relay's marker in SearchCode. Never an ID. A company whose address
 * line could not be split (`addressUnparsed`, the parts empty) sends that line as it is.
 */
export function toExactCreate(fields: CompanyFields, searchCode: string, options: { addressUnparsed?: string | null } = {}): ExactAccountWrite {
  const full = toExactWrite(fields);
  const out: ExactAccountWrite = {};
  for (const [name, v] of Object.entries(full)) if (v !== '') out[name] = v;
  if (out.AddressLine1 === undefined && options.addressUnparsed) out.AddressLine1 = options.addressUnparsed.trim();
  out.SearchCode = searchCode;
  return out;
}
