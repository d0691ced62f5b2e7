import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { temporalConnectionOptions } from './connection';
import { createDataConverter } from './data-converter';

/**
 * A lazily connected client: the API starts (and reports "not ready") while Temporal
 * is still coming up, instead of crashing.
 */
export function createTemporalClient(config: Config): { client: Client; connection: Connection } {
  const connection = Connection.lazy(temporalConnectionOptions(config.temporal));
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.codec.keys) });
  return { client, connection };
}
