import request from 'supertest';
import { RelayChannel, RelayStatus } from '../../src/domain/search-attributes';
import { bearer, uniqueId, useRelay } from '../helpers/relay';
import { useTwilioSimulator, waitForNotification } from '../helpers/notifications';

describe('notifications: sending SMS and WhatsApp through Twilio', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim, env: { NOTIFY_RECEIPT_TIMEOUT_MS: '20000' } });
  const post = (body: object) => request(relay().app).post('/v1/notifications').set('authorization', bearer('service')).send(body);
  const phone = () => `+3361${Math.floor(1e6 + Math.random() * 9e6)}`;

  it('accepts at once (202), sends once, and follows receipts to delivered', async () => {
    const key = uniqueId('sms');
    const to = phone();
    const res = await post({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'Hello {{name}}', variables: { name: 'Ana' } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: key, workflowId: `notification-${key}`, channel: 'sms', status: 'accepted' });
    expect(res.body.recipient).not.toContain(to.slice(3, -2));

    const done = await waitForNotification(relay(), key, 'delivered');
    expect(done).toMatchObject({ attempts: 1, lastError: null });
    expect(done.vendorMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sim().messages({ to }).map((m) => m.body)).toEqual(['Hello Ana']);

    const handle = relay().env.client.workflow.getHandle(`notification-${key}`);
    expect(await handle.result()).toMatchObject({ id: key, status: 'delivered', vendorMessageId: done.vendorMessageId });
    const described = await handle.describe();
    expect(described.status.name).toBe('COMPLETED');
    expect(described.typedSearchAttributes.get(RelayChannel)).toBe('sms');
    expect(described.typedSearchAttributes.get(RelayStatus)).toBe('delivered');
  });

  it('returns the same notification for a repeated POST (200) and refuses the key for another message (409)', async () => {
    const key = uniqueId('dup');
    const to = phone();
    const message = { idempotencyKey: key, channel: 'sms', recipient: to, body: 'Only once' };
    expect((await post(message)).status).toBe(202);
    const again = await post(message);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(key);
    expect((await post({ ...message, body: 'Something else' })).status).toBe(409);
    await waitForNotification(relay(), key, 'delivered');
    expect(sim().messages({ to })).toHaveLength(1);
  });

  it('still recognises the key once the workflow history is gone', async () => {
    const key = uniqueId('gone');
    const message = { idempotencyKey: key, channel: 'sms', recipient: phone(), body: 'Retention' };
    await post(message).expect(202);
    await waitForNotification(relay(), key, 'delivered');
    // What retention does to a closed workflow: its history disappears.
    await relay().env.client.workflowService.deleteWorkflowExecution({
      namespace: relay().config.temporal.namespace,
      workflowExecution: { workflowId: `notification-${key}` },
    });
    const again = await post(message);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('delivered');
    expect(sim().messages({ to: message.recipient })).toHaveLength(1);
  });

  it('answers 400 with the zod issues for bad input', async () => {
    const res = await post({ idempotencyKey: 'bad key!', channel: 'sms', recipient: '0612', extra: 1 });
    expect(res.status).toBe(400);
    const paths = (res.body.issues as { path: string[] }[]).map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['idempotencyKey']));
  });

  it('refuses a webhook notification to an endpoint that does not exist (422)', async () => {
    const res = await post({ idempotencyKey: uniqueId('no-endpoint'), channel: 'webhook', recipient: 'ep-0000000000000000', event: 'dossier.status_changed', payload: { a: 1 } });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe('unknown_endpoint');
  });

  it('sends WhatsApp templates with Content variables', async () => {
    const key = uniqueId('wa');
    const to = phone();
    await post({ idempotencyKey: key, channel: 'whatsapp', recipient: to, template: 'HX0123456789abcdef0123456789abcdef', variables: { '1': 'Monday' } }).expect(202);
    await waitForNotification(relay(), key, 'read');
    const [sent] = sim().messages({ to: `whatsapp:${to}` });
    expect(sent).toMatchObject({ contentSid: 'HX0123456789abcdef0123456789abcdef' });
  });

  it('ends failed with Twilio’s reason when a WhatsApp body goes outside the session window (63016), without re-sending', async () => {
    const key = uniqueId('wa-63016');
    const to = phone();
    await post({ idempotencyKey: key, channel: 'whatsapp', recipient: to, body: 'Free text outside the window' }).expect(202);
    const failed = await waitForNotification(relay(), key, 'failed');
    expect(failed.errorCode).toBe('63016');
    expect(sim().messages({ to: `whatsapp:${to}` })).toHaveLength(1);
    const err = await relay().env.client.workflow.getHandle(`notification-${key}`).result().catch((e: Error & { cause?: Error }) => e.cause);
    expect(String(err?.message)).toContain('63016');
  });

  it('lists notifications by status and channel', async () => {
    const key = uniqueId('list');
    await post({ idempotencyKey: key, channel: 'sms', recipient: phone(), body: 'listed' }).expect(202);
    await waitForNotification(relay(), key, 'delivered');
    const res = await request(relay().app).get('/v1/notifications?status=delivered&channel=sms&limit=500').set('authorization', bearer('service'));
    expect(res.status).toBe(200);
    expect(res.body.items.map((n: { id: string }) => n.id)).toContain(key);
    expect(res.body.items.every((n: { status: string; channel: string }) => n.status === 'delivered' && n.channel === 'sms')).toBe(true);
  });
});
