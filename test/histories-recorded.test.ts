import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { decodeJsonHistory } from '../scripts/lib/history';
import { WorkflowIds } from '../src/domain/workflow-ids';
import { createDataConverter } from '../src/temporal/data-converter';
import { EncryptionCodec } from '../src/temporal/encryption-codec';
import { useTwilioSimulator, waitForNotification } from './helpers/notifications';
import { bearer, uniqueId, useRelay, workflowBundle } from './helpers/relay';

/**
 * Replay fixtures for the notification paths that had none: a dossier status change, a
 * webhook on its retry schedule, a send deferred by its sender's rate. Each run is replayed
 * at once against today's bundle; `RECORD_HISTORIES=1 npx jest test/histories-recorded.test.ts`
 * also saves it under test/histories/, where test/replay.test.ts keeps replaying it.
 */
describe('replay fixtures of the notification paths', () => {
  const sim = useTwilioSimulator();
  // One sender at 1 message/s: a burst waits longer than a send may wait inline, so some sends defer on a timer.
  const relay = useRelay({ twilio: sim, env: { WEBHOOK_RETRY_SCHEDULE_MS: '200,200', TWILIO_SENDERS: 'sms:+33757000001@200,sms:+33757000009@1' } });
  const api = () => request(relay().app);
  const auth = bearer('service');

  async function replayAndRecord(workflowId: string, fixture: string) {
    const history = await relay().env.client.workflow.getHandle(workflowId).fetchHistory();
    const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay().config.codec.keys) };
    await Worker.runReplayHistory(options, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay().config.codec.keys));
      writeFileSync(path.join(__dirname, 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
    return history;
  }

  it('a dossier status change that notifies its subscriber', async () => {
    const id = uniqueId('D');
    await api().put(`/v1/dossiers/${id}`).set('authorization', auth).send({ status: 'submitted' }).expect(201);
    await api().put(`/v1/dossiers/${id}/subscribers`).set('authorization', auth).send({ subscribers: [{ channel: 'sms', recipient: '+33612000101' }] }).expect(200);
    await api().post(`/v1/dossiers/${id}/status`).set('authorization', auth).send({ status: 'approved', changeId: `${id}-approved` }).expect(202);
    const workflowId = WorkflowIds.dossierStatus(id, `${id}-approved`);
    await relay().env.client.workflow.getHandle(workflowId).result();
    const history = await replayAndRecord(workflowId, 'dossier-status-notified');
    expect(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(true);
  });

  it('a webhook delivered on its third attempt, after two failures on the retry schedule', async () => {
    let calls = 0;
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        calls += 1;
        res.statusCode = calls <= 2 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const endpoint = await api().post('/v1/webhook-endpoints').set('authorization', auth).send({ url, events: ['fixture.retried'] }).expect(201);
      const key = uniqueId('wh-retried');
      await api()
        .post('/v1/notifications')
        .set('authorization', auth)
        .send({ idempotencyKey: key, channel: 'webhook', recipient: endpoint.body.id, event: 'fixture.retried', payload: { n: 1 } })
        .expect(202);
      const workflowId = WorkflowIds.notification(key);
      await relay().env.client.workflow.getHandle(workflowId).result();
      expect(calls).toBe(3);
      const history = await replayAndRecord(workflowId, 'notification-webhook-retried');
      expect(history.events?.filter((e) => e.timerStartedEventAttributes)).toHaveLength(2);
    } finally {
      receiver.close();
    }
  });

  it('an SMS whose send waited on a durable timer for its sender’s next slot', async () => {
    const keys = Array.from({ length: 8 }, () => uniqueId('rate'));
    for (const [i, key] of keys.entries()) {
      await api()
        .post('/v1/notifications')
        .set('authorization', auth)
        .send({ idempotencyKey: key, channel: 'sms', sender: '+33757000009', recipient: `+3361200020${i}`, body: 'paced' })
        .expect(202);
    }
    for (const key of keys) await waitForNotification(relay(), key, 'delivered', 60_000);
    // The later ones of the burst were more than the inline wait away from their slot.
    let deferred: string | undefined;
    for (const key of keys.reverse()) {
      const history = await relay().env.client.workflow.getHandle(WorkflowIds.notification(key)).fetchHistory();
      if (history.events?.some((e) => e.timerStartedEventAttributes)) {
        deferred = key;
        break;
      }
    }
    expect(deferred).toBeDefined();
    await replayAndRecord(WorkflowIds.notification(deferred!), 'notification-sms-rate-deferred');
  }, 90_000);
});
