import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { recordConsent } from '../../src/db/notifications/consent';
import { computeTwilioSignature } from '../../src/integrations/twilio/signature';
import { bearer, uniqueId, useRelay } from '../helpers/relay';
import { useTwilioSimulator, waitForNotification } from '../helpers/notifications';

describe('consent: every change audited, a recipient opt-out lifted only by them or an operator', () => {
  const sim = useTwilioSimulator();
  const relay = useRelay({ twilio: sim });
  const api = () => request(relay().app);
  const phone = () => `+3367${Math.floor(1e6 + Math.random() * 9e6)}`;
  const sid = () => `SM${randomBytes(16).toString('hex')}`;

  const putConsent = (role: 'service' | 'operator', recipient: string, optedOut: boolean, requestId?: string) => {
    const req = api().put('/v1/consents').set('authorization', bearer(role));
    if (requestId) req.set('x-request-id', requestId);
    return req.send({ recipient, optedOut });
  };

  /** A message the recipient texts to one of our numbers, signed as Twilio signs it. */
  function inbound(from: string, body: string, messageSid = sid()) {
    const params = { MessageSid: messageSid, AccountSid: sim().accountSid, From: from, To: '+33757000001', Body: body, NumMedia: '0' };
    const url = `${relay().notifications.callbackBaseUrl}/v1/webhooks/twilio/inbound`;
    return api().post('/v1/webhooks/twilio/inbound').type('form').set('x-twilio-signature', computeTwilioSignature(sim().authToken, url, params)).send(params);
  }

  function statusCallback(notificationId: string, params: Record<string, string>) {
    const url = `${relay().notifications.callbackBaseUrl}/v1/webhooks/twilio/status?notification=${notificationId}`;
    return api()
      .post(`/v1/webhooks/twilio/status?notification=${notificationId}`)
      .type('form')
      .set('x-twilio-signature', computeTwilioSignature(sim().authToken, url, params))
      .send(params);
  }

  const consentOf = (recipient: string) => relay().prisma.recipientConsent.findUnique({ where: { recipient } });
  const auditOf = (recipient: string) => relay().prisma.auditLog.findMany({ where: { entity: 'recipient_consent', entityId: recipient }, orderBy: { id: 'asc' } });
  const summary = (rows: Awaited<ReturnType<typeof auditOf>>) =>
    rows.map((r) => ({ actor: r.actor, action: r.action, source: (r.after as { source: string }).source }));

  it('audits an opt-out and an opt-in by a service key with the key, the source and the request; a repeat writes nothing', async () => {
    const to = phone();
    const requestId = uniqueId('consent-req');
    await putConsent('service', to, true, requestId).expect(204);
    await putConsent('service', to, true).expect(204);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'api:ci' });
    await putConsent('service', to, false).expect(204);
    expect(await consentOf(to)).toMatchObject({ optedOut: false, source: 'api:ci' });

    const rows = await auditOf(to);
    expect(summary(rows)).toEqual([
      { actor: 'ci', action: 'consent.opted_out', source: 'api:ci' },
      { actor: 'ci', action: 'consent.opted_in', source: 'api:ci' },
    ]);
    expect(rows[0]).toMatchObject({ correlationId: requestId, before: { optedOut: false, source: null }, after: { optedOut: true, source: 'api:ci' } });
    expect(rows[1]!.before).toEqual({ optedOut: true, source: 'api:ci' });
  });

  it('records an inbound STOP as twilio-inbound; Twilio retrying the same message changes and audits nothing twice', async () => {
    const to = phone();
    const stop = sid();
    expect((await inbound(`whatsapp:${to}`, ' stop ', stop)).status).toBe(200);
    expect((await inbound(`whatsapp:${to}`, 'STOP', stop)).status).toBe(200);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'inbound-stop' });
    const rows = await auditOf(to);
    expect(summary(rows)).toEqual([{ actor: 'twilio-inbound', action: 'consent.opted_out', source: 'inbound-stop' }]);
    expect(rows[0]!.idempotencyKey).toBe(`consent:inbound:${stop}`);
  });

  it('refuses a service key opting in a number that replied STOP (403 with the reason); an operator may', async () => {
    const to = phone();
    await inbound(to, 'STOP').expect(200);
    // A service key's opt-out over it changes nothing, so it cannot turn the STOP into its own.
    await putConsent('service', to, true).expect(204);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'inbound-stop' });

    const refused = await putConsent('service', to, false);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'forbidden', reason: 'recipient_opted_out', source: 'inbound-stop' });
    expect(refused.body.message).toMatch(/opted out by replying STOP; only the recipient \(START\) or the operator role can opt it in again/);
    expect(refused.body.message).not.toContain(to);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'inbound-stop' });

    await putConsent('operator', to, false).expect(204);
    expect(await consentOf(to)).toMatchObject({ optedOut: false, source: 'api:alice' });
    expect(summary(await auditOf(to))).toEqual([
      { actor: 'twilio-inbound', action: 'consent.opted_out', source: 'inbound-stop' },
      { actor: 'alice', action: 'consent.opted_in', source: 'api:alice' },
    ]);
  });

  it("lifts a STOP on the recipient's own START; a late retry of the STOP does not undo it", async () => {
    const to = phone();
    const stop = sid();
    await inbound(to, 'STOP', stop).expect(200);
    await inbound(`whatsapp:${to}`, 'start').expect(200);
    expect(await consentOf(to)).toMatchObject({ optedOut: false, source: 'inbound-start' });
    await inbound(to, 'STOP', stop).expect(200);
    expect(await consentOf(to)).toMatchObject({ optedOut: false, source: 'inbound-start' });
    expect(summary(await auditOf(to))).toEqual([
      { actor: 'twilio-inbound', action: 'consent.opted_out', source: 'inbound-stop' },
      { actor: 'twilio-inbound', action: 'consent.opted_in', source: 'inbound-start' },
    ]);
  });

  it('lets an opt-out the recipient makes replace one a service key recorded', async () => {
    const to = phone();
    await putConsent('service', to, true).expect(204);
    await inbound(to, 'STOP').expect(200);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'inbound-stop' });
    expect((await putConsent('service', to, false)).status).toBe(403);
    const rows = await auditOf(to);
    expect(summary(rows)).toEqual([
      { actor: 'ci', action: 'consent.opted_out', source: 'api:ci' },
      { actor: 'twilio-inbound', action: 'consent.opted_out', source: 'inbound-stop' },
    ]);
    expect(rows[1]!.before).toEqual({ optedOut: true, source: 'api:ci' });
  });

  it('records a 21610 in a status callback, audited with the notification once however often Twilio posts it', async () => {
    const to = phone();
    const notificationId = uniqueId('cb-21610');
    const messageSid = sid();
    const params = { MessageSid: messageSid, MessageStatus: 'failed', ErrorCode: '21610', AccountSid: sim().accountSid, From: '+33757000001', To: to };
    expect((await statusCallback(notificationId, params)).status).toBe(204);
    expect((await statusCallback(notificationId, params)).status).toBe(204);
    expect(await consentOf(to)).toMatchObject({ optedOut: true, source: 'twilio-21610' });
    const rows = await auditOf(to);
    expect(summary(rows)).toEqual([{ actor: `notification:${notificationId}`, action: 'consent.opted_out', source: 'twilio-21610' }]);
    expect(rows[0]!.idempotencyKey).toBe(`consent:twilio-21610:${messageSid}`);

    const refused = await putConsent('service', to, false);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/opted out at Twilio \(error 21610/);
  });

  it('records and audits a 21610 the send path meets, and a service key cannot lift it', async () => {
    const to = phone();
    sim().optOut(to);
    const key = uniqueId('send-21610');
    await api().post('/v1/notifications').set('authorization', bearer('service')).send({ idempotencyKey: key, channel: 'sms', recipient: to, body: 'to a STOP' }).expect(202);
    expect(await waitForNotification(relay(), key, 'failed')).toMatchObject({ errorCode: 'RecipientOptedOut' });
    const rows = await auditOf(to);
    expect(summary(rows)).toEqual([{ actor: `notification:${key}`, action: 'consent.opted_out', source: 'twilio-21610' }]);
    expect((await putConsent('service', to, false)).status).toBe(403);
  });

  it('keeps the default actor of a caller that names none (the source)', async () => {
    const to = phone();
    expect(await recordConsent(relay().prisma, to, true, 'twilio-21610')).toEqual({ changed: true, optedOut: true });
    expect(await recordConsent(relay().prisma, to, true, 'twilio-21610')).toEqual({ changed: false, optedOut: true });
    expect(summary(await auditOf(to))).toEqual([{ actor: 'twilio-21610', action: 'consent.opted_out', source: 'twilio-21610' }]);
  });

  it('serialises concurrent changes of one number: the audit rows form one unbroken chain ending in the stored state', async () => {
    const to = phone();
    const requests = Array.from({ length: 24 }, (_, i) => putConsent(i % 3 === 0 ? 'operator' : 'service', to, i % 2 === 0));
    const inbounds = Array.from({ length: 4 }, (_, i) => inbound(to, i % 2 === 0 ? 'STOP' : 'START'));
    const answers = await Promise.all([...requests, ...inbounds]);
    // 403s are service keys' opt-ins that met a STOP: refused, not written.
    for (const a of answers) expect([200, 204, 403]).toContain(a.status);

    const rows = await auditOf(to);
    expect(rows.length).toBeGreaterThan(0);
    let state: unknown = { optedOut: false, source: null };
    for (const row of rows) {
      expect(row.before).toEqual(state);
      state = row.after;
    }
    const stored = await consentOf(to);
    expect(state).toEqual({ optedOut: stored!.optedOut, source: stored!.source });
  });
});
