import { newNotificationRow, recordLaneResolution } from '../../src/db/notifications/notification-log';
import { type LaneRequest, endLaneSend, takeSendLane } from '../../src/db/notifications/send-lane';
import { SEND_BOUND_MARGIN_MS } from '../../src/db/notifications/sender-rate';
import { createPrismaClient } from '../../src/db/prisma';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { uniqueId } from '../helpers/relay';

/**
 * The send lane in PostgreSQL (relay_take_send_lane), shared by every worker process: one
 * create at a time per sender and recipient, and after a lost answer nothing until a look-up
 * has said what it created.
 */
describe('notifications: the send lane of a sender and recipient', () => {
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  afterAll(() => prisma.$disconnect());

  const SETTLE_MS = 300;
  const REQUEST_TIMEOUT_MS = 200;
  const phone = () => `+3366${Math.floor(1e6 + Math.random() * 9e6)}`;

  async function notification(recipient: string): Promise<string> {
    const id = uniqueId('lane');
    await prisma.notification.create({ data: newNotificationRow({ id, channel: 'sms', recipient, body: 'x', requestedBy: 'test' }, WorkflowIds.notification(id), 'sending') });
    return id;
  }
  const lane = (sender: string, recipient: string, notificationId: string, create = true): LaneRequest => ({
    sender,
    recipient,
    notificationId,
    create,
    settleMs: SETTLE_MS,
    slot: { sender, ratePerSecond: 1000, requestTimeoutMs: REQUEST_TIMEOUT_MS, reserve: false },
  });
  const until = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 20));

  it('admits one create at a time per lane; other lanes go on', async () => {
    const [sender, to] = ['+33757000101', phone()];
    const [a, b, c] = [await notification(to), await notification(to), await notification(to)];
    const first = await takeSendLane(prisma, lane(sender, to, a));
    expect(first).toMatchObject({ state: 'go' });
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'busy', pending: { notificationId: a } });
    // Another recipient, another sender: their own lanes.
    expect(await takeSendLane(prisma, lane(sender, phone(), await notification(phone())))).toMatchObject({ state: 'go' });
    expect(await takeSendLane(prisma, lane('+33757000102', to, c))).toMatchObject({ state: 'go' });
    // A definite refusal frees the lane at once.
    await endLaneSend(prisma, first.attemptId!, first.sendId!, 'refused');
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'go' });
  });

  it('keeps the lane shut after an attempt whose worker died, until its bound and the settle time, then hands out one look-up', async () => {
    const [sender, to] = ['+33757000103', phone()];
    const [a, b, c] = [await notification(to), await notification(to), await notification(to)];
    const dead = await takeSendLane(prisma, lane(sender, to, a));
    const row = await prisma.sendLaneAttempt.findUniqueOrThrow({ where: { id: dead.attemptId! } });
    expect(row.boundAt.getTime() - row.startedAt.getTime()).toBeCloseTo(REQUEST_TIMEOUT_MS + SEND_BOUND_MARGIN_MS, -1);
    // Its worker never ends it: in flight until its bound, then unsettled for the settle time.
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'busy' });
    await until(row.boundAt.getTime());
    const unsettled = await takeSendLane(prisma, lane(sender, to, b));
    expect(unsettled.state).toBe('unsettled');
    expect(Math.abs(unsettled.retryAt - (row.boundAt.getTime() + SETTLE_MS))).toBeLessThan(1);
    await until(unsettled.retryAt);
    // One caller looks it up; meanwhile the others wait, and nobody creates.
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'resolve', pending: { id: dead.attemptId, notificationId: a } });
    expect(await takeSendLane(prisma, lane(sender, to, c))).toMatchObject({ state: 'resolving' });
    // Before a give-up, a notification looks only at its own pending attempt.
    expect(await takeSendLane(prisma, lane(sender, to, c, false))).toMatchObject({ state: 'free' });

    const sid = `SM${'1'.repeat(32)}`;
    expect(await recordLaneResolution(prisma, { id: dead.attemptId!, notificationId: a }, { outcome: 'adopted', vendorMessageId: sid })).toBe(true);
    // Recorded once: a second look-up's answer changes nothing.
    expect(await recordLaneResolution(prisma, { id: dead.attemptId!, notificationId: a }, { outcome: 'absent' })).toBe(false);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: a } })).toMatchObject({ status: 'sent', vendorMessageId: sid });
    expect(await takeSendLane(prisma, lane(sender, to, a))).toMatchObject({ state: 'sent', sentSid: sid });
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'go' });
  });

  it('keeps the lane shut after a lost answer until it is looked up, and fails a notification whose look-up found several candidates', async () => {
    const [sender, to] = ['+33757000104', phone()];
    const [a, b] = [await notification(to), await notification(to)];
    const taken = await takeSendLane(prisma, lane(sender, to, a));
    await endLaneSend(prisma, taken.attemptId!, taken.sendId!, 'ambiguous');
    const attempt = await prisma.sendLaneAttempt.findUniqueOrThrow({ where: { id: taken.attemptId! } });
    const unsettled = await takeSendLane(prisma, lane(sender, to, b));
    expect(unsettled.state).toBe('unsettled');
    expect(Math.abs(unsettled.retryAt - (attempt.boundAt.getTime() + SETTLE_MS))).toBeLessThan(1);
    await until(attempt.boundAt.getTime() + SETTLE_MS);
    expect(await takeSendLane(prisma, lane(sender, to, a, false))).toMatchObject({ state: 'resolve', pending: { notificationId: a } });
    expect(await recordLaneResolution(prisma, { id: taken.attemptId!, notificationId: a }, { outcome: 'unattributable' })).toBe(true);
    expect(await takeSendLane(prisma, lane(sender, to, a))).toMatchObject({ state: 'unattributable' });
    expect(await takeSendLane(prisma, lane(sender, to, b))).toMatchObject({ state: 'go' });
  });
});
