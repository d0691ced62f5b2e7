import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createNotificationActivities } from '../../src/activities/notifications';
import { createNotificationDeps } from '../../src/activities/notifications/create-deps';
import type { TwilioSendInput } from '../../src/activities/notifications/twilio-send';
import { newNotificationRow } from '../../src/db/notifications/notification-log';
import { createPrismaClient } from '../../src/db/prisma';
import type { NotificationRequest } from '../../src/domain/notifications';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { loadTwilioConfig } from '../../src/integrations/twilio/config';
import { type SimMessage, windowStats } from '../../src/integrations/twilio/simulator';
import { createLogger } from '../../src/logger';
import { twilioEnv, useTwilioSimulator } from '../helpers/notifications';
import { testConfig, testEnv, uniqueId } from '../helpers/relay';

const CALLBACK_BASE = 'http://127.0.0.1:9';
const SMS_SENDER = '+33757000001';
const TEMPLATE = `HX${'b7'.repeat(16)}`;

/**
 * A create whose answer was lost is looked up at Twilio before anything is sent again. What is
 * found must be that notification's own message: guests get several messages from Relay with the
 * same text or template, and a sibling's message (its create in flight, or its worker dead before
 * it recorded the SID) must never be adopted. Each message's status callback URL names its
 * notification, so the simulator's record tells whose message is whose.
 */
