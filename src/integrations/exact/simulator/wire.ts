/**
 * Exact Online's wire format as the simulator speaks it, written from Exact's public REST reference and KB pages
 * (OData v2, JSON "verbose" format): `{"d":{"results":[...],"__next":...}}` collections, `{"d":{...}}` single
 * entities, `/Date(ms)/` dates, Edm.Int64 as quoted strings, rows with `__metadata` {uri,type}, 18-character
 * right-aligned account codes and OData error bodies. Nothing here is shared with Relay's Exact client.
 */

/** The Edm types the simulated entities use; they decide JSON form, filter literals and comparisons. */
export type EdmType = 'Edm.Guid' | 'Edm.String' | 'Edm.Boolean' | 'Edm.DateTime' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Double';

export interface FieldDef {
  type: EdmType;
  /** Clients may send it on POST/PUT; read-only fields sent by a client are refused. */
  writable?: boolean;
  /** Longest accepted string. */
  maxLength?: number;
}

export type EntityDef = Readonly<Record<string, FieldDef>>;

/**
 * A stored value as the simulator keeps it: Guid lower-case string, DateTime epoch ms, Int64 bigint, others as
 * JSON has them. `null` is "empty".
 */
export type SimValue = string | number | boolean | bigint | null;
export type SimRow = Record<string, SimValue>;

/** CRM Accounts: the fields the simulator keeps (a subset of Exact's ~150, the ones a CRM sync touches). */
export const ACCOUNT_FIELDS: EntityDef = {
  ID: { type: 'Edm.Guid' },
  Code: { type: 'Edm.String', writable: true, maxLength: 18 },
  Name: { type: 'Edm.String', writable: true, maxLength: 100 },
  SearchCode: { type: 'Edm.String', writable: true, maxLength: 30 },
  ChamberOfCommerce: { type: 'Edm.String', writable: true, maxLength: 30 },
  VATNumber: { type: 'Edm.String', writable: true, maxLength: 30 },
  AddressLine1: { type: 'Edm.String', writable: true, maxLength: 100 },
  AddressLine2: { type: 'Edm.String', writable: true, maxLength: 100 },
  AddressLine3: { type: 'Edm.String', writable: true, maxLength: 100 },
  Postcode: { type: 'Edm.String', writable: true, maxLength: 20 },
  City: { type: 'Edm.String', writable: true, maxLength: 50 },
  State: { type: 'Edm.String', writable: true, maxLength: 2 },
  Country: { type: 'Edm.String', writable: true, maxLength: 2 },
  CountryName: { type: 'Edm.String' },
  Email: { type: 'Edm.String', writable: true, maxLength: 255 },
  Phone: { type: 'Edm.String', writable: true, maxLength: 30 },
  Website: { type: 'Edm.String', writable: true, maxLength: 255 },
  Remarks: { type: 'Edm.String', writable: true },
  Language: { type: 'Edm.String', writable: true, maxLength: 2 },
  Status: { type: 'Edm.String', writable: true, maxLength: 1 },
  Type: { type: 'Edm.String' },
  IsSupplier: { type: 'Edm.Boolean', writable: true },
  IsSales: { type: 'Edm.Boolean', writable: true },
  Blocked: { type: 'Edm.Boolean', writable: true },
  Created: { type: 'Edm.DateTime' },
  Creator: { type: 'Edm.Guid' },
  CreatorFullName: { type: 'Edm.String' },
  Modified: { type: 'Edm.DateTime' },
  Modifier: { type: 'Edm.Guid' },
  ModifierFullName: { type: 'Edm.String' },
  Division: { type: 'Edm.Int32' },
};

/**
 * A new account row with every field present, always in the same order: rows then share one shape, which keeps
 * scanning 50 000 of them for a filter fast.
 */
export function blankAccount(): SimRow {
  return {
    Timestamp: null,
    ID: null,
    Code: null,
    Name: null,
    SearchCode: null,
    ChamberOfCommerce: null,
    VATNumber: null,
    AddressLine1: null,
    AddressLine2: null,
    AddressLine3: null,
    Postcode: null,
    City: null,
    State: null,
    Country: null,
    CountryName: null,
    Email: null,
    Phone: null,
    Website: null,
    Remarks: null,
    Language: null,
    Status: null,
    Type: null,
    IsSupplier: false,
    IsSales: false,
    Blocked: false,
    Created: null,
    Creator: null,
    CreatorFullName: null,
    Modified: null,
    Modifier: null,
    ModifierFullName: null,
    Division: null,
  };
}

/** `sync/CRM/Accounts`: the account fields plus the rowversion `Timestamp` (the entity's key there). */
export const SYNC_ACCOUNT_FIELDS: EntityDef = { Timestamp: { type: 'Edm.Int64' }, ...ACCOUNT_FIELDS };

