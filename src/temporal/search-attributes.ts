import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { RELAY_SEARCH_ATTRIBUTES } from '../domain/search-attributes';

const Indexed = temporal.api.enums.v1.IndexedValueType;

/** The server's name for each SDK type; every attribute is registered with its real type. */
const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: Indexed.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: Indexed.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: Indexed.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: Indexed.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: Indexed.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: Indexed.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: Indexed.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export class SearchAttributeTypeMismatchError extends Error {}

/**
 * Registers missing attributes; existing ones are left alone, so this is safe at every
 * start. An attribute that exists with another type is reported, not silently reused.
 * Temporal Cloud manages attributes in its own console and refuses this call: callers
 * treat a failure as a warning.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection | NativeConnection, 'operatorService'>,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = existing.customAttributes ?? {};
  const wrong = RELAY_SEARCH_ATTRIBUTES.filter((k) => k.name in known && known[k.name] !== INDEXED_TYPE[k.type]);
  if (wrong.length) {
    throw new SearchAttributeTypeMismatchError(
      `search attributes registered with another type: ${wrong.map((k) => `${k.name} (want ${k.type})`).join(', ')}`,
    );
  }
  const missing = RELAY_SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]])),
    });
  }
  return missing.map((k) => k.name);
}
