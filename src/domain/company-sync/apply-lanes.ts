import { normaliseField } from './company-fields';
import { kvkKey, normaliseKvk } from './kvk';

/**
 * Splits a page of inbound accounts into lanes that may be applied side by side: accounts
 * sharing a KVK number, an address or a Code land in one lane (their matching depends on
 * each other: the first creates the company the next one matches), each lane keeps the
 * page's order. Different lanes touch different keys, so applying them concurrently gives
 * the same result as one after another. Pure.
 */
export interface LaneAccount {
  guid: string;
  code: string | null;
  fields: { chamberOfCommerceId: string | null; postalCode: string | null; buildingNumber: string | null; buildingNumberAddition: string | null };
}

export function applyLanes<T extends LaneAccount>(accounts: readonly T[]): T[][] {
  const parent = accounts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const owner = new Map<string, number>();
  accounts.forEach((account, i) => {
    for (const key of keysOf(account)) {
      const seen = owner.get(key);
      if (seen === undefined) owner.set(key, i);
      else parent[find(i)] = find(seen);
    }
  });
  const lanes = new Map<number, T[]>();
  accounts.forEach((account, i) => {
    const root = find(i);
    const lane = lanes.get(root) ?? [];
    lane.push(account);
    lanes.set(root, lane);
  });
  return [...lanes.values()];
}

function keysOf(account: LaneAccount): string[] {
  const keys = [`guid:${account.guid.toLowerCase()}`];
  if (account.code) keys.push(`code:${account.code.trim()}`);
  const kvk = kvkKey(normaliseKvk(account.fields.chamberOfCommerceId));
  if (kvk) keys.push(`kvk:${kvk}`);
  const postal = normaliseField('postalCode', account.fields.postalCode);
  if (postal && account.fields.buildingNumber) {
    keys.push(`address:${postal}|${account.fields.buildingNumber.trim()}|${(account.fields.buildingNumberAddition ?? '').replace(/[\s-]/g, '').toUpperCase()}`);
  }
  return keys;
}
