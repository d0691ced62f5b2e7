import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../src/temporal/data-converter';
import { buildWorkflowBundle } from '../src/temporal/workflow-bundle';
import { testConfig } from './helpers/relay';

/**
 * Determinism guard: every recorded history in test/histories must replay against the
 * current workflow code. Record new fixtures with `npm run history:record` before
 * changing a workflow that has shipped.
 */
const dir = path.join(__dirname, 'histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

describe('workflow replay over recorded histories', () => {
  it('has fixtures for the shipped workflows', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'echo-completed.json',
        'echo-invalid-input.json',
        'notification-sms-delivered.json',
        'notification-whatsapp-read.json',
        'notification-scheduled-cancelled.json',
        'notification-sms-undelivered.json',
        'notifications-purge-completed.json',
        // Recorded by test/notifications/closing.test.ts (RECORD_HISTORIES=1).
        'notification-receipt-timeout-delivered.json',
        'notification-scheduled-cancelled-externally.json',
        'notification-sent-cancelled-externally.json',
        'notifications-purge-closed-abandoned.json',
        'dossier-status-notified.json',
        'notification-webhook-retried.json',
        'notification-sms-rate-deferred.json',
        // Recorded by test/company-sync/inbound-sync.test.ts (RECORD_HISTORIES=1).
        'exact-import-completed.json',
        'exact-incremental-edits-deletions.json',
        'sync-conflict-linked-by-operator.json',
        'exact-division-owner-running.json',
        // Recorded by test/pms/histories.test.ts (RECORD_HISTORIES=1).
        'pms-arrivals-announced.json',
        'pms-refresh-completed.json',
        'pms-write-charge-found.json',
        'pms-write-charge-unresolved.json',
        'pms-read-rooms.json',
        // Recorded by test/company-sync/deleted-in-exact.test.ts (RECORD_HISTORIES=1): a decision behind the deletion-decisions patch.
        'sync-conflict-recreated-after-deletion.json',
      ]),
    );
  });

  it('replays every fixture without non-determinism', async () => {
    const workflowBundle = await buildWorkflowBundle();
    const histories = fixtures.map((file) => ({
      workflowId: file.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8'))),
    }));
    const failures: string[] = [];
    const options = { workflowBundle, dataConverter: createDataConverter(testConfig().codec.keys) };
    for await (const result of Worker.runReplayHistories(options, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
