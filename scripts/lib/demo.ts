import type { Config } from '../../src/config';
import { DEMO_RECIPIENTS, DEMO_REMINDER_TEMPLATE_SID } from '../../src/integrations/twilio/simulator';

/**
 * Demo mode's first activity, so a new user sees Relay work in the Web UI within a minute:
 * a few notifications through the API (delivered SMS, a WhatsApp template read, one
 * refused because the person opted out, one scheduled for later that an operator can
 * cancel). Keys carry the start time, so each `npm start` adds its own set.
 */
export async function seedDemo(config: Config, serviceKey: string): Promise<string[]> {
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
  const ids: string[] = [];
  for (const body of demo) {
    const res = await fetch(`${config.api.publicUrl}/v1/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.ok) ids.push(body.idempotencyKey);
  }
  return ids;
}
