import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import request from 'supertest';
import { decodeJsonHistory } from '../../scripts/lib/history';
import { computeTwilioSignature } from '../../src/integrations/twilio/signature';
import { notificationsPurgeSchedule } from '../../src/modules/notifications/schedules';
import { createDataConverter } from '../../src/temporal/data-converter';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { ensureSchedules, triggerScheduleNow } from '../../src/temporal/schedules';
import { acceptNotification } from '../../src/temporal/starters/notification';
import { useTwilioSimulator } from '../helpers/notifications';
import { bearer, uniqueId, useRelay, workflowBundle } from '../helpers/relay';
import { waitFor } from '../helpers/wait';

/**
 * Every way a notification ends closes its log row (`closed_at`), so retention applies to it:
 * no receipt in time (Twilio is asked once), a workflow cancelled from outside, a workflow
 * terminated (the purge closes its row, then deletes it). Status callbacks go nowhere here:
 * each one is lost, as when Relay's endpoint was down for Twilio's try and its one retry.
 * `RECORD_HISTORIES=1 npx jest test/notifications/closing.test.ts` rewrites the replay fixtures.
 */
describe('notifications: every row closes and is purged', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({
    twilio: sim,
    // Port 9 (discard) refuses the connection: every status callback is lost.
    env: { NOTIFY_RECEIPT_TIMEOUT_MS: '1500', NOTIFY_CALLBACK_BASE_URL: 'http://127.0.0.1:9' },
  });
  const client = () => relay().env.client;
  const post = (body: object) => request(relay().app).post('/v1/notifications').set('authorization', bearer('service')).send(body);
  /** France's range reserved for fiction (06 39 98 xx xx): fixtures hold no real number. */
  const phone = () => `+3363998${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  const row = (id: string) => relay().prisma.notification.findUnique({ where: { id } });
  const handle = (id: string) => client().workflow.getHandle(`notification-${id}`);
  const inTenMinutes = () => new Date(Date.now() + 10 * 60_000).toISOString();

  /** The workflow's failure cause (its result when it failed or was cancelled). */
  const failureOf = (id: string): Promise<Error | undefined> =>
    handle(id)
      .result()
      .then(
        () => undefined,
        (err: Error) => (err instanceof WorkflowFailedError ? err.cause : err),
      );

  /** Replays a fresh history against today's bundle; with RECORD_HISTORIES=1 also saves it as a fixture. */
  async function replayAndRecord(workflowId: string, fixture: string): Promise<void> {
    const history = await client().workflow.getHandle(workflowId).fetchHistory();
    const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay().config.codec.keys) };
    await Worker.runReplayHistory(options, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay().config.codec.keys));
      writeFileSync(path.join(__dirname, '..', 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
  }

  it('at the receipt timeout asks Twilio, and closes the row with the status Twilio reports (a lost callback)', async () => {
    const id = uniqueId('lost-receipt');
    await post({ idempotencyKey: id, channel: 'sms', recipient: phone(), body: 'Your parcel arrived' }).expect(202);

    expect(await handle(id).result()).toMatchObject({ id, status: 'delivered' });
    const closed = await row(id);
    expect(closed).toMatchObject({ status: 'delivered', closedAt: expect.any(Date), deliveredAt: expect.any(Date) });
    // Twilio did try to tell Relay: every callback of the message, the retry included, was lost.
    const attempts = sim().callbacks({ messageSid: closed!.vendorMessageId! });
    expect(attempts.some((a) => a.status === 'delivered')).toBe(true);
    expect(attempts.every((a) => typeof a.result !== 'number' || a.result >= 400)).toBe(true);
    await replayAndRecord(`notification-${id}`, 'notification-receipt-timeout-delivered');
  });

  it('at the receipt timeout ends a message Twilio reports undelivered as undelivered, with Twilio’s code', async () => {
    const id = uniqueId('lost-failure');
    const to = phone();
    sim().markUnreachable(to);
    await post({ idempotencyKey: id, channel: 'sms', recipient: to, body: 'Nobody home' }).expect(202);

    expect(String((await failureOf(id))?.message)).toContain('30003');
    expect(await row(id)).toMatchObject({ status: 'undelivered', errorCode: '30003', closedAt: expect.any(Date) });
  });

  it('at the receipt timeout closes the row as sent while Twilio has no final status yet; a later receipt may still move it up', async () => {
    const id = uniqueId('slow-receipt');
    const behaviour = sim().callbackBehaviour();
    // The message stays queued at Twilio for far longer than the receipt timeout.
    sim().setCallbackBehaviour({ statusStepMs: 120_000 });
    try {
      await post({ idempotencyKey: id, channel: 'sms', recipient: phone(), body: 'On its way' }).expect(202);
      expect(await handle(id).result()).toMatchObject({ id, status: 'sent' });
    } finally {
      sim().setCallbackBehaviour(behaviour);
    }
    const closed = await row(id);
    expect(closed).toMatchObject({ status: 'sent', closedAt: expect.any(Date), sentAt: expect.any(Date) });
    expect(sim().message(closed!.vendorMessageId!)?.status).toBe('queued');

    // Twilio's receipt arrives after all (signed as Twilio signs it): the row moves up, its closing time stays.
    const query = `notification=${encodeURIComponent(id)}`;
    const params = { MessageSid: closed!.vendorMessageId!, MessageStatus: 'delivered', AccountSid: sim().accountSid, From: closed!.sender!, To: closed!.recipient };
    const signature = computeTwilioSignature(relay().twilio.authToken, `${relay().notifications.callbackBaseUrl}/v1/webhooks/twilio/status?${query}`, params);
    await request(relay().app).post(`/v1/webhooks/twilio/status?${query}`).set('x-twilio-signature', signature).type('form').send(params).expect(204);
    expect(await row(id)).toMatchObject({ status: 'delivered', closedAt: closed!.closedAt });
  });

  it('closes the row cancelled when a scheduled message’s workflow is cancelled from outside (Web UI, CLI)', async () => {
    const id = uniqueId('cancel-scheduled');
    await post({ idempotencyKey: id, channel: 'sms', recipient: phone(), body: 'Never sent', sendAt: inTenMinutes() }).expect(202);
    expect(await row(id)).toMatchObject({ status: 'scheduled', closedAt: null });

    await handle(id).cancel();
    expect(await failureOf(id)).toBeInstanceOf(CancelledFailure);
    expect(await row(id)).toMatchObject({ status: 'cancelled', closedAt: expect.any(Date), lastError: expect.stringContaining('cancelled') });
    expect((await handle(id).describe()).status.name).toBe('CANCELLED');
    await replayAndRecord(`notification-${id}`, 'notification-scheduled-cancelled-externally');
  });

  it('closes the row with Twilio’s status when a sent message’s workflow is cancelled from outside while it waits for the receipt', async () => {
    const id = uniqueId('cancel-sent');
    const r = relay();
    // A long receipt timeout: the workflow is still waiting when it is cancelled.
    const ctx = { client: client(), taskQueues: r.taskQueues, prisma: r.prisma, policy: { ...r.notifications.policy, receiptTimeoutMs: 10 * 60_000 } };
    await acceptNotification(ctx, { id, channel: 'sms', recipient: phone(), body: 'Cancelled too late', requestedBy: 'test' });
    const sent = await waitFor('the message to be sent', async () => {
      const current = await row(id);
      return current?.vendorMessageId ? current : undefined;
    });
    await waitFor('Twilio to deliver it', () => (sim().message(sent.vendorMessageId!)?.status === 'delivered' ? true : undefined));
    expect(await row(id)).toMatchObject({ status: 'sent', closedAt: null });

    await handle(id).cancel();
    expect(await failureOf(id)).toBeInstanceOf(CancelledFailure);
    expect(await row(id)).toMatchObject({ status: 'delivered', closedAt: expect.any(Date) });
    await replayAndRecord(`notification-${id}`, 'notification-sent-cancelled-externally');
  });

  it('closes and then deletes, in one purge run of the schedule, the row of a workflow terminated from outside; a running one’s row stays', async () => {
    const terminated = uniqueId('terminated');
    const running = uniqueId('still-running');
    for (const id of [terminated, running]) {
      await post({ idempotencyKey: id, channel: 'sms', recipient: phone(), body: 'Later', sendAt: inTenMinutes() }).expect(202);
    }
    await handle(terminated).terminate('stopped by an operator');
    expect((await handle(terminated).describe()).status.name).toBe('TERMINATED');
    expect(await row(terminated)).toMatchObject({ status: 'scheduled', closedAt: null });

    // The production schedule with a retention of zero days, under ids of its own.
    const declared = notificationsPurgeSchedule(relay().taskQueues, 0);
    const scheduleId = uniqueId('notifications-purge-test');
    const schedule = { ...declared, scheduleId, action: { ...declared.action, workflowId: scheduleId } };
    try {
      await ensureSchedules(client(), [schedule]);
      await triggerScheduleNow(client(), scheduleId);
      const started = await waitFor('the schedule to start the purge', async () => (await client().schedule.getHandle(scheduleId).describe()).info.recentActions[0]);
      const purgeId = started.action.workflow.workflowId;
      const result = (await client().workflow.getHandle(purgeId).result()) as { notifications: number; abandoned?: { checked: number; closed: number } };
      expect(await row(terminated)).toBeNull();
      expect(await row(running)).toMatchObject({ status: 'scheduled', closedAt: null });
      expect(result.abandoned?.closed).toBeGreaterThanOrEqual(1);
      expect(result.notifications).toBeGreaterThanOrEqual(1);
      await replayAndRecord(purgeId, 'notifications-purge-closed-abandoned');
    } finally {
      await client().schedule.getHandle(scheduleId).delete().catch(() => undefined);
      await handle(running).cancel();
    }
  });
});
