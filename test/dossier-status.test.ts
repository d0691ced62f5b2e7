import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError } from '@temporalio/client';
import request from 'supertest';
import { recordDossierStatusChange } from '../src/activities/notifications/dossier-status';
import { isFinalStatus } from '../src/domain/notifications';
import { RelayEntity, RelayEntityId } from '../src/domain/search-attributes';
import { bearer, type RelayHarness, uniqueId, useRelay } from './helpers/relay';
import { useTwilioSimulator, waitForNotification } from './helpers/notifications';

const phone = () => `+3363${Math.floor(1e6 + Math.random() * 9e6)}`;

/** Polls until `read` returns something truthy. */
async function eventually<T>(read: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The dossier's SMS and WhatsApp notifications once each has reached a final status (webhook
 * endpoints other test files left subscribed to every event may be notified too).
 */
const settledMessages = (relay: RelayHarness, dossierId: string, count: number) =>
  eventually(async () => {
    const rows = await relay.prisma.notification.findMany({ where: { dossierId, channel: { in: ['sms', 'whatsapp'] } }, orderBy: { id: 'asc' } });
    return rows.length === count && rows.every((r) => isFinalStatus(r.status)) && rows;
  }, `${count} settled notifications of ${dossierId}`);

/** A webhook receiver answering 204 and recording every delivery by URL. */
async function startReceiver() {
  const received: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    at: (endpointUrl: string) => received.filter((r) => `${url}${r.url}` === endpointUrl),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('dossier status changes', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim, env: { NOTIFY_RECEIPT_TIMEOUT_MS: '5000' } });
  const api = () => request(relay().app);
  const auth = bearer('service');
  const putDossier = (id: string, status: string) => api().put(`/v1/dossiers/${id}`).set('authorization', auth).send({ status });
  const putSubscribers = (id: string, subscribers: object[]) => api().put(`/v1/dossiers/${id}/subscribers`).set('authorization', auth).send({ subscribers });
  const postStatus = (id: string, body: object) => api().post(`/v1/dossiers/${id}/status`).set('authorization', auth).send(body);
  const getChange = (id: string, changeId: string) => api().get(`/v1/dossiers/${id}/status-changes/${changeId}`).set('authorization', auth);
  const recorded = (id: string, changeId: string) =>
    eventually(async () => {
      const res = await getChange(id, changeId);
      return res.status === 200 && res.body.state === 'recorded' && res.body;
    }, `change ${changeId} recorded`);

  it('creates a dossier once with its initial status and refuses to change it outside a status change', async () => {
    const id = uniqueId('D');
    const created = await putDossier(id, 'submitted');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id, status: 'submitted', subscribers: [], recentChanges: [] });
    expect((await putDossier(id, 'submitted')).status).toBe(200);
    const conflict = await putDossier(id, 'approved');
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toContain(`/v1/dossiers/${id}/status`);
    expect((await api().get(`/v1/dossiers/${uniqueId('nope')}`).set('authorization', auth)).status).toBe(404);
    const doc = await api().get('/openapi.json').expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/dossiers/{id}', '/v1/dossiers/{id}/subscribers', '/v1/dossiers/{id}/status', '/v1/dossiers/{id}/status-changes/{changeId}']),
    );
  });

  it('replaces subscribers, keeps their ids stable, masks numbers and refuses unknown webhook endpoints', async () => {
    const id = uniqueId('D');
    await putDossier(id, 'open').expect(201);
    const sms = phone();
    const first = await putSubscribers(id, [
      { channel: 'sms', recipient: sms },
      { channel: 'whatsapp', recipient: sms },
    ]);
    expect(first.status).toBe(200);
    expect(first.body.subscribers).toHaveLength(2);
    expect(JSON.stringify(first.body)).not.toContain(sms.slice(3, -2));
    const again = await putSubscribers(id, [{ channel: 'whatsapp', recipient: sms }]);
    expect(again.body.subscribers).toEqual(first.body.subscribers.filter((s: { channel: string }) => s.channel === 'whatsapp'));
    expect((await putSubscribers(id, [{ channel: 'webhook', endpointId: 'we_missing' }])).status).toBe(422);
    expect((await putSubscribers(uniqueId('nope'), [])).status).toBe(404);
    expect((await putSubscribers(id, [{ channel: 'sms', recipient: '0612' }])).status).toBe(400);
  });

  it('records the change, notifies each subscriber once, and answers a repeat with the same change (200)', async () => {
    const id = uniqueId('D');
    const [sms, wa] = [phone(), phone()];
    sim().openSession(`whatsapp:${wa}`);
    await putDossier(id, 'submitted').expect(201);
    await putSubscribers(id, [
      { channel: 'sms', recipient: sms },
      { channel: 'whatsapp', recipient: wa },
    ]).expect(200);

    const changeId = uniqueId('chg');
    const accepted = await postStatus(id, { status: 'approved', changeId, note: 'Signed by both parties' });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/dossiers/${id}/status-changes/${changeId}`);
    expect(accepted.body).toMatchObject({ dossierId: id, changeId, status: 'approved', workflowId: `dossier-status-${id}-${changeId}` });

    const change = await recorded(id, changeId);
    expect(change).toMatchObject({ status: 'approved', previousStatus: 'submitted', requestedBy: 'ci' });
    const rows = await settledMessages(relay(), id, 2);
    // WhatsApp's `read` may follow `delivered` a moment later.
    expect(rows.map((r) => [r.channel, r.status === 'read' ? 'delivered' : r.status]).sort()).toEqual([['sms', 'delivered'], ['whatsapp', 'delivered']]);
    expect(sim().messages({ to: sms }).map((m) => m.body)).toEqual([`Dossier ${id}: status changed to approved. Signed by both parties`]);
    expect(sim().messages({ to: `whatsapp:${wa}` })).toHaveLength(1);

    const result = await relay().env.client.workflow.getHandle(`dossier-status-${id}-${changeId}`).result();
    expect(result).toMatchObject({ dossierId: id, changeId, status: 'approved', previousStatus: 'submitted' });
    expect(result.notificationIds).toEqual(expect.arrayContaining(rows.map((r) => r.id)));
    for (const n of rows) {
      const child = await relay().env.client.workflow.getHandle(`notification-${n.id}`).describe();
      expect(child.parentExecution?.workflowId).toBe(`dossier-status-${id}-${changeId}`);
      expect(child.typedSearchAttributes.get(RelayEntityId)).toBe(n.id);
      // Workflow ids and search attributes are not encrypted: never a phone number in them.
      expect(n.id).not.toContain(n.recipient.slice(1));
    }

    const repeat = await postStatus(id, { status: 'approved', changeId, note: 'Signed by both parties' });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ state: 'recorded', previousStatus: 'submitted', changedAt: change.changedAt });
    expect(repeat.body.notifications.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining(rows.map((r) => r.id)));
    expect((await postStatus(id, { status: 'rejected', changeId })).status).toBe(409);

    const dossier = await api().get(`/v1/dossiers/${id}`).set('authorization', auth).expect(200);
    expect(dossier.body).toMatchObject({ status: 'approved', recentChanges: [{ changeId, status: 'approved', previousStatus: 'submitted' }] });
    await sim().idle();
    expect(sim().messages({ to: sms })).toHaveLength(1);
    expect(await relay().prisma.dossierStatusChange.count({ where: { dossierId: id } })).toBe(1);
  });

  it('still recognises the change id once the workflow history is gone', async () => {
    const id = uniqueId('D');
    const sms = phone();
    await putDossier(id, 'submitted').expect(201);
    await putSubscribers(id, [{ channel: 'sms', recipient: sms }]).expect(200);
    const changeId = uniqueId('chg');
    await postStatus(id, { status: 'approved', changeId }).expect(202);
    await recorded(id, changeId);
    await settledMessages(relay(), id, 1);
    const workflowId = `dossier-status-${id}-${changeId}`;
    await relay().env.client.workflow.getHandle(workflowId).result();
    // What retention does to a closed workflow: its history disappears.
    await relay().env.client.workflowService.deleteWorkflowExecution({ namespace: relay().config.temporal.namespace, workflowExecution: { workflowId } });
    // The server deletes asynchronously (about 10 s on the dev server).
    await eventually(
      () => relay().env.client.workflow.getHandle(workflowId).describe().then(() => false, (err: unknown) => err instanceof WorkflowNotFoundError),
      'the history to be deleted',
      60_000,
    );

    const again = await postStatus(id, { status: 'approved', changeId });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ state: 'recorded', previousStatus: 'submitted' });
    // The change id is unique across dossiers: reusing it elsewhere is a conflict, not a new change.
    const other = uniqueId('D');
    await putDossier(other, 'submitted').expect(201);
    expect((await postStatus(other, { status: 'approved', changeId })).status).toBe(409);
    await expect(relay().env.client.workflow.getHandle(workflowId).describe()).rejects.toThrow();
    await sim().idle();
    expect(sim().messages({ to: sms })).toHaveLength(1);
  }, 120_000);

  it('notifies webhook endpoints, listed on the dossier or subscribed to the event, once each, with the change as payload', async () => {
    const receiver = await startReceiver();
    const endpoint = (events: string[]) =>
      relay().prisma.webhookEndpoint.create({
        data: { id: uniqueId('we'), url: `${receiver.url}/${randomBytes(4).toString('hex')}`, events, secret: `whsec_${randomBytes(24).toString('base64')}`, createdBy: 'ci' },
      });
    const listedOnly = await endpoint(['appointment.reminder']);
    const listedAndSubscribed = await endpoint(['dossier.status_changed']);
    const subscribedOnly = await endpoint(['dossier.*']);
    try {
      const id = uniqueId('D');
      await putDossier(id, 'submitted').expect(201);
      const subs = await putSubscribers(id, [
        { channel: 'webhook', endpointId: listedOnly.id },
        { channel: 'webhook', endpointId: listedAndSubscribed.id },
      ]).expect(200);
      expect(subs.body.subscribers).toEqual(
        expect.arrayContaining([{ id: expect.stringMatching(/^[0-9a-f]{16}$/), channel: 'webhook', endpointId: listedOnly.id }]),
      );

      const changeId = uniqueId('chg');
      await postStatus(id, { status: 'approved', changeId }).expect(202);
      const change = await recorded(id, changeId);
      const ours = [listedOnly, listedAndSubscribed, subscribedOnly];
      await eventually(() => Promise.resolve(ours.every((e) => receiver.at(e.url).length > 0)), 'a delivery to each endpoint');
      const { notificationIds } = await relay().env.client.workflow.getHandle(`dossier-status-${id}-${changeId}`).result();
      for (const e of ours) {
        const [delivery, ...more] = receiver.at(e.url);
        expect(more).toHaveLength(0);
        expect(notificationIds).toContain(delivery!.headers['webhook-id']);
        expect(JSON.parse(delivery!.body)).toMatchObject({
          type: 'dossier.status_changed',
          data: { dossierId: id, changeId, status: 'approved', previousStatus: 'submitted', changedAt: change.changedAt },
        });
        // The receiver has the delivery before the workflow records its answer: wait for the log to catch up.
        const row = await waitForNotification(relay(), String(delivery!.headers['webhook-id']), 'delivered');
        expect(row).toMatchObject({ channel: 'webhook', recipient: e.id, dossierId: id, status: 'delivered' });
        const child = await relay().env.client.workflow.getHandle(`notification-${row.id}`).describe();
        expect(child.typedSearchAttributes.get(RelayEntity)).toBe('notification');
        expect(child.parentExecution?.workflowId).toBe(`dossier-status-${id}-${changeId}`);
      }
    } finally {
      // Endpoints subscribed to the event would hear about every later change of this run.
      await relay().prisma.webhookEndpoint.updateMany({ where: { id: { in: [listedOnly.id, listedAndSubscribed.id, subscribedOnly.id] } }, data: { status: 'disabled' } });
      await receiver.stop();
    }
  });

  it('records a change to the same status without notifying anyone', async () => {
    const id = uniqueId('D');
    const sms = phone();
    await putDossier(id, 'submitted').expect(201);
    await putSubscribers(id, [{ channel: 'sms', recipient: sms }]).expect(200);
    const changeId = uniqueId('same');
    await postStatus(id, { status: 'submitted', changeId }).expect(202);
    const result = await relay().env.client.workflow.getHandle(`dossier-status-${id}-${changeId}`).result();
    expect(result).toMatchObject({ previousStatus: 'submitted', status: 'submitted', notificationIds: [] });
    expect(await relay().prisma.notification.count({ where: { dossierId: id } })).toBe(0);
  });

  it('orders concurrent changes of one dossier: each records the status the previous one left', async () => {
    const id = uniqueId('D');
    await putDossier(id, 's0').expect(201);
    const statuses = ['s1', 's2', 's3', 's4', 's5', 's6'];
    const responses = await Promise.all(statuses.map((status) => postStatus(id, { status, changeId: uniqueId(status) })));
    expect(responses.map((r) => r.status)).toEqual(statuses.map(() => 202));
    await Promise.all(responses.map((r) => relay().env.client.workflow.getHandle(r.body.workflowId).result()));
    const changes = await relay().prisma.dossierStatusChange.findMany({ where: { dossierId: id } });
    const final = await relay().prisma.dossier.findUniqueOrThrow({ where: { id } });
    const path = chain('s0', changes);
    expect([...path].sort()).toEqual(statuses);
    expect(path.at(-1)).toBe(final.status);
  });

  it('serialises the status write itself (the activity, called concurrently)', async () => {
    const id = uniqueId('D');
    await putDossier(id, 's0').expect(201);
    const statuses = Array.from({ length: 10 }, (_, i) => `s${i + 1}`);
    await Promise.all(statuses.map((status) => recordDossierStatusChange(relay().prisma, { dossierId: id, changeId: uniqueId(status), status, requestedBy: 'ci' })));
    const path = chain('s0', await relay().prisma.dossierStatusChange.findMany({ where: { dossierId: id } }));
    expect([...path].sort()).toEqual([...statuses].sort());
    expect(path.at(-1)).toBe((await relay().prisma.dossier.findUniqueOrThrow({ where: { id } })).status);
  });

  it('refuses a change of an unknown dossier (404) and bad input (400)', async () => {
    expect((await postStatus(uniqueId('nope'), { status: 'approved', changeId: uniqueId('c') })).status).toBe(404);
    const bad = await postStatus(uniqueId('D'), { status: '', changeId: 'bad id!', extra: true });
    expect(bad.status).toBe(400);
    expect((await getChange(uniqueId('D'), uniqueId('c'))).status).toBe(404);
  });
});

/**
 * The statuses visited from `initial` by following previous → status links. Lost updates
 * (two changes that both saw the same previous status) break the chain short.
 */
function chain(initial: string, changes: { status: string; previousStatus: string | null }[]): string[] {
  const next = new Map<string, string[]>();
  for (const c of changes) next.set(c.previousStatus ?? '', [...(next.get(c.previousStatus ?? '') ?? []), c.status]);
  const path: string[] = [];
  let at = initial;
  for (;;) {
    const targets = next.get(at) ?? [];
    if (targets.length !== 1) return targets.length > 1 ? [...path, `(forked at ${at}: ${targets.join(', ')})`] : path;
    at = targets[0]!;
    path.push(at);
  }
}
