import { SEND_RATE_HEADROOM, reserveSendSlot } from '../../src/activities/notifications/sender-rate';
import { createPrismaClient } from '../../src/db/prisma';
import { uniqueId } from '../helpers/relay';

/**
 * The per-sender budget in PostgreSQL hands out slots 1/(rate × headroom) apart, in order,
 * to every worker process.
 */
describe('notifications: per-sender send slots', () => {
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  afterAll(() => prisma.$disconnect());

  // Slow enough that a busy machine answers each reservation well within one slot.
  const rate = 2;
  const interval = 1000 / (rate * SEND_RATE_HEADROOM);
  const sender = () => `+3375${uniqueId('').replace(/\D/g, '').slice(-7)}`;
  const gaps = (slots: number[]) => slots.slice(1).map((t, i) => t - slots[i]!);

  it('spaces a burst at the sender’s rate, the first slot at once', async () => {
    const from = sender();
    const before = Date.now();
    const slots: number[] = [];
    for (let i = 0; i < 4; i++) slots.push((await reserveSendSlot(prisma, from, rate)).slotAt);
    expect(slots[0]).toBeLessThanOrEqual(Date.now());
    expect(slots[0]).toBeGreaterThanOrEqual(before - 50);
    for (const gap of gaps(slots)) expect(gap).toBeCloseTo(interval, -1);
  });
});
