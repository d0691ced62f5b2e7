import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createNotificationActivities } from '../../src/activities/notifications';
import { createNotificationDeps } from '../../src/activities/notifications/create-deps';
import { newNotificationRow } from '../../src/db/notifications/notification-log';
import * as sendLane from '../../src/db/notifications/send-lane';
import { finishSend, takeSendSlot } from '../../src/db/notifications/sender-rate';
import type { TwilioSendInput } from '../../src/activities/notifications/twilio-send';
import { createPrismaClient } from '../../src/db/prisma';
import type { NotificationRequest } from '../../src/domain/notifications';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { loadTwilioConfig } from '../../src/integrations/twilio/config';
import { createLogger } from '../../src/logger';
import { twilioEnv, useTwilioSimulator } from '../helpers/notifications';
import { testConfig, uniqueId } from '../helpers/relay';

/**
 * The Twilio send is a local activity: when its worker dies, the next worker runs it again
 * from attempt 1 (the attempt counter lives in the dead worker's memory). The log row's
 * attempt count survives, so the send still looks for the message the dead worker created.
 */
describe('notifications: sending again after a worker crash, or late', () => {
  const sim = useTwilioSimulator();
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  const logger = createLogger({ level: 'silent', name: 'relay-test' });
  const phone = () => `+3363${Math.floor(1e6 + Math.random() * 9e6)}`;
  const activities = (senders: string, maxInlineRateWaitMs = 0) =>
    createNotificationActivities(
      createNotificationDeps({ prisma, logger, twilio: loadTwilioConfig(twilioEnv(sim(), senders)), callbackBaseUrl: 'http://127.0.0.1:9', encryptionKeys: testConfig().codec.keys, maxInlineRateWaitMs }),
    );
  /** A fresh activity context at `attempt`, as a worker gives it. */
  const run = <T>(attempt: number, fn: () => Promise<T>): Promise<T> =>
    new MockActivityEnvironment({ attempt, activityType: 'sendTwilioMessage' }, { logger: new DefaultLogger('ERROR') }).run(fn);

  /** Another message of `sender` takes its next slot and, when that slot has come, is sent at once. */
  async function otherSend(sender: string, ratePerSecond: number): Promise<void> {
    const answer = await takeSendSlot(prisma, { sender, ratePerSecond, requestTimeoutMs: 2_000, reserve: true });
    if (answer.sendId !== null) await finishSend(prisma, answer.sendId);
  }

  async function accepted(request: NotificationRequest): Promise<TwilioSendInput> {
    await prisma.notification.create({ data: newNotificationRow(request, WorkflowIds.notification(request.id), 'accepted') });
    return { request, firstAttemptAt: Date.now(), giveUpAfterMs: 60_000 };
  }

  beforeAll(() => {
    // No receipt may record the message first: the look-up at Twilio must find it.
    sim().setCallbackBehaviour({ statusStepMs: 60_000 });
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('adopts the message a dead worker created instead of sending it twice', async () => {
    // Long enough to wait inline for the lost create's bound and the list's settle time.
    const { sendTwilioMessage } = activities('sms:+33757000001@100', 10_000);
    const to = phone();
    const input = await accepted({ id: uniqueId('crash'), channel: 'sms', recipient: to, body: 'exactly once', requestedBy: 'test' });

    // The first worker's create reaches Twilio, then the worker is gone before it hears back.
    sim().forceNext('dropAfterAccept', 1);
    await expect(run(1, () => sendTwilioMessage(input))).rejects.toThrow();
    const [first] = sim().messages({ to });
    expect(first).toBeDefined();

    // The next worker starts the local activity over, at attempt 1.
    const result = await run(1, () => sendTwilioMessage(input));
    expect(result).toEqual({ status: 'sent', vendorMessageId: first!.sid });
    expect(sim().messages({ to })).toHaveLength(1);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: input.request.id } })).toMatchObject({ attempts: 2, vendorMessageId: first!.sid });
  });

  it('does not count a call deferred by the sender budget as an attempt', async () => {
    const sender = '+33757000077';
    const { sendTwilioMessage } = activities(`sms:${sender}@1`, 500);
    // Someone else has the sender's next slot: this message must wait about a second.
    await otherSend(sender, 1);
    const to = phone();
    const input = await accepted({ id: uniqueId('deferred'), channel: 'sms', recipient: to, sender, body: 'after the wait', requestedBy: 'test' });

    const deferred = await run(1, () => sendTwilioMessage(input));
    expect(deferred.deferredUntil).toBeGreaterThan(Date.now());
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: input.request.id } })).toMatchObject({ attempts: 0 });

    // As the workflow does: wake a little before the slot and call again with it.
    await new Promise((r) => setTimeout(r, deferred.deferredUntil! - Date.now() - 300));
    const sent = await run(1, () => sendTwilioMessage({ ...input, reservedSlotAt: deferred.deferredUntil }));
    expect(sent).toMatchObject({ status: 'sent' });
    expect(sim().messages({ to })).toHaveLength(1);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: input.request.id } })).toMatchObject({ attempts: 1 });
  });

  it('holds a send whose slot has come back until the sender’s window has a place, however late it woke', async () => {
    const sender = '+33757000078';
    const { sendTwilioMessage } = activities(`sms:${sender}@1`, 10_000);
    // A message went out just now and is still waiting for Twilio's answer.
    const inFlight = (await takeSendSlot(prisma, { sender, ratePerSecond: 1, requestTimeoutMs: 2_000, reserve: false })).sendId;
    expect(inFlight).not.toBeNull();
    const to = phone();
    const input = await accepted({ id: uniqueId('late'), channel: 'sms', recipient: to, sender, body: 'not squeezed in', requestedBy: 'test' });

    // The workflow woke a second after its reserved slot (a busy worker): it must not send at once.
    const asks = jest.spyOn(sendLane, 'takeSendLane');
    const sending = run(1, () => sendTwilioMessage({ ...input, reservedSlotAt: Date.now() - 1_000 }));
    // It asked for its place again and again and was told to wait each time: it is holding the send.
    for (const deadline = Date.now() + 10_000; asks.mock.calls.length < 3; ) {
      if (Date.now() > deadline) throw new Error('the send never asked for its place in the window');
      await new Promise((r) => setTimeout(r, 10));
    }
    asks.mockRestore();
    expect(sim().messages({ to })).toHaveLength(0);
    // The answer comes: one second from then, the window has a place.
    await finishSend(prisma, inFlight!);
    const finishedAt = (await prisma.senderSend.findUniqueOrThrow({ where: { id: inFlight! } })).endsBy.getTime();
    expect(await sending).toMatchObject({ status: 'sent' });
    const [message] = sim().messages({ to });
    expect(message!.receivedAt - finishedAt).toBeGreaterThanOrEqual(1000);
  });

  it('warms a cold connection while it waits for its slot', async () => {
    const sender = '+33757000079';
    // A new process: its Twilio client has not called yet.
    const deps = createNotificationDeps({ prisma, logger, twilio: loadTwilioConfig(twilioEnv(sim(), `sms:${sender}@2`)), callbackBaseUrl: 'http://127.0.0.1:9', encryptionKeys: testConfig().codec.keys, maxInlineRateWaitMs: 10_000 });
    const warmUps = jest.spyOn(deps.twilio, 'warmUp');
    const { sendTwilioMessage } = createNotificationActivities(deps);
    await otherSend(sender, 2);
    const to = phone();
    const input = await accepted({ id: uniqueId('warmed'), channel: 'sms', recipient: to, sender, body: 'on a warm connection', requestedBy: 'test' });
    expect(await run(1, () => sendTwilioMessage(input))).toMatchObject({ status: 'sent' });
    expect(warmUps).toHaveBeenCalledTimes(1);
    expect(sim().messages({ to })).toHaveLength(1);

    // Warm now: the next one does not warm it again.
    await otherSend(sender, 2);
    const next = await accepted({ id: uniqueId('warm'), channel: 'sms', recipient: phone(), sender, body: 'warm already', requestedBy: 'test' });
    await run(1, () => sendTwilioMessage(next));
    expect(warmUps).toHaveBeenCalledTimes(1);
  });
});
