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
});
