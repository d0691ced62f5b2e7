import request from 'supertest';
import { bearer, uniqueId, useRelay } from '../helpers/relay';

/** Requests the schema alone cannot judge: a far-off schedule, a sender Relay does not have. */
describe('notification requests Relay refuses up front', () => {
  const relay = useRelay({ withWorker: false, env: { NOTIFY_MAX_SCHEDULE_AHEAD_DAYS: '30' } });
  const post = (body: Record<string, unknown>) =>
    request(relay().app)
      .post('/v1/notifications')
      .set('authorization', bearer('service'))
      .send({ idempotencyKey: uniqueId('checks'), channel: 'sms', recipient: '+33612000001', body: 'hi', ...body });

  it('refuses a sendAt beyond the configured horizon (400, naming the field and the limit), and starts nothing', async () => {
    const res = await post({ sendAt: '9999-01-01T00:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: ['sendAt'], message: expect.stringContaining('30 days') })]);
    const within = await post({ sendAt: new Date(Date.now() + 29 * 86_400_000).toISOString() });
    expect(within.status).toBe(202);
  });

  it('refuses an appointment beyond the horizon the same way', async () => {
    const res = await request(relay().app)
      .put(`/v1/appointments/${uniqueId('far')}`)
      .set('authorization', bearer('service'))
      .send({ startsAt: '9999-03-29T09:00', timeZone: 'Europe/Paris', channel: 'sms', recipient: '+33612000001', body: 'x', reminders: [{ beforeMinutes: 60 }] });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: ['startsAt'] })]);
  });

  it('refuses an unknown sender (400), naming the configured senders of the channel', async () => {
    const res = await post({ sender: '+15550000000' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ path: ['sender'], message: expect.stringContaining('+33757000001') })]);
    const whatsapp = await post({ channel: 'whatsapp', sender: '+33757000001', template: 'HX0123456789abcdef0123456789abcdef', body: undefined });
    expect(whatsapp.status).toBe(400);
    expect(whatsapp.body.issues[0].message).toContain('+33757000002');
    // A configured sender, with or without its whatsapp: prefix, is accepted.
    expect((await post({ sender: '+33757000001' })).status).toBe(202);
  });
});
