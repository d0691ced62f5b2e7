import { DEMO_RECIPIENTS, DEMO_REMINDER_TEMPLATE_SID } from '../../integrations/twilio/simulator/demo-data';
import type { ApiCall } from '../module';

/**
 * Demo mode's first activity, so a new user sees Relay work in the Web UI within a minute:
 * a few notifications through the API (delivered SMS, a WhatsApp template read, one
 * refused because the person opted out, one scheduled for later that an operator can
 * cancel), an appointment whose reminders fire in the next minutes, and a dossier whose
 * status change notifies its subscriber. Keys carry the start time, so each `npm start`
 * adds its own set.
 */
export async function seedNotificationsDemo(call: ApiCall): Promise<string[]> {
  const run = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const later = new Date(Date.now() + 10 * 60_000).toISOString();
  const demo = [
    { idempotencyKey: `demo-${run}-sms`, channel: 'sms', recipient: DEMO_RECIPIENTS.reachable[0], body: 'Hi {{name}}, your viewing is confirmed.', variables: { name: 'Ana' } },
    {
      idempotencyKey: `demo-${run}-whatsapp`,
      channel: 'whatsapp',
      recipient: DEMO_RECIPIENTS.reachable[2].replace('whatsapp:', ''),
      template: DEMO_REMINDER_TEMPLATE_SID,
      variables: { '1': 'Monday 3 March', '2': '10:30' },
    },
    { idempotencyKey: `demo-${run}-opted-out`, channel: 'sms', recipient: DEMO_RECIPIENTS.optedOut[0], body: 'To someone who replied STOP.' },
    { idempotencyKey: `demo-${run}-later`, channel: 'sms', recipient: DEMO_RECIPIENTS.reachable[1], body: 'Sent in ten minutes, unless cancelled.', sendAt: later },
  ];
  const done: string[] = [];
  for (const body of demo) if (await call('POST', '/v1/notifications', body)) done.push(`notification ${body.idempotencyKey}`);

  // Reminders 2 and 1 minutes before an appointment 4 minutes from now (UTC wall clock).
  const startsAt = new Date(Date.now() + 4 * 60_000).toISOString().slice(0, 16);
  const appointment = {
    startsAt,
    timeZone: 'UTC',
    channel: 'sms',
    recipient: DEMO_RECIPIENTS.reachable[0],
    body: 'Reminder: your viewing starts at {{time}} (UTC).',
    variables: { time: startsAt.slice(11) },
    reminders: [{ beforeMinutes: 2 }, { beforeMinutes: 1 }],
  };
  if (await call('PUT', `/v1/appointments/demo-${run}`, appointment)) done.push(`appointment demo-${run}`);

  const dossier = `demo-${run}`;
  if (
    (await call('PUT', `/v1/dossiers/${dossier}`, { status: 'submitted' })) &&
    (await call('PUT', `/v1/dossiers/${dossier}/subscribers`, { subscribers: [{ channel: 'sms', recipient: DEMO_RECIPIENTS.reachable[1] }] })) &&
    (await call('POST', `/v1/dossiers/${dossier}/status`, { status: 'approved', changeId: `${dossier}-approved` }))
  ) {
    done.push(`dossier ${dossier}`);
  }
  return done;
}