describe('notifications: a look-up before sending again finds only the notification’s own message', () => {
  const sim = useTwilioSimulator({ contentTemplates: { [TEMPLATE]: 'Your table for {{1}} is ready' } });
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  const logger = createLogger({ level: 'silent', name: 'relay-test' });
  const phone = () => `+3365${Math.floor(1e6 + Math.random() * 9e6)}`;
  const children: ChildProcess[] = [];

  const depsFor = (env: Record<string, string> = {}, maxInlineRateWaitMs = 20_000) =>
    createNotificationDeps({
      prisma,
      logger,
      twilio: loadTwilioConfig({ ...twilioEnv(sim(), `sms:${SMS_SENDER}@100,whatsapp:+33757000002@100`), ...env }),
      callbackBaseUrl: CALLBACK_BASE,
      encryptionKeys: testConfig().codec.keys,
      maxInlineRateWaitMs,
    });
  /** A fresh activity context at `attempt`, as a worker gives it. */
  const run = <T>(attempt: number, fn: () => Promise<T>): Promise<T> =>
    new MockActivityEnvironment({ attempt, activityType: 'sendTwilioMessage' }, { logger: new DefaultLogger('ERROR') }).run(fn);

  async function accepted(request: NotificationRequest, giveUpAfterMs = 60_000): Promise<TwilioSendInput> {
    await prisma.notification.create({ data: newNotificationRow(request, WorkflowIds.notification(request.id), 'accepted') });
    return { request, firstAttemptAt: Date.now(), giveUpAfterMs };
  }
  /** Two notifications to one recipient with the same content: an SMS body, or a WhatsApp template with its variables. */
  function twins(kind: 'sms' | 'whatsapp', to = phone()): [NotificationRequest, NotificationRequest] {
    const one = (id: string): NotificationRequest =>
      kind === 'sms'
        ? { id, channel: 'sms', recipient: to, body: 'Your table is ready', requestedBy: 'test' }
        : { id, channel: 'whatsapp', recipient: to, template: TEMPLATE, variables: { '1': 'two' }, requestedBy: 'test' };
    return [one(uniqueId('a')), one(uniqueId('b'))];
  }
  const wire = (r: NotificationRequest) => (r.channel === 'whatsapp' ? `whatsapp:${r.recipient}` : r.recipient);
  /** The notification a message was created for: its status callback URL names it. */
  const ownerOf = (m: SimMessage) => new URL(m.statusCallback!).searchParams.get('notification');
  /** Waits for the event that proves a create reached Twilio: the simulator's record of it. */
  async function messageAtTwilio(to: string, count = 1): Promise<SimMessage[]> {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 10))) {
      const messages = sim().messages({ to });
      if (messages.length >= count) return messages;
    }
    throw new Error(`no message to ${to} at the simulator`);
  }
  async function expectOwnMessages(to: string, ...requests: NotificationRequest[]) {
    const messages = sim().messages({ to });
    expect(messages.map(ownerOf).sort()).toEqual(requests.map((r) => r.id).sort());
    for (const r of requests) {
      const row = await prisma.notification.findUniqueOrThrow({ where: { id: r.id } });
      expect(ownerOf(sim().message(row.vendorMessageId!)!)).toBe(r.id);
    }
  }

  beforeAll(() => {
    // No receipt may record a message first: only the look-up at Twilio can find it.
    sim().setCallbackBehaviour({ statusStepMs: 60_000 });
  });
  afterEach(() => sim().clearFaults());
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await prisma.$disconnect();
  });

  describe.each(['sms', 'whatsapp'] as const)('%s, same recipient and same content', (kind) => {
    it('never adopts a sibling’s message whose create is in flight, after a refused create of its own (503)', async () => {
      const { sendTwilioMessage } = createNotificationActivities(depsFor());
      const [a, b] = twins(kind);
      const [inputA, inputB] = [await accepted(a), await accepted(b)];
      // B's create reaches Twilio and is created there, but its answer never comes (held until B's timeout).
      sim().setFaults({ timeoutAccepts: true, errorStatus: 503 });
      sim().forceNext('timeout');
      const sendingB = run(1, () => sendTwilioMessage(inputB));
      const [bMessage] = await messageAtTwilio(wire(b));
      expect(ownerOf(bMessage!)).toBe(b.id);

      // A's first create is refused with a 503; its retry must send A's own message.
      sim().forceNext('error');
      await expect(run(1, () => sendTwilioMessage(inputA))).rejects.toMatchObject({ type: 'VendorUnavailable' });
      const retried = await run(2, () => sendTwilioMessage(inputA));
      expect(retried).toMatchObject({ status: 'sent' });
      expect(ownerOf(sim().message((retried as { vendorMessageId: string }).vendorMessageId)!)).toBe(a.id);

      // B's retry finds its own message (looked up for it, or by it), sends nothing new.
      await expect(sendingB).rejects.toMatchObject({ type: 'VendorOutcomeUnknown' });
      expect(await run(2, () => sendTwilioMessage(inputB))).toEqual({ status: 'sent', vendorMessageId: bMessage!.sid });
      await expectOwnMessages(wire(a), a, b);
    });
  });

  it('never adopts the message of a sibling whose worker died after its create reached Twilio', async () => {
    const { sendTwilioMessage } = createNotificationActivities(depsFor());
    const [a, b] = twins('sms');
    const [inputA, inputB] = [await accepted(a), await accepted(b)];
    sim().setFaults({ timeoutAccepts: true, errorStatus: 503 });
    sim().forceNext('timeout');
    // B's worker: its own process, killed once B's message is at Twilio and before any answer.
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'helpers', 'send-once.ts')], {
      env: {
        ...process.env,
        ...testEnv({ ...twilioEnv(sim(), `sms:${SMS_SENDER}@100`), TWILIO_TIMEOUT_MS: '8000', NOTIFY_CALLBACK_BASE_URL: CALLBACK_BASE }),
        SEND_INPUT: JSON.stringify(inputB),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let output = '';
    worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => worker.once('exit', (code, signal) => resolve(signal ?? code)));
    const [bMessage] = await Promise.race([
      messageAtTwilio(b.recipient),
      exited.then((how) => Promise.reject(new Error(`B's worker ended (${String(how)}) before its create reached Twilio:\n${output}`))),
    ]);
    worker.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Killed mid-call: Twilio still holds the request, nothing answered it.
    expect(sim().message(bMessage!.sid)).toMatchObject({ apiOutcome: 'held' });

    sim().forceNext('error');
    await expect(run(1, () => sendTwilioMessage(inputA))).rejects.toMatchObject({ type: 'VendorUnavailable' });
    const retried = await run(2, () => sendTwilioMessage(inputA));
    expect(ownerOf(sim().message((retried as { vendorMessageId: string }).vendorMessageId)!)).toBe(a.id);
    // The dead worker's attempt never ended; it was looked up once its bound had passed, and its message adopted for B.
    expect(await prisma.sendLaneAttempt.findMany({ where: { notificationId: b.id } })).toMatchObject([{ outcome: 'adopted', vendorMessageId: bMessage!.sid }]);
    // The next worker runs B's send again from attempt 1: B's message is B's.
    expect(await run(1, () => sendTwilioMessage(inputB))).toEqual({ status: 'sent', vendorMessageId: bMessage!.sid });
    await expectOwnMessages(b.recipient, a, b);
  });

  it('looks nothing up after a plain refusal: the retry just sends', async () => {
    const deps = depsFor();
    const lookUps = jest.spyOn(deps.twilio, 'findSentMessages');
    const { sendTwilioMessage } = createNotificationActivities(deps);
    const [a] = twins('sms');
    const input = await accepted(a);
    sim().forceNext('error');
    await expect(run(1, () => sendTwilioMessage(input))).rejects.toMatchObject({ type: 'VendorUnavailable' });
    expect(await run(2, () => sendTwilioMessage(input))).toMatchObject({ status: 'sent' });
    expect(lookUps).not.toHaveBeenCalled();
    await expectOwnMessages(a.recipient, a);
  });

  it('still finds its own message when Twilio’s list shows it late, and sends nothing twice', async () => {
    const { sendTwilioMessage } = createNotificationActivities(depsFor({ TWILIO_LIST_SETTLE_MS: '2500' }));
    const [a] = twins('sms');
    const input = await accepted(a);
    sim().setFaults({ listLagMs: 2_000 });
    // Created at Twilio, the connection dropped before the answer.
    sim().forceNext('dropAfterAccept');
    await expect(run(1, () => sendTwilioMessage(input))).rejects.toMatchObject({ type: 'VendorOutcomeUnknown' });
    const [message] = await messageAtTwilio(a.recipient);
    const result = await run(2, () => sendTwilioMessage(input));
    expect(result).toEqual({ status: 'sent', vendorMessageId: message!.sid });
    expect(sim().messages({ to: a.recipient })).toHaveLength(1);
    expect(await prisma.sendLaneAttempt.findMany({ where: { notificationId: a.id } })).toMatchObject([{ outcome: 'adopted', vendorMessageId: message!.sid }]);
  });

  it('adopts the message of a last attempt that reached Twilio instead of giving up', async () => {
    const { sendTwilioMessage } = createNotificationActivities(depsFor());
    const [a] = twins('sms');
    const input = await accepted(a, 1_000);
    sim().forceNext('dropAfterAccept');
    await expect(run(1, () => sendTwilioMessage(input))).rejects.toMatchObject({ type: 'VendorOutcomeUnknown' });
    const [message] = await messageAtTwilio(a.recipient);
    // The retry comes after the give-up horizon.
    const late = { ...input, firstAttemptAt: Date.now() - 2_000 };
    expect(await run(2, () => sendTwilioMessage(late))).toEqual({ status: 'sent', vendorMessageId: message!.sid });
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ status: 'sent', vendorMessageId: message!.sid });
    expect(sim().messages({ to: a.recipient })).toHaveLength(1);
  });

  it('gives up past the horizon without sending when the earlier attempt created nothing', async () => {
    const { sendTwilioMessage } = createNotificationActivities(depsFor());
    const [a] = twins('sms');
    const input = await accepted(a, 1_000);
    // Held, not created: the answer is lost all the same.
    sim().forceNext('timeout');
    await expect(run(1, () => sendTwilioMessage(input))).rejects.toMatchObject({ type: 'VendorOutcomeUnknown' });
    const late = { ...input, firstAttemptAt: Date.now() - 2_000 };
    await expect(run(2, () => sendTwilioMessage(late))).rejects.toThrow(/gave up after 1 attempts/);
    expect(sim().messages({ to: a.recipient })).toHaveLength(0);
    expect(await prisma.sendLaneAttempt.findMany({ where: { notificationId: a.id } })).toMatchObject([{ outcome: 'absent' }]);
  });

  it('sends each of many same-content messages to a few recipients exactly once, paced by the sender, with creates failing', async () => {
    const sender = '+33757000090';
    const deps = createNotificationDeps({
      prisma,
      logger,
      twilio: loadTwilioConfig(twilioEnv(sim(), `sms:${sender}@10`)),
      callbackBaseUrl: CALLBACK_BASE,
      encryptionKeys: testConfig().codec.keys,
      maxInlineRateWaitMs: 20_000,
    });
    const { sendTwilioMessage } = createNotificationActivities(deps);
    const recipients = [phone(), phone(), phone()];
    const requests = Array.from({ length: 24 }, (_, i): NotificationRequest => ({
      id: uniqueId(`many-${i}`),
      channel: 'sms',
      recipient: recipients[i % recipients.length]!,
      sender,
      body: 'Your order has shipped',
      requestedBy: 'test',
    }));
    const inputs = await Promise.all(requests.map((r) => accepted(r)));
    // A quarter of creates answer nothing (created, or not) or drop after creating, a few are refused.
    sim().setFaults({ scope: 'create', timeoutRate: 0.1, timeoutAccepts: true, dropAfterAcceptRate: 0.1, errorRate: 0.05 });
    // As the workflow does: retries until sent, a deferral waited for and called again.
    const results = await Promise.all(
      inputs.map(async (input) => {
        let reservedSlotAt: number | undefined;
        for (let attempt = 1; ; attempt++) {
          try {
            const result = await run(attempt, () => sendTwilioMessage({ ...input, ...(reservedSlotAt === undefined ? {} : { reservedSlotAt }) }));
            if (result.deferredUntil === undefined) return result;
            reservedSlotAt = result.deferredUntil;
            await new Promise((r) => setTimeout(r, Math.max(0, result.deferredUntil - Date.now() - 500)));
            attempt = 0;
          } catch {
            reservedSlotAt = undefined;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }),
    );
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    const messages = recipients.flatMap((to) => sim().messages({ to }));
    expect(messages.map(ownerOf).sort()).toEqual(requests.map((r) => r.id).sort());
    for (const [i, r] of requests.entries()) expect(ownerOf(sim().message(results[i]!.vendorMessageId!)!)).toBe(r.id);
    // Paced: no second at Twilio above the sender's rate.
    expect(windowStats(sim().messages({ sender }).map((m) => m.receivedAt), 10).overLimit).toBe(0);
  }, 120_000);
});
