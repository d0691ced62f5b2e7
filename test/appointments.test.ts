import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import request from 'supertest';
import { decodeJsonHistory } from '../scripts/lib/history';
import type { AppointmentState } from '../src/domain/appointments';
import { RelayChannel, RelayEntity, RelayEntityId, RelayIntegration, RelayNextActionAt, RelayStatus } from '../src/domain/search-attributes';
import { createDataConverter } from '../src/temporal/data-converter';
import { EncryptionCodec } from '../src/temporal/encryption-codec';
import { scheduleAppointment } from '../src/temporal/starters/appointment';
import { useTwilioSimulator, waitForNotification } from './helpers/notifications';
import { bearer, uniqueId, useRelay, workflowBundle } from './helpers/relay';
import { waitFor } from './helpers/wait';

/**
 * Appointment reminders end to end: API → appointment workflow (durable timers) → child
 * notification workflows → Twilio simulator. Offsets are seconds, not time skipping.
 * `RECORD_HISTORIES=1 npx jest test/appointments.test.ts` rewrites the replay fixtures.
 */
const ZONE = 'Europe/Paris';
/** How late a reminder may reach Twilio after its instant (timer, workflow tasks, send). */
const LATE_MS = 4_000;

describe('appointment reminders', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim, env: { NOTIFY_RECEIPT_TIMEOUT_MS: '5000' } });
  const client = () => relay().env.client;
  const api = () => request(relay().app);
  const auth = bearer('service');
  const put = (id: string, body: object) => api().put(`/v1/appointments/${id}`).set('authorization', auth).send(body);
  const get = (id: string) => api().get(`/v1/appointments/${id}`).set('authorization', auth);
  const del = (id: string) => api().delete(`/v1/appointments/${id}`).set('authorization', auth);
  /** France's range reserved for fiction (06 39 98 xx xx): fixtures hold no real number. */
  const phone = () => `+3363998${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  /** Local wall-clock time in Paris, as a caller sends it. */
  const local = (epochMs: number) => DateTime.fromMillis(epochMs, { zone: ZONE }).toFormat("yyyy-LL-dd'T'HH:mm:ss.SSS");
  const body = (startsAt: number, recipient: string, reminders: object[], text = 'Reminder: see you at {{time}}') => ({
    startsAt: local(startsAt),
    timeZone: ZONE,
    channel: 'sms',
    recipient,
    body: text,
    variables: { time: DateTime.fromMillis(startsAt, { zone: ZONE }).toFormat('HH:mm:ss') },
    reminders,
  });
  const handle = (id: string) => client().workflow.getHandle(`appointment-${id}`);
  type ReminderView = { key: string; sendAt: string; localSendAt: string; status: string; skipReason: string | null; notificationId: string | null };
  const reminder = (state: { reminders: ReminderView[] }, key: string) => state.reminders.find((r) => r.key === key);

  const messagesTo = (to: string) => sim().messages({ to });
  const waitForMessages = (to: string, count: number, timeoutMs = 30_000) =>
    waitFor(`${count} message(s) to ${to.slice(0, 5)}…`, () => (messagesTo(to).length >= count ? messagesTo(to) : undefined), timeoutMs);
  const exists = async (workflowId: string) => {
    try {
      await client().workflow.getHandle(workflowId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
  /** The notification id a reminder of a version would get (see reminderNotificationId). */
  const reminderId = async (id: string, key: string, version: number) => `appt-${id}-${key}-${(await handle(id).describe()).runId.slice(0, 8)}.${version}`;

  /** Replays a fresh history against today's bundle; with RECORD_HISTORIES=1 also saves it as a fixture. */
  async function replayAndRecord(workflowId: string, fixture: string): Promise<void> {
    const history = await client().workflow.getHandle(workflowId).fetchHistory();
    const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay().config.codec.keys) };
    await Worker.runReplayHistory(options, history, workflowId);
    if (process.env.RECORD_HISTORIES === '1') {
      const decoded = await decodeJsonHistory(JSON.parse(historyToJSON(history)), new EncryptionCodec(relay().config.codec.keys));
      writeFileSync(path.join(__dirname, 'histories', `${fixture}.json`), `${JSON.stringify(decoded, null, 2)}\n`);
    }
  }

  it('replays its recorded histories (scheduled → sent → completed, rescheduled, cancelled) with today’s code', async () => {
    // test/replay.test.ts replays every fixture too; these are the ones this workflow must keep.
    const options = { workflowBundle: await workflowBundle(), dataConverter: createDataConverter(relay().config.codec.keys) };
    for (const name of ['appointment-completed', 'appointment-rescheduled', 'appointment-cancelled', 'appointment-channel-changed']) {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(__dirname, 'histories', `${name}.json`), 'utf8')));
      expect(history.events?.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(true);
      await Worker.runReplayHistory(options, history, name);
    }
  });

  it('sends each reminder at its time as a child notification, skips one already past, and completes when the appointment begins', async () => {
    const id = uniqueId('appt');
    const to = phone();
    const t0 = Date.now();
    const startsAt = t0 + 9_000;
    const res = await put(id, body(startsAt, to, [{ before: 'PT6S' }, { beforeMinutes: 1 }, { before: 'PT3S' }]));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, workflowId: `appointment-${id}`, status: 'scheduled', version: 1, timeZone: ZONE, channel: 'sms', startsAt: new Date(startsAt).toISOString() });
    expect(res.body.recipient).not.toContain(to.slice(3, -2));
    expect(res.body.reminders.map((r: { key: string; status: string; skipReason: string | null }) => [r.key, r.status, r.skipReason])).toEqual([
      ['before-1m', 'skipped', 'passed'],
      ['before-6s', 'pending', null],
      ['before-3s', 'pending', null],
    ]);
    const first = reminder(res.body, 'before-6s')!;
    expect(first).toMatchObject({ sendAt: new Date(startsAt - 6_000).toISOString(), localSendAt: DateTime.fromMillis(startsAt - 6_000, { zone: ZONE }).toISO() });
    expect(res.body.nextReminderAt).toBe(first.sendAt);

    const described = await handle(id).describe();
    expect(described.typedSearchAttributes.get(RelayIntegration)).toBe('notifications');
    expect(described.typedSearchAttributes.get(RelayEntity)).toBe('appointment');
    expect(described.typedSearchAttributes.get(RelayEntityId)).toBe(id);
    expect(described.typedSearchAttributes.get(RelayStatus)).toBe('scheduled');
    expect(described.typedSearchAttributes.get(RelayNextActionAt)?.toISOString()).toBe(first.sendAt);

    const messages = await waitForMessages(to, 2);
    const text = `Reminder: see you at ${DateTime.fromMillis(startsAt, { zone: ZONE }).toFormat('HH:mm:ss')}`;
    expect(messages.map((m) => m.body)).toEqual([text, text]);
    for (const [i, offset] of [6_000, 3_000].entries()) {
      const due = startsAt - offset;
      expect(messages[i]!.receivedAt).toBeGreaterThanOrEqual(due);
      expect(messages[i]!.receivedAt).toBeLessThan(due + LATE_MS);
    }

    const final = (await handle(id).result()) as AppointmentState;
    expect(final.status).toBe('completed');
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
    const after = await get(id).expect(200);
    expect(after.body).toMatchObject({ status: 'completed', nextReminderAt: null });
    const sent = after.body.reminders.filter((r: { status: string }) => r.status === 'sent');
    expect(sent.map((r: { key: string }) => r.key)).toEqual(['before-6s', 'before-3s']);
    expect(after.body.sent.map((s: { notificationId: string }) => s.notificationId)).toEqual(sent.map((r: { notificationId: string }) => r.notificationId));

    // Each message is a child notification workflow, logged with the appointment's id, never started twice.
    for (const r of sent as { notificationId: string }[]) {
      const row = await waitForNotification(relay(), r.notificationId, 'delivered');
      expect(row).toMatchObject({ appointmentId: id, channel: 'sms', attempts: 1 });
      const child = await client().workflow.getHandle(`notification-${r.notificationId}`).describe();
      expect(child.parentExecution?.workflowId).toBe(`appointment-${id}`);
      expect(child.typedSearchAttributes.get(RelayEntity)).toBe('notification');
    }
    expect(await exists(`notification-${await reminderId(id, 'before-1m', 1)}`)).toBe(false);
    const closed = await handle(id).describe();
    expect(closed.status.name).toBe('COMPLETED');
    expect(closed.typedSearchAttributes.get(RelayStatus)).toBe('completed');
    // Nothing is left to cancel once the appointment has begun.
    expect((await del(id)).status).toBe(409);
    await replayAndRecord(`appointment-${id}`, 'appointment-completed');
  });

  it('re-arms the timers on a reschedule: the old time sends nothing, the new one sends; an identical PUT changes nothing', async () => {
    const id = uniqueId('appt-move');
    const to = phone();
    const t0 = Date.now();
    await put(id, body(t0 + 20_000, to, [{ before: 'PT16S' }], 'old time')).expect(200);
    const moved = body(t0 + 28_000, to, [{ before: 'PT16S' }], 'new time');
    const res = await put(id, moved).expect(200);
    expect(res.body).toMatchObject({ version: 2, startsAt: new Date(t0 + 28_000).toISOString(), nextReminderAt: new Date(t0 + 12_000).toISOString() });
    expect(reminder(res.body, 'before-16s')).toMatchObject({ status: 'pending', sendAt: new Date(t0 + 12_000).toISOString() });
    const again = await put(id, moved).expect(200);
    expect(again.body.version).toBe(2);
    expect((await handle(id).describe()).typedSearchAttributes.get(RelayNextActionAt)?.toISOString()).toBe(new Date(t0 + 12_000).toISOString());

    const [message] = await waitForMessages(to, 1);
    expect(message!.body).toBe('new time');
    expect(message!.receivedAt).toBeGreaterThanOrEqual(t0 + 12_000);
    expect(message!.receivedAt).toBeLessThan(t0 + 12_000 + LATE_MS);
    expect(await exists(`notification-${await reminderId(id, 'before-16s', 1)}`)).toBe(false);
    const state = await get(id).expect(200);
    expect(state.body.sent).toEqual([expect.objectContaining({ key: 'before-16s', version: 2, notificationId: await reminderId(id, 'before-16s', 2) })]);
    await del(id).expect(200);
    expect(messagesTo(to)).toHaveLength(1);
  });

  it('does not send a reminder whose time has already passed when a change arrives, and sends the others of the new version', async () => {
    const id = uniqueId('appt-past');
    const to = phone();
    const t0 = Date.now();
    await put(id, body(t0 + 30_000, to, [{ before: 'PT27S' }, { before: 'PT8S' }], 'first')).expect(200);
    await waitForMessages(to, 1);
    // Moved earlier: "27 s before" is now in the past, "8 s before" still ahead.
    const res = await put(id, body(t0 + 15_000, to, [{ before: 'PT27S' }, { before: 'PT8S' }], 'second')).expect(200);
    expect(res.body.version).toBe(2);
    expect(reminder(res.body, 'before-27s')).toMatchObject({ status: 'skipped', skipReason: 'passed', sendAt: new Date(t0 - 12_000).toISOString() });
    expect(reminder(res.body, 'before-8s')).toMatchObject({ status: 'pending', sendAt: new Date(t0 + 7_000).toISOString() });

    expect(((await handle(id).result()) as AppointmentState).status).toBe('completed');
    const messages = messagesTo(to);
    expect(messages.map((m) => m.body)).toEqual(['first', 'second']);
    // Moved earlier than the old timer: the change woke the workflow, it did not wait for the old time.
    expect(messages[1]!.receivedAt).toBeGreaterThanOrEqual(t0 + 7_000);
    expect(messages[1]!.receivedAt).toBeLessThan(t0 + 7_000 + LATE_MS);
    expect(await exists(`notification-${await reminderId(id, 'before-27s', 2)}`)).toBe(false);
    expect(await exists(`notification-${await reminderId(id, 'before-8s', 1)}`)).toBe(false);
    const state = (await get(id).expect(200)).body;
    expect(state.sent.map((s: { key: string; version: number }) => [s.key, s.version])).toEqual([
      ['before-27s', 1],
      ['before-8s', 2],
    ]);
    await replayAndRecord(`appointment-${id}`, 'appointment-rescheduled');
  });

  it('cancels: the workflow ends cancelled and sends nothing further; cancelling again answers the same; a new PUT books afresh', async () => {
    const id = uniqueId('appt-cancel');
    const to = phone();
    const t0 = Date.now();
    await put(id, body(t0 + 20_000, to, [{ before: 'PT17S' }, { before: 'PT12S' }], 'booked')).expect(200);
    await waitForMessages(to, 1);
    const cancelled = await del(id).expect(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelledBy: 'ci', nextReminderAt: null });
    expect(cancelled.body.reminders.map((r: { key: string; status: string }) => [r.key, r.status])).toEqual([
      ['before-17s', 'sent'],
      ['before-12s', 'cancelled'],
    ]);
    expect(((await handle(id).result()) as AppointmentState).status).toBe('cancelled');
    const closed = await handle(id).describe();
    expect(closed.typedSearchAttributes.get(RelayStatus)).toBe('cancelled');

    // Past the second reminder's time: still only the first message.
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 8_000 + LATE_MS - Date.now())));
    expect(messagesTo(to)).toHaveLength(1);
    expect(await exists(`notification-${await reminderId(id, 'before-12s', 1)}`)).toBe(false);
    expect((await del(id).expect(200)).body.status).toBe('cancelled');
    expect((await get(id).expect(200)).body.status).toBe('cancelled');
    await replayAndRecord(`appointment-${id}`, 'appointment-cancelled');

    // Booked again under the same id: a new run whose reminders have new ids.
    const rebooked = await put(id, body(Date.now() + 60_000, to, [{ before: 'PT17S' }], 'booked again')).expect(200);
    expect(rebooked.body).toMatchObject({ status: 'scheduled', version: 1 });
    expect((await handle(id).describe()).runId).not.toBe(closed.runId);
    await del(id).expect(200);
  });

  it('applies a cancel that arrives while other events reach the workflow (a dropped update is sent again)', async () => {
    // Closing the workflow in the cancel's task while new events arrive (a reminder's message
    // completing; here, signals) makes the server reject that task and drop the update.
    for (let round = 0; round < 3; round++) {
      const id = uniqueId('appt-busy');
      await put(id, body(Date.now() + 60_000, phone(), [{ before: 'PT30S' }])).expect(200);
      let stop = false;
      const events = (async () => {
        for (let n = 0; n < 40 && !stop; n++) await handle(id).signal('relay-test-event');
      })();
      await new Promise((r) => setTimeout(r, 30));
      const res = await del(id);
      stop = true;
      await events.catch(() => undefined);
      expect([res.status, res.body.status]).toEqual([200, 'cancelled']);
      expect(((await handle(id).result()) as AppointmentState).status).toBe('cancelled');
    }
  });

  it('lets a message being sent finish when the appointment is cancelled meanwhile (the child is abandoned)', async () => {
    const id = uniqueId('appt-midsend');
    const to = phone();
    sim().setFaults({ latencyMs: 2_500 });
    try {
      await put(id, body(Date.now() + 20_000, to, [{ before: 'PT17S' }], 'in flight')).expect(200);
      const state = await waitFor('the reminder to start', async () => {
        const s = (await get(id).expect(200)).body;
        return s.sent.length ? s : undefined;
      });
      const notificationId: string = state.sent[0].notificationId;
      expect(messagesTo(to)).toHaveLength(0);
      await del(id).expect(200);
      expect(((await handle(id).result()) as AppointmentState).status).toBe('cancelled');
      // The child outlives its parent and completes its delivery.
      const outcome = await client().workflow.getHandle(`notification-${notificationId}`).result();
      expect(outcome).toMatchObject({ id: notificationId, status: expect.stringMatching(/^(sent|delivered)$/) });
      expect(messagesTo(to).map((m) => m.body)).toEqual(['in flight']);
    } finally {
      sim().clearFaults();
    }
  });

  it('ends cancelled when cancelled from outside the API (Web UI), without sending', async () => {
    const id = uniqueId('appt-ui');
    const to = phone();
    await put(id, body(Date.now() + 60_000, to, [{ before: 'PT30S' }])).expect(200);
    await handle(id).cancel();
    await expect(handle(id).result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const described = await handle(id).describe();
    expect(described.status.name).toBe('CANCELLED');
    expect(described.typedSearchAttributes.get(RelayStatus)).toBe('cancelled');
    const state = (await get(id).expect(200)).body;
    expect(state).toMatchObject({ status: 'cancelled', reminders: [expect.objectContaining({ status: 'cancelled' })] });
    expect(messagesTo(to)).toHaveLength(0);
  });

  it('moves its channel search attribute when a reschedule changes the channel', async () => {
    const id = uniqueId('appt-chan');
    const to = phone();
    const t0 = Date.now();
    await put(id, body(t0 + 8_000, to, [{ before: 'PT4S' }])).expect(200);
    expect((await handle(id).describe()).typedSearchAttributes.get(RelayChannel)).toBe('sms');
    const template = 'HX0123456789abcdef0123456789abcdef';
    await put(id, { ...body(t0 + 8_000, to, [{ before: 'PT4S' }]), channel: 'whatsapp', body: undefined, template }).expect(200);
    expect((await handle(id).describe()).typedSearchAttributes.get(RelayChannel)).toBe('whatsapp');

    // The reminder goes out on the new channel.
    await waitForMessages(`whatsapp:${to}`, 1);
    expect(messagesTo(to)).toHaveLength(0);
    expect(await handle(id).result()).toMatchObject({ status: 'completed', channel: 'whatsapp' });
    expect((await handle(id).describe()).typedSearchAttributes.get(RelayChannel)).toBe('whatsapp');
    await replayAndRecord(`appointment-${id}`, 'appointment-channel-changed');
  });

  it('continues as new after many changes, keeping its state, search attributes and reminder ids', async () => {
    const id = uniqueId('appt-can');
    const to = phone();
    const ctx = { client: client(), taskQueues: relay().taskQueues, prisma: relay().prisma, policy: relay().notifications.policy, maxChangesPerRun: 3 };
    const firstRun = async () => (await handle(id).describe()).runId;
    const request = (minutes: number) => ({ startsAt: local(Date.now() + minutes * 60_000), timeZone: ZONE, channel: 'sms' as const, recipient: to, body: 'x', reminders: [{ before: 'PT10M' }] });
    await scheduleAppointment(ctx, id, request(60), 'ci');
    const run1 = await firstRun();
    await scheduleAppointment(ctx, id, request(61), 'ci');
    await scheduleAppointment(ctx, id, request(62), 'ci');
    const run2 = await waitFor('continue-as-new', async () => {
      const now = await firstRun();
      return now !== run1 ? now : undefined;
    });
    const state = await scheduleAppointment(ctx, id, request(63), 'ci');
    expect(state).toMatchObject({ version: 4, status: 'scheduled', reminders: [expect.objectContaining({ status: 'pending' })] });
    expect(state.startsAt).toBe(new Date(Date.parse(state.reminders[0]!.sendAt) + 600_000).toISOString());
    const described = await handle(id).describe();
    expect(described.runId).toBe(run2);
    expect(described.typedSearchAttributes.get(RelayEntity)).toBe('appointment');
    expect(described.typedSearchAttributes.get(RelayEntityId)).toBe(id);
    expect((await client().workflow.getHandle(`appointment-${id}`, run1).describe()).status.name).toBe('CONTINUED_AS_NEW');
    await del(id).expect(200);
  });

  it('computes reminder times across a daylight-saving change from the local time and zone', async () => {
    const id = uniqueId('appt-dst');
    // Paris springs forward on 2027-03-28 at 02:00.
    const res = await put(id, { startsAt: '2027-03-29T09:00', timeZone: ZONE, channel: 'whatsapp', recipient: phone(), template: 'HX0123456789abcdef0123456789abcdef', reminders: [{ daysBefore: 1, at: '18:00' }, { before: 'PT48H' }] }).expect(200);
    expect(res.body).toMatchObject({ startsAt: '2027-03-29T07:00:00.000Z', localStartsAt: '2027-03-29T09:00:00+02:00', requestedStartsAt: '2027-03-29T09:00' });
    expect(res.body.reminders).toEqual([
      expect.objectContaining({ key: 'before-48h', sendAt: '2027-03-27T07:00:00.000Z', localSendAt: '2027-03-27T08:00:00+01:00', status: 'pending' }),
      expect.objectContaining({ key: 'day-1-at-18:00', sendAt: '2027-03-28T16:00:00.000Z', localSendAt: '2027-03-28T18:00:00+02:00', status: 'pending' }),
    ]);
    await del(id).expect(200);
  });

  it('refuses bad input (400), unknown appointments (404) and opted-out recipients (422)', async () => {
    const id = uniqueId('appt-bad');
    const valid = body(Date.now() + 3_600_000, phone(), [{ before: 'PT1H' }]);
    const issues = async (b: object) => {
      const res = await put(id, b);
      expect(res.status).toBe(400);
      return (res.body.issues as { path: (string | number)[] }[]).map((i) => i.path.join('.'));
    };
    expect(await issues({ ...valid, reminders: [{ daysBefore: 0, at: '23:59' }] })).toEqual(['reminders.0']);
    expect(await issues({ ...valid, timeZone: 'Europe/Atlantis' })).toEqual(['timeZone']);
    expect(await issues({ ...valid, startsAt: '2027-03-29T09:00+02:00' })).toEqual(['startsAt']);
    expect(await issues({ ...valid, reminders: [] })).toEqual(['reminders']);
    expect(await issues({ ...valid, extra: true })).toEqual(['']);
    expect((await put('not ok!', valid)).status).toBe(400);
    await get(id).expect(404);
    await del(id).expect(404);
    await api().put(`/v1/appointments/${id}`).send(valid).expect(401);

    const optedOut = phone();
    await api().put('/v1/consents').set('authorization', auth).send({ recipient: optedOut, optedOut: true }).expect(204);
    expect((await put(id, { ...valid, recipient: optedOut })).status).toBe(422);
    expect(await exists(`appointment-${id}`)).toBe(false);

    const doc = (await api().get('/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths['/v1/appointments/{id}'])).toEqual(expect.arrayContaining(['put', 'get', 'delete']));
  });
});