/** `sync/Deleted`: one row per deleted record. */
export const DELETED_FIELDS: EntityDef = {
  Timestamp: { type: 'Edm.Int64' },
  DeletedBy: { type: 'Edm.Guid' },
  DeletedDate: { type: 'Edm.DateTime' },
  Division: { type: 'Edm.Int32' },
  EntityKey: { type: 'Edm.Guid' },
  EntityType: { type: 'Edm.Int32' },
  ID: { type: 'Edm.Guid' },
};

/** `system/Divisions`: the divisions the user has access to. */
export const DIVISION_FIELDS: EntityDef = {
  Code: { type: 'Edm.Int32' },
  Description: { type: 'Edm.String' },
  HID: { type: 'Edm.Int64' },
  Country: { type: 'Edm.String' },
  Currency: { type: 'Edm.String' },
  Customer: { type: 'Edm.Guid' },
  CustomerName: { type: 'Edm.String' },
  DivisionMoveDate: { type: 'Edm.DateTime' },
  Main: { type: 'Edm.Boolean' },
  Status: { type: 'Edm.Int32' },
  Created: { type: 'Edm.DateTime' },
  Modified: { type: 'Edm.DateTime' },
};

/** `current/Me`. */
export const ME_FIELDS: EntityDef = {
  UserID: { type: 'Edm.Guid' },
  UserName: { type: 'Edm.String' },
  FullName: { type: 'Edm.String' },
  FirstName: { type: 'Edm.String' },
  LastName: { type: 'Edm.String' },
  Email: { type: 'Edm.String' },
  LanguageCode: { type: 'Edm.String' },
  CurrentDivision: { type: 'Edm.Int32' },
  AccountingDivision: { type: 'Edm.Int32' },
  DivisionCustomer: { type: 'Edm.Guid' },
  DivisionCustomerName: { type: 'Edm.String' },
  ServerTime: { type: 'Edm.DateTime' },
  ServerUtcOffset: { type: 'Edm.Double' },
};

export const ENTITY_TYPES = {
  account: 'Exact.Web.Api.Models.Account',
  syncAccount: 'Exact.Web.Api.Models.Sync.CRM.Account',
  deleted: 'Exact.Web.Api.Models.Sync.Deleted',
  division: 'Exact.Web.Api.System.Division',
  me: 'Exact.Web.Api.Models.Current.Me',
} as const;

/** `EntityType` of accounts in `sync/Deleted`. */
export const DELETED_ENTITY_TYPE_ACCOUNTS = 2;

/** Regular endpoints answer 60 rows a page, Sync and Bulk endpoints 1000. */
export const REGULAR_PAGE_SIZE = 60;
export const SYNC_PAGE_SIZE = 1000;

export const CODE_LENGTH = 18;

/** Exact's account Code: the value right-aligned in 18 characters, padded with leading spaces. */
export function padCode(code: string): string {
  return code.trim().padStart(CODE_LENGTH, ' ');
}

export const wireDate = (ms: number): string => `/Date(${ms})/`;

const COUNTRY_NAMES: Record<string, string> = {
  NL: 'Nederland',
  BE: 'België',
  DE: 'Duitsland',
  FR: 'Frankrijk',
  GB: 'Verenigd Koninkrijk',
  LU: 'Luxemburg',
};

export const countryName = (code: string | null): string | null => (code === null ? null : (COUNTRY_NAMES[code] ?? code));

/** One stored value in its JSON form (OData v2 verbose). */
export function jsonValue(type: EdmType, value: SimValue | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'Edm.DateTime':
      return wireDate(Number(value));
    case 'Edm.Int64':
      // OData v2 writes Int64 as a string: JavaScript numbers cannot hold every rowversion.
      return String(value);
    default:
      return value;
  }
}

/** A row as JSON with `__metadata`, restricted to `select` (all fields when absent). */
export function toJsonRow(def: EntityDef, row: SimRow, metadata: { uri: string; type: string }, select?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { __metadata: metadata };
  for (const name of select ?? Object.keys(def)) out[name] = jsonValue(def[name]!.type, row[name]);
  return out;
}

/** Exact's OData error body; clients read `error.message.value`. */
export function odataErrorBody(message: string): { error: { code: string; message: { lang: string; value: string } } } {
  return { error: { code: '', message: { lang: '', value: message } } };
}

/** The HTML page Exact shows (with 200 or 503) while it is down for maintenance. */
export const MAINTENANCE_HTML = `<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Exact Online - Onderhoud</title></head>
<body><h1>Exact Online is tijdelijk niet beschikbaar</h1>
<p>Wegens gepland onderhoud is Exact Online op dit moment niet bereikbaar. Probeer het later opnieuw.</p>
<p>Exact Online is temporarily unavailable due to scheduled maintenance. Please try again later.</p></body></html>
`;
