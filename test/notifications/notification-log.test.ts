import { acceptNotificationRow, beginSendAttempt, newNotificationRow, sidsClaimedByOthers } from '../../src/db/notifications/notification-log';
import { createPrismaClient } from '../../src/db/prisma';
import type { NotificationRequest } from '../../src/domain/notifications';
import { WorkflowIds } from '../../src/domain/workflow-ids';
import { uniqueId } from '../helpers/relay';

/**
 * The API starts a message's workflow before it writes the log row (no dual-write gap), so the
 * workflow's first activity can write the row first. The POST must still answer 202, once.
 */
describe('notifications: the log row of an accepted message', () => {
  const prisma = createPrismaClient(process.env.DATABASE_URL!);
  afterAll(() => prisma.$disconnect());

  const request = (id: string, body = 'Your parcel is on its way'): NotificationRequest => ({
    id,
    channel: 'sms',
    recipient: '+33612000042',
    sender: '+33757000001',
    body,
    variables: { name: 'Ana' },
    requestedBy: 'test',
  });

  it('is accepted by exactly one POST when nothing came first', async () => {
    const r = request(uniqueId('accept'));
    const row = newNotificationRow(r, WorkflowIds.notification(r.id), 'accepted');
    const first = await acceptNotificationRow(prisma, row);
    expect(first).toMatchObject({ id: r.id, status: 'accepted', attempts: 0, variables: { name: 'Ana' } });
    expect(first!.acceptedAt).toBeInstanceOf(Date);
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: r.id } })).toEqual(first);
    // A concurrent POST with the same key.
    expect(await acceptNotificationRow(prisma, row)).toBeNull();
  });

  it('is still accepted, once, when the workflow’s first activity wrote the row first', async () => {
    const r = request(uniqueId('raced'));
    await beginSendAttempt(prisma, r, WorkflowIds.notification(r.id), '+33757000001', r.recipient);
    const row = newNotificationRow(r, WorkflowIds.notification(r.id), 'accepted');

    const accepted = await acceptNotificationRow(prisma, row);
    expect(accepted).toMatchObject({ id: r.id, status: 'sending', attempts: 1 });
    expect(accepted!.acceptedAt).toBeInstanceOf(Date);
    expect(await acceptNotificationRow(prisma, row)).toBeNull();
  });

  it('is not accepted for another message under the same key', async () => {
    const r = request(uniqueId('other'));
    await beginSendAttempt(prisma, r, WorkflowIds.notification(r.id), '+33757000001', r.recipient);
    const other = newNotificationRow(request(r.id, 'Something else'), WorkflowIds.notification(r.id), 'accepted');
    expect(await acceptNotificationRow(prisma, other)).toBeNull();
    expect(await prisma.notification.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ acceptedAt: null, body: 'Your parcel is on its way' });
  });

  it('lists the message SIDs other notifications to the recipient recorded, never this one’s own', async () => {
    // A receipt can record this notification's SID while its look-up before a resend runs:
    // that SID is the message to adopt, not one to skip.
    const recipient = `+3361${Math.floor(1e7 + Math.random() * 9e7)}`;
    const since = new Date(Date.now() - 60_000);
    const [mine, other, elsewhere] = [uniqueId('own'), uniqueId('other'), uniqueId('elsewhere')];
    const sid = () => `SM${uniqueId('').replace(/\W/g, '').padEnd(32, '0').slice(0, 32)}`;
    const [mySid, otherSid] = [sid(), sid()];
    for (const [id, to, vendorMessageId] of [[mine, recipient, mySid], [other, recipient, otherSid], [elsewhere, '+33612000042', sid()]] as const) {
      const r = { ...request(id), recipient: to };
      await prisma.notification.create({ data: { ...newNotificationRow(r, WorkflowIds.notification(id), 'sent'), vendorMessageId } });
    }
    expect(await sidsClaimedByOthers(prisma, mine, recipient, since)).toEqual([otherSid]);
  });
});
