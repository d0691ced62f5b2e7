import request from 'supertest';
import { type RelayHarness, bearer, startRelay, uniqueId } from '../helpers/relay';
import { useTwilioSimulator } from '../helpers/notifications';

/**
 * Two senders, each limited to R messages a second at Twilio, and two sets of workers on the
 * same task queues (each with its own database pool and Twilio client, as two worker
 * processes have): a burst through the API reaches Twilio at no more than R per second per
 * sender, measured at the simulator, and without crawling.
 */
describe('notifications: each sender’s rate holds across workers', () => {
  const R = 4;
  const SMS = '+33757000091';
  const WHATSAPP = 'whatsapp:+33757000092';
  const env = { TWILIO_SENDERS: `sms:${SMS}@${R},${WHATSAPP}@${R}`, NOTIFY_RECEIPT_TIMEOUT_MS: '5000' };
  const sim = useTwilioSimulator();
  let first: RelayHarness;
  let second: RelayHarness;

  beforeAll(async () => {
    first = await startRelay({ twilio: sim, env });
    second = await startRelay({ twilio: sim, env, taskQueues: first.taskQueues });
    sim().setFaults({ senderRates: { [SMS]: R, [WHATSAPP]: R } });
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('sends a burst at no more than R per second per sender, whichever worker set sends', async () => {
    const perSender = 3 * R;
    const ids: string[] = [];
    for (let i = 0; i < perSender; i++) {
      for (const channel of ['sms', 'whatsapp'] as const) {
        const key = uniqueId(`burst-${channel}`);
        const recipient = `+3366${Math.floor(1e6 + Math.random() * 9e6)}`;
        const sender = channel === 'sms' ? SMS : WHATSAPP.replace('whatsapp:', '');
        const res = await request(first.app).post('/v1/notifications').set('authorization', bearer('service')).send({ idempotencyKey: key, channel, recipient, sender, body: `burst ${i}` });
        expect(res.status).toBe(202);
        ids.push(key);
      }
    }
    for (const deadline = Date.now() + 60_000; ; ) {
      const sent = await first.prisma.notification.count({ where: { id: { in: ids }, sentAt: { not: null } } });
      if (sent === ids.length) break;
      if (Date.now() > deadline) throw new Error(`only ${sent} of ${ids.length} messages were sent`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const stats = sim()
      .rateStats('received')
      .filter((s) => s.sender === SMS || s.sender === WHATSAPP);
    expect(stats).toHaveLength(2);
    for (const s of stats) {
      expect(s).toMatchObject({ limit: R, count: perSender, overLimit: 0 });
      expect(s.maxInAnyWindow).toBeLessThanOrEqual(R);
      // How close to R a burst flows is a speed figure, measured by `npm run bench:notifications` (rate_fraction), not here.
    }
  });
});
