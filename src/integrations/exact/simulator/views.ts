/**
 * Plain JSON views of the simulator's state for the control API and the in-process handle: accounts as the Sync
 * API shows them (PascalCase, `Timestamp` a string, dates `/Date(ms)/`), deletions, divisions.
 */
import type { DeletedRow, DivisionInfo } from './store';
import { DELETED_FIELDS, jsonValue, SYNC_ACCOUNT_FIELDS, type SimRow } from './wire';

/** An account in its wire form (what `sync/CRM/Accounts` answers, without `__metadata`). */
export interface WireAccount {
  ID: string;
  Code: string;
  Name: string;
  SearchCode: string | null;
  ChamberOfCommerce: string | null;
  AddressLine1: string | null;
  Postcode: string | null;
  City: string | null;
  Country: string | null;
  Status: string | null;
  Blocked: boolean;
  /** Rowversion, as a string. */
  Timestamp: string;
  /** `/Date(ms)/` */
  Modified: string;
  Created: string;
  [field: string]: unknown;
}

export interface WireDeleted {
  ID: string;
  EntityKey: string;
  EntityType: number;
  Timestamp: string;
  DeletedDate: string;
  DeletedBy: string;
  Division: number;
}

export function wireAccount(row: SimRow): WireAccount {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(SYNC_ACCOUNT_FIELDS)) out[name] = jsonValue(def.type, row[name]);
  return out as WireAccount;
}

export function deletedJson(row: DeletedRow): WireDeleted {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(DELETED_FIELDS)) out[name] = jsonValue(def.type, row[name]);
  return out as unknown as WireDeleted;
}

export interface DivisionView {
  code: number;
  description: string;
  divisionMoveDate: string | null;
  database: number;
}

export function divisionJson(info: DivisionInfo): DivisionView {
  return {
    code: info.code,
    description: info.description,
    divisionMoveDate: info.moveDate === null ? null : new Date(info.moveDate).toISOString(),
    database: info.database,
  };
}
