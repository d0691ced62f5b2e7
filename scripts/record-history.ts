import 'dotenv/config';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig } from '../src/config';
import { createTemporalClient } from '../src/temporal/client';
import { EncryptionCodec } from '../src/temporal/encryption-codec';
import { decodeJsonHistory } from './lib/history';

/**
 * Saves a finished workflow's history as a replay fixture:
 *   npm run history:record -- <workflowId> <fixture-name>
 * Record one before changing a workflow that has shipped; test/replay.test.ts then proves
 * the new code still replays it (determinism).
 */
async function main(): Promise<void> {
  const [workflowId, name] = process.argv.slice(2);
  if (!workflowId || !name || !/^[a-z0-9-]+$/.test(name)) {
    throw new Error('usage: npm run history:record -- <workflowId> <fixture-name (a-z, 0-9, -)>');
  }
  const config = loadConfig();
  const { client, connection } = createTemporalClient(config);
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(config.codec.keys));
    const file = path.join(__dirname, '..', 'test', 'histories', `${name}.json`);
    writeFileSync(file, `${JSON.stringify(decoded, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${history.events?.length ?? 0} events)`);
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
