import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { advanceStatus } from '../../src/db/notifications/notification-log';
import { computeTwilioSignature } from '../../src/integrations/twilio/signature';
import { acceptNotification } from '../../src/temporal/starters/notification';
import { uniqueId, useRelay } from '../helpers/relay';
import { useTwilioSimulator, waitForNotification } from '../helpers/notifications';

/**
 * The log tells what happened to a message as the vendor reports it: a receipt for a message
 * Relay gave up on corrects the row, whatever the workflow's own result says.
 */
describe('notifications: the vendor’s word beats Relay’s own give-up', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim });
  const phone = () => `+3364${Math.floor(1e6 + Math.random() * 9e6)}`;
  const sid = () => `SM${randomBytes(16).toString('hex')}`;
  const callbackUrl = (id: string) => `${relay().notifications.callbackBaseUrl}/v1/webhooks/twilio/status?notification=${id}`;
  const receipt = (id: string, params: Record<string, string>) =>
    request(relay().app)
      .post(`/v1/webhooks/twilio/status?notification=${id}`)
      .type('form')
      .set('x-twilio-signature', computeTwilioSignature(sim().authToken, callbackUrl(id), params))
      .send(params);

  afterEach(() => sim().clearFaults());

  /** A notification Relay gives up on after a short horizon: every create is refused with a 500. */
  async function givenUp(to: string) {
    const key = uniqueId('given-up');
    sim().setFaults({ errorRate: 1, scope: 'create' });
    const policy = { ...relay().notifications.policy, initialIntervalMs: 200, maximumIntervalMs: 400, giveUpAfterMs: 1_500 };
    await acceptNotification(
      { client: relay().env.client, taskQueues: relay().taskQueues, prisma: relay().prisma, policy },
      { id: key, channel: 'sms', recipient: to, body: 'it went out after all', requestedBy: 'test' },
    );
    const failed = await waitForNotification(relay(), key, 'failed', 20_000);
    sim().clearFaults();
    expect(failed).toMatchObject({ vendorMessageId: null, errorCode: 'VendorUnavailable' });
    return { key, failed };
  }

  it('moves a row Relay gave up on to sent, then delivered, on the vendor’s receipts', async () => {
    const to = phone();
    const { key, failed } = await givenUp(to);
    // The workflow's result stays what Relay knew when it ended.
    await expect(relay().env.client.workflow.getHandle(`notification-${key}`).result()).rejects.toThrow();

    // A message of this notification did go out (as when an attempt's answer was lost): its receipts come.
    const base = { MessageSid: sid(), AccountSid: sim().accountSid, To: to, From: '+33757000001' };
    expect((await receipt(key, { ...base, MessageStatus: 'sent' })).status).toBe(204);
    expect(await relay().prisma.notification.findUniqueOrThrow({ where: { id: key } })).toMatchObject({ status: 'sent', vendorMessageId: base.MessageSid });
    expect((await receipt(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
    const delivered = await relay().prisma.notification.findUniqueOrThrow({ where: { id: key } });
    expect(delivered).toMatchObject({ status: 'delivered', vendorMessageId: base.MessageSid, closedAt: failed.closedAt });
    expect(delivered.deliveredAt).not.toBeNull();
  });

  it('moves it straight to delivered when that is the first receipt to arrive', async () => {
    const to = phone();
    const { key } = await givenUp(to);
    const base = { MessageSid: sid(), AccountSid: sim().accountSid, To: to, From: '+33757000001' };
    expect((await receipt(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
    expect(await relay().prisma.notification.findUniqueOrThrow({ where: { id: key } })).toMatchObject({ status: 'delivered', vendorMessageId: base.MessageSid });
  });

  it('keeps the vendor’s own verdicts: a failure it reported stays, and Relay’s failure never replaces a message the vendor has', async () => {
    const to = phone();
    const { key } = await givenUp(to);
    const base = { MessageSid: sid(), AccountSid: sim().accountSid, To: to, From: '+33757000001' };
    expect((await receipt(key, { ...base, MessageStatus: 'undelivered', ErrorCode: '30003' })).status).toBe(204);
    expect(await relay().prisma.notification.findUniqueOrThrow({ where: { id: key } })).toMatchObject({ status: 'undelivered', errorCode: '30003' });
    // Receipts of one message out of order: the first final one stands.
    expect((await receipt(key, { ...base, MessageStatus: 'delivered' })).status).toBe(204);
    expect(await relay().prisma.notification.findUniqueOrThrow({ where: { id: key } })).toMatchObject({ status: 'undelivered' });

    // A row the vendor reported sent is not turned into Relay's own failure.
    const other = (await givenUp(phone())).key;
    expect(await advanceStatus(relay().prisma, { id: other, status: 'sent', vendorMessageId: sid() })).toBe(true);
    expect(await advanceStatus(relay().prisma, { id: other, status: 'failed', reason: 'gave up', code: 'VendorUnavailable' })).toBe(false);
    expect(await relay().prisma.notification.findUniqueOrThrow({ where: { id: other } })).toMatchObject({ status: 'sent' });
  });
});
