import {
  SEND_BOUND_MARGIN_MS,
  SEND_RATE_HEADROOM,
  SEND_WINDOW_POLL_MS,
  type SlotRequest,
  finishSend,
  sendWindow,
  takeSendSlot,
} from '../../src/db/notifications/sender-rate';
import { createPrismaClient } from '../../src/db/prisma';
import { uniqueId } from '../helpers/relay';

/**
 * The per-sender budget in PostgreSQL: slots 1/(rate × headroom) apart, in order, for every
 * worker process; and a window that admits a send only while fewer than the sender's limit of
 * its sends are in flight or finished within the last second.
 */
describe('notifications: per-sender send slots', () => {
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  afterAll(() => prisma.$disconnect());

  const sender = () => `+3375${uniqueId('').replace(/\D/g, '').padEnd(7, '7').slice(-7)}`;
  const gaps = (slots: number[]) => slots.slice(1).map((t, i) => t - slots[i]!);
  const request = (from: string, ratePerSecond: number, reserve: boolean, requestTimeoutMs = 5_000): SlotRequest => ({ sender: from, ratePerSecond, reserve, requestTimeoutMs });

  it('spaces a burst at the sender’s rate, the first slot at once', async () => {
    // Slow enough that a busy machine answers each reservation well within one slot.
    const rate = 2;
    const from = sender();
    const before = Date.now();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await takeSendSlot(prisma, request(from, rate, true)));
    const slots = answers.map((a) => a.slotAt);
    expect(slots[0]).toBeLessThanOrEqual(Date.now());
    expect(slots[0]).toBeGreaterThanOrEqual(before - 50);
    for (const gap of gaps(slots)) expect(gap).toBeCloseTo(1000 / (rate * SEND_RATE_HEADROOM), -1);
    // Only the first slot has come: the others are to wait for, with no send taken.
    expect(answers[0]!.sendId).not.toBeNull();
    for (const a of answers.slice(1)) expect(a).toMatchObject({ sendId: null, retryAt: a.slotAt });
  });

  it('admits no more than the limit in flight, and asks again shortly while they are', async () => {
    const from = sender();
    const admitted = [await takeSendSlot(prisma, request(from, 2, false)), await takeSendSlot(prisma, request(from, 2, false))];
    for (const a of admitted) expect(a.sendId).not.toBeNull();
    const refused = await takeSendSlot(prisma, request(from, 2, false));
    expect(refused.sendId).toBeNull();
    expect(refused.retryAt - refused.nowAt).toBeCloseTo(SEND_WINDOW_POLL_MS, 0);
  });

  it('frees a place one window after a send finished, by the database’s clock', async () => {
    const from = sender();
    const [a, b] = [await takeSendSlot(prisma, request(from, 2, false)), await takeSendSlot(prisma, request(from, 2, false))];
    await finishSend(prisma, a.sendId!);
    const finishedAt = (await prisma.senderSend.findUniqueOrThrow({ where: { id: a.sendId! } })).endsBy.getTime();
    await finishSend(prisma, b.sendId!);

    const refused = await takeSendSlot(prisma, request(from, 2, false));
    expect(refused.sendId).toBeNull();
    expect(Math.abs(refused.retryAt - (finishedAt + 1000))).toBeLessThan(2);
    await new Promise((r) => setTimeout(r, refused.retryAt - refused.nowAt + 20));
    expect((await takeSendSlot(prisma, request(from, 2, false))).sendId).not.toBeNull();
  });

  it('counts a send that never finished (its worker died) until its request timeout has passed', async () => {
    const from = sender();
    const timeoutMs = 200;
    const lost = await takeSendSlot(prisma, request(from, 1, false, timeoutMs));
    expect(lost.sendId).not.toBeNull();
    const row = await prisma.senderSend.findUniqueOrThrow({ where: { id: lost.sendId! } });
    expect(row.endsBy.getTime() - row.startedAt.getTime()).toBe(timeoutMs + SEND_BOUND_MARGIN_MS);
    expect((await takeSendSlot(prisma, request(from, 1, false, timeoutMs))).sendId).toBeNull();
  });

  it('admits exactly the limit out of many callers at once, each on its own connection', async () => {
    const from = sender();
    const clients = Array.from({ length: 6 }, () => createPrismaClient(process.env.DATABASE_URL!));
    try {
      await Promise.all(clients.map((c) => c.$queryRaw`SELECT 1`));
      const answers = await Promise.all(clients.flatMap((c) => [0, 1, 2].map(() => takeSendSlot(c, request(from, 4, false)))));
      expect(answers.filter((a) => a.sendId !== null)).toHaveLength(4);
    } finally {
      await Promise.all(clients.map((c) => c.$disconnect()));
    }
  });

  it('turns a rate into a limit per window', () => {
    expect(sendWindow(20)).toEqual({ limit: 20, windowMs: 1000 });
    expect(sendWindow(2.5)).toEqual({ limit: 2, windowMs: 1000 });
    expect(sendWindow(0.5)).toEqual({ limit: 1, windowMs: 2000 });
  });
});
