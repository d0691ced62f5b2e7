import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';

/**
 * Relay's custom search attributes, so operators can filter in the Web UI, e.g.
 * `RelayIntegration = "exact-online" AND RelayStatus = "awaiting-resolution"`.
 */
export const RelayIntegration = defineSearchAttributeKey('RelayIntegration', SearchAttributeType.KEYWORD);
export const RelayEntity = defineSearchAttributeKey('RelayEntity', SearchAttributeType.KEYWORD);
export const RelayStatus = defineSearchAttributeKey('RelayStatus', SearchAttributeType.KEYWORD);

export const RELAY_SEARCH_ATTRIBUTES = [RelayIntegration, RelayEntity, RelayStatus];

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Registers missing attributes; existing ones are left alone, so this is safe at every
 * start. Temporal Cloud manages attributes in its own console and refuses this call:
 * callers treat a failure as a warning.
 */
export async function ensureSearchAttributes(connection: Pick<Connection | NativeConnection, 'operatorService'>, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = RELAY_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !known.has(name));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
    });
  }
  return missing;
}
