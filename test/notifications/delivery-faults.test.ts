import request from 'supertest';
import { computeTwilioSignature } from '../../src/integrations/twilio/signature';
import { acceptNotification } from '../../src/temporal/starters/notification';
import { bearer, uniqueId, useRelay } from '../helpers/relay';
import { useTwilioSimulator, waitForNotification } from '../helpers/notifications';

describe('notifications: vendor errors, retries and receipts', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim, env: { NOTIFY_RECEIPT_TIMEOUT_MS: '3000' } });
  const post = (body: object) => request(relay().app).post('/v1/notifications').set('authorization', bearer('service')).send(body);
  const phone = () => `+3362${Math.floor(1e6 + Math.random() * 9e6)}`;

  afterEach(() => sim().clearFaults());

  it('retries 5xx with backoff and sends once', async () => {
    const key = uniqueId('5xx');
    const to = phone();
    sim().forceNext('error', 2);
    await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'after two 500s' }).expect(202);
    const done = await waitForNotification(relay(), key, 'delivered');
    expect(done.attempts).toBe(3);
    expect(sim().messages({ to })).toHaveLength(1);
  });

  it('honours 429 Retry-After before the next attempt', async () => {
    const key = uniqueId('429');
    const to = phone();
    sim().setFaults({ retryAfterSeconds: 2 });
    sim().forceNext('tooManyRequests', 1);
    const started = Date.now();
    await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'throttled once' }).expect(202);
    await waitForNotification(relay(), key, 'delivered');
    const [message] = sim().messages({ to });
    expect(new Date(message!.receivedAt).getTime() - started).toBeGreaterThanOrEqual(1_900);
  });

  it('adopts the message when the connection dropped after Twilio accepted it: no second send', async () => {
    const key = uniqueId('drop');
    const to = phone();
    // No receipt before the retry: the retry itself must find the message at Twilio.
    sim().setCallbackBehaviour({ statusStepMs: 60_000 });
    sim().forceNext('dropAfterAccept', 1);
    try {
      await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'sent exactly once' }).expect(202);
      const sent = await waitForNotification(relay(), key, 'sent');
      const messages = sim().messages({ to });
      expect(messages).toHaveLength(1);
      expect(sent.vendorMessageId).toBe(messages[0]!.sid);
      expect(sent.attempts).toBe(2);
    } finally {
      sim().setCallbackBehaviour({ statusStepMs: 20 });
    }
  });

  it('fails for good on an invalid recipient (21211), with the reason in the log and the workflow', async () => {
    const key = uniqueId('21211');
    // Past the API's own validation (a workflow-started message): Twilio refuses the number.
    await acceptNotification(
      { client: relay().env.client, taskQueues: relay().taskQueues, prisma: relay().prisma, policy: relay().notifications.policy },
      { id: key, channel: 'sms', recipient: '+1', body: 'nobody', requestedBy: 'test' },
    );
    const failed = await waitForNotification(relay(), key, 'failed');
    expect(failed).toMatchObject({ attempts: 1, errorCode: 'RecipientInvalid' });
    const err = await relay().env.client.workflow.getHandle(`notification-${key}`).result().catch((e: Error & { cause?: Error & { type?: string } }) => e.cause);
    expect(err?.type).toBe('RecipientInvalid');
  });

  it('records an opt-out (21610), stops sending, and the API then refuses the recipient with 422', async () => {
    const to = phone();
    sim().optOut(to);
    const key = uniqueId('21610');
    await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'to someone who said STOP' }).expect(202);
    const failed = await waitForNotification(relay(), key, 'failed');
    expect(failed.errorCode).toBe('RecipientOptedOut');
    expect(await relay().prisma.recipientConsent.findUnique({ where: { recipient: to } })).toMatchObject({ optedOut: true, source: 'twilio-21610' });

    const refused = await post({ idempotencyKey: uniqueId('after-stop'), channel: 'whatsapp', recipient: to, body: 'again' });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/opted out/);

    // Opting back in lifts it (over a 21610 only an operator, or the recipient's START, may).
    await request(relay().app).put('/v1/consents').set('authorization', bearer('operator')).send({ recipient: to, optedOut: false }).expect(204);
    sim().optIn(to);
    const key2 = uniqueId('after-start');
    await post({ idempotencyKey: key2, channel: 'sms', recipient: to, body: 'welcome back' }).expect(202);
    await waitForNotification(relay(), key2, 'delivered');
  });

  it('gives up after the horizon and ends failed with the last reason', async () => {
    const key = uniqueId('give-up');
    sim().setFaults({ errorRate: 1, scope: 'create' });
    await acceptNotification(
      {
        client: relay().env.client,
        taskQueues: relay().taskQueues,
        prisma: relay().prisma,
        policy: { ...relay().notifications.policy, initialIntervalMs: 200, maximumIntervalMs: 400, giveUpAfterMs: 2_000 },
      },
      { id: key, channel: 'sms', recipient: phone(), body: 'never', requestedBy: 'test' },
    );
    const failed = await waitForNotification(relay(), key, 'failed', 20_000);
    expect(failed.attempts).toBeGreaterThan(1);
    expect(failed.lastError).toMatch(/500|unavailable|server/i);
  });

  it('cancels a message scheduled for later; once sent it can no longer be cancelled', async () => {
    const key = uniqueId('later');
    const to = phone();
    const sendAt = new Date(Date.now() + 60 * 60_000).toISOString();
    const res = await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'in an hour', sendAt });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('scheduled');
    const cancelled = await request(relay().app).delete(`/v1/notifications/${key}`).set('authorization', bearer('service'));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(sim().messages({ to })).toHaveLength(0);

    const now = uniqueId('now');
    await post({ idempotencyKey: now, channel: 'sms', recipient: phone(), body: 'right away' }).expect(202);
    await waitForNotification(relay(), now, 'delivered');
    expect((await request(relay().app).delete(`/v1/notifications/${now}`).set('authorization', bearer('service'))).status).toBe(409);
  });

  it('closes as sent when no receipt ever comes', async () => {
    const key = uniqueId('no-receipt');
    const to = phone();
    sim().setCallbackBehaviour({ statusStepMs: 60_000 });
    try {
      await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'silence' }).expect(202);
      const handle = relay().env.client.workflow.getHandle(`notification-${key}`);
      expect(await handle.result()).toMatchObject({ status: 'sent' });
    } finally {
      sim().setCallbackBehaviour({ statusStepMs: 20 });
    }
  });

  describe('status callbacks', () => {
    const callbackUrl = (id: string) => `${relay().notifications.callbackBaseUrl}/v1/webhooks/twilio/status?notification=${id}`;
    const signed = (id: string, params: Record<string, string>, token = sim().authToken) =>
      request(relay().app)
        .post(`/v1/webhooks/twilio/status?notification=${id}`)
        .type('form')
        .set('x-twilio-signature', computeTwilioSignature(token, callbackUrl(id), params))
        .send(params);

    it('rejects a callback whose signature does not match', async () => {
      const params = { MessageSid: `SM${'0'.repeat(32)}`, MessageStatus: 'delivered', AccountSid: sim().accountSid, To: '+33600000000', From: '+33757000001' };
      expect((await signed('whatever', params, 'not-the-token')).status).toBe(403);
      expect((await request(relay().app).post('/v1/webhooks/twilio/status?notification=x').type('form').send(params)).status).toBe(403);
    });

    it('applies a repeated final callback again when the first try stopped half-way (receipt recorded, nothing else)', async () => {
      const key = uniqueId('half-way');
      const to = phone();
      sim().setCallbackBehaviour({ statusStepMs: 60_000 });
      try {
        await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'retried callback' }).expect(202);
        const sent = await waitForNotification(relay(), key, 'sent');
        // What an API instance that died right after recording the receipt leaves behind.
        await relay().prisma.twilioCallbackReceipt.create({ data: { key: `${sent.vendorMessageId}:delivered` } });
        const base = { MessageSid: sent.vendorMessageId!, AccountSid: sim().accountSid, To: to, From: '+33757000001' };
        expect((await signed(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
        await waitForNotification(relay(), key, 'delivered');
        expect(await relay().env.client.workflow.getHandle(`notification-${key}`).result()).toMatchObject({ status: 'delivered' });
      } finally {
        sim().setCallbackBehaviour({ statusStepMs: 20 });
      }
    });

    it('applies receipts monotonically: repeated and out-of-order callbacks never move a status back', async () => {
      const key = uniqueId('order');
      const to = phone();
      sim().setCallbackBehaviour({ statusStepMs: 60_000 });
      try {
        await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'watch the order' }).expect(202);
        const sent = await waitForNotification(relay(), key, 'sent');
        const base = { MessageSid: sent.vendorMessageId!, AccountSid: sim().accountSid, To: to, From: '+33757000001' };
        expect((await signed(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
        expect((await signed(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
        expect((await signed(key, { ...base, MessageStatus: 'sent' })).status).toBe(204);
        const row = await waitForNotification(relay(), key, 'delivered');
        expect(row.deliveredAt).not.toBeNull();
        expect(await relay().env.client.workflow.getHandle(`notification-${key}`).result()).toMatchObject({ status: 'delivered' });
      } finally {
        sim().setCallbackBehaviour({ statusStepMs: 20 });
      }
    });
  });
});
