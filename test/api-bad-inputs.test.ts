import { DateTime } from 'luxon';
import request from 'supertest';
import { bearer, uniqueId, useRelay } from './helpers/relay';

/**
 * Inputs a new user sent that Relay answered wrongly (200 from the first page, 500, an
 * appointment completed at once): each is a 4xx whose message names the field and the rule.
 */
describe('API: bad inputs answered 4xx, naming the problem', () => {
  const relay = useRelay({ withWorker: false });
  const api = () => request(relay().app);
  const auth = bearer('service');
  const issuesOf = (res: request.Response) => res.body.issues as { path: (string | number)[]; message: string }[];
  /** A Dutch mobile number, written as a guest profile would hold it. */
  const dutchMobile = () => `06-1${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const e164Of = (national: string) => `+31${national.replace(/\D/g, '').slice(1)}`;

  describe('list cursors', () => {
    it('answers 400 naming the cursor for one that is not a nextCursor, instead of the first page', async () => {
      for (const cursor of ['%00%ff', 'not-a-cursor', Buffer.from('hello|world').toString('base64url'), `${Buffer.from('2026-01-01T00:00:00.000Z|n-1').toString('base64url')}=`]) {
        const res = await api().get(`/v1/notifications?cursor=${cursor}`).set('authorization', auth);
        expect({ cursor, status: res.status }).toEqual({ cursor, status: 400 });
        expect(res.body.error).toBe('invalid_request');
        expect(res.body.message).toMatch(/^Invalid request query: cursor: is not a cursor of this list/);
        expect(issuesOf(res)[0]!.path).toEqual(['cursor']);
      }
    });

    it('still pages with the nextCursor it gave', async () => {
      for (let i = 0; i < 2; i++) {
        await api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: uniqueId('page'), channel: 'sms', recipient: '+33612000042', body: 'x' }).expect(202);
      }
      const first = await api().get('/v1/notifications?limit=1').set('authorization', auth).expect(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api().get(`/v1/notifications?limit=1&cursor=${first.body.nextCursor}`).set('authorization', auth).expect(200);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    });
  });

  describe('free-form JSON (webhook payloads, template variables)', () => {
    const webhook = (payload: unknown, recipient = 'ep-none') => ({ idempotencyKey: uniqueId('wh'), channel: 'webhook', recipient, event: 'test.nested', payload });
    const nested = (depth: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 1; i < depth; i++) value = { next: value };
      return { next: value };
    };
    const postRaw = (json: string) => api().post('/v1/notifications').set('authorization', auth).set('content-type', 'application/json').send(json);

    it('answers 400, not 500, for a payload nested 100 000 deep in under 1 MB: arrays and objects', async () => {
      const head = '{"idempotencyKey":"deep-1","channel":"webhook","recipient":"ep-none","event":"test.nested","payload":{"deep":';
      const arrays = `${head}${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
      const objects = `${head}${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`;
      for (const body of [arrays, objects]) {
        expect(body.length).toBeLessThan(1024 * 1024);
        const res = await postRaw(body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Invalid request body: payload: nests deeper than 64 levels, the limit for a request body');
        expect(issuesOf(res)[0]!.path).toEqual(['payload']);
      }
      // The API still answers.
      await api().get('/v1/notifications?limit=1').set('authorization', auth).expect(200);
    });

    it('takes a payload up to 32 levels deep and refuses one level more, naming the field and the limit', async () => {
      const endpoint = await api().post('/v1/webhook-endpoints').set('authorization', auth).send({ url: 'http://127.0.0.1:9/hooks/nested', events: ['test.*'] }).expect(201);
      await api().post('/v1/notifications').set('authorization', auth).send(webhook(nested(32), endpoint.body.id)).expect(202);
      const res = await api().post('/v1/notifications').set('authorization', auth).send(webhook(nested(33), endpoint.body.id));
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Invalid request body: payload: nests deeper than 32 levels, the limit');
      expect(issuesOf(res)).toEqual([expect.objectContaining({ path: ['payload'], params: { maxDepth: 32, maxBytes: 65_536 } })]);
    });

    it('refuses a payload or variables over 64 KiB as JSON', async () => {
      const big = await api().post('/v1/notifications').set('authorization', auth).send(webhook({ text: 'x'.repeat(70_000) }));
      expect(big.status).toBe(400);
      expect(issuesOf(big)).toEqual([expect.objectContaining({ path: ['payload'], message: expect.stringMatching(/^is 70\d{3} bytes as JSON; the limit is 65536 bytes \(64 KiB\)$/) })]);

      const variables = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`v${i}`, 'x'.repeat(1_000)]));
      const sms = await api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: uniqueId('vars'), channel: 'sms', recipient: '+33612000042', body: '{{v0}}', variables });
      expect(sms.status).toBe(400);
      expect(issuesOf(sms)).toEqual([expect.objectContaining({ path: ['variables'], message: expect.stringContaining('64 KiB') })]);
    });
  });

  describe('appointments', () => {
    const ZONE = 'Europe/Paris';
    const local = (epochMs: number) => DateTime.fromMillis(epochMs, { zone: ZONE }).toFormat("yyyy-LL-dd'T'HH:mm");
    const appointment = (startsAt: number, timeZone = ZONE) => ({ startsAt: local(startsAt), timeZone, channel: 'sms', recipient: '+33612000042', body: 'See you', reminders: [{ before: 'PT1H' }] });
    const exists = async (workflowId: string) =>
      relay()
        .env.client.workflow.getHandle(workflowId)
        .describe()
        .then(
          () => true,
          () => false,
        );

    it('answers 400 on startsAt for an appointment that has already begun, and starts nothing', async () => {
      const id = uniqueId('appt-past');
      const res = await api().put(`/v1/appointments/${id}`).set('authorization', auth).send(appointment(Date.now() - 3_600_000));
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Invalid request body: startsAt: is in the past \(.+\+0[12]:00\); an appointment must start in the future$/);
      expect(issuesOf(res).map((i) => i.path)).toEqual([['startsAt']]);
      expect(await exists(`appointment-${id}`)).toBe(false);
    });

    it('answers 400 on timeZone for a fixed-offset zone such as Etc/GMT+5', async () => {
      const res = await api().put(`/v1/appointments/${uniqueId('appt-etc')}`).set('authorization', auth).send(appointment(Date.now() + 86_400_000, 'Etc/GMT+5'));
      expect(res.status).toBe(400);
      expect(issuesOf(res)).toEqual([expect.objectContaining({ path: ['timeZone'], message: expect.stringContaining('fixed offsets such as Etc/GMT+5') })]);
    });
  });

  describe('phone numbers', () => {
    it('accepts a recipient in national format (PHONE_DEFAULT_REGION, NL) and stores it as E.164', async () => {
      const national = dutchMobile();
      const id = uniqueId('national');
      await api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: id, channel: 'sms', recipient: national, body: 'Welkom' }).expect(202);
      expect((await relay().prisma.notification.findUniqueOrThrow({ where: { id } })).recipient).toBe(e164Of(national));

      const card = `+31 (0)${national.slice(1).replace('-', ' ')}`;
      const wa = uniqueId('national-wa');
      await api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: wa, channel: 'whatsapp', recipient: card, body: 'Welkom' }).expect(202);
      expect((await relay().prisma.notification.findUniqueOrThrow({ where: { id: wa } })).recipient).toBe(e164Of(national));
    });

    it('stores consents and dossier subscribers under the E.164 number too', async () => {
      const national = dutchMobile();
      await api().put('/v1/consents').set('authorization', auth).send({ recipient: national, optedOut: true }).expect(204);
      expect(await relay().prisma.recipientConsent.findUnique({ where: { recipient: e164Of(national) } })).toMatchObject({ optedOut: true });
      // The opt-out holds however the number is written next time.
      const res = await api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: uniqueId('opted'), channel: 'sms', recipient: e164Of(national), body: 'x' });
      expect(res.status).toBe(422);

      const dossier = uniqueId('D');
      await api().put(`/v1/dossiers/${dossier}`).set('authorization', auth).send({ status: 'open' }).expect(201);
      const other = dutchMobile();
      await api().put(`/v1/dossiers/${dossier}/subscribers`).set('authorization', auth).send({ subscribers: [{ channel: 'sms', recipient: other }] }).expect(200);
      expect((await relay().prisma.dossierSubscriber.findMany({ where: { dossierId: dossier } })).map((s) => s.recipient)).toEqual([e164Of(other)]);
    });

    it('answers 400 naming the recipient and what is wrong with it', async () => {
      const send = (recipient: string) => api().post('/v1/notifications').set('authorization', auth).send({ idempotencyKey: uniqueId('bad'), channel: 'sms', recipient, body: 'x' });
      const cases: [string, RegExp][] = [
        ['06-12', /too short/],
        ['+3361234567890123', /too long/],
        ['call me', /without letters/],
        ['whatsapp:+31612345678', /bare number/],
        ['+999 1234567', /no country code/],
      ];
      for (const [recipient, problem] of cases) {
        const res = await send(recipient);
        expect({ recipient, status: res.status }).toEqual({ recipient, status: 400 });
        expect(res.body.message).toMatch(/^Invalid request body: recipient: /);
        expect(issuesOf(res)).toEqual([expect.objectContaining({ path: ['recipient'], message: expect.stringMatching(problem) })]);
      }
    });
  });
});
