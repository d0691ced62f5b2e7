import { randomInt } from 'node:crypto';
import request from 'supertest';
import { welcomeNotificationId } from '../../src/activities/pms/dispatch';
import { PMS_VENDORS } from '../../src/integrations/pms/registry';
import { bearer } from '../helpers/relay';
import { useTwilioSimulator, waitForNotification } from '../helpers/notifications';
import { addArrival, addProperty, localDay, usePmsRelay } from '../helpers/pms';
import { waitFor } from '../helpers/wait';

/**
 * The three jobs composed, over every registered vendor: the arrivals schedule finds a new
 * arrival, its event starts the property's welcome message through the notifications feature
 * as a workflow of its own, and the Twilio simulator receives it — for guests with a phone and
 * consent (the PMS profile's where the vendor has the field, else Relay's own record) only.
 */
describe.each(PMS_VENDORS.map((v) => [v.key]))('PMS welcome messages: %s', (key) => {
  const twilio = useTwilioSimulator();
  const pms = usePmsRelay({ twilio });
  const api = () => request(pms.relay().app);
  const mobile = () => {
    const digits = String(randomInt(10_000_000, 99_999_999));
    return { national: `06-${digits}`, e164: `+316${digits}` };
  };
  const consent = (recipient: string, optedOut: boolean) => api().put('/v1/consents').set('authorization', bearer('operator')).send({ recipient, optedOut }).expect(204);

  it('sends the property’s welcome message once for a new arrival with consent, and none without consent or after a STOP', async () => {
    const p = await addProperty(pms.relay(), pms.sim(key), {
      name: 'Hotel Welkom',
      property: { welcomeTemplate: 'Welcome {{firstName}} to {{hotel}} on {{arrivalDate}} (booking {{confirmationNumber}})' },
    });
    const [yes, no, stopped] = [mobile(), mobile(), mobile()];
    // Consent where the PMS keeps it; vendors without the field leave it to Relay's record (no STOP: consent).
    const welcomed = await addArrival(p, 1, { firstName: 'Anna', lastName: 'Peters', phone: yes.national, messagingConsent: true });
    const silent = await addArrival(p, 1, { firstName: 'Bert', lastName: 'Bos', phone: no.national, messagingConsent: false });
    const optedOut = await addArrival(p, 0, { firstName: 'Cor', lastName: 'Claes', phone: stopped.national, messagingConsent: true });
    await consent(stopped.e164, true);

    await api().post(`/v1/properties/${p.id}/schedule/trigger`).set('authorization', bearer('operator')).expect(202);
    const id = welcomeNotificationId(p.id, welcomed.reservationVendorId);
    const sent = await waitForNotification(pms.relay(), id, 'delivered', 60_000);
    expect(sent).toMatchObject({ channel: 'sms', recipient: yes.e164, requestedBy: `pms:${p.id}` });
    expect(twilio().messages({ to: yes.e164 }).map((m) => m.body)).toEqual([`Welcome Anna to Hotel Welkom on ${localDay(1)} (booking ${welcomed.confirmationNumber})`]);
    // Its own workflow, not a child of the poll (which has ended by now).
    const described = await pms.relay().env.client.workflow.getHandle(sent.workflowId).describe();
    expect(described.parentExecution).toBeUndefined();

    await waitFor('the poll’s events dispatched', async () => ((await pms.relay().prisma.pmsEvent.count({ where: { propertyId: p.id, dispatchedAt: null } })) === 0 ? true : undefined));
    expect(await pms.relay().prisma.notification.findUnique({ where: { id: welcomeNotificationId(p.id, optedOut.reservationVendorId) } })).toBeNull();
    expect(twilio().messages({ to: stopped.e164 })).toHaveLength(0);
    const pmsConsent = (await pms.relay().prisma.pmsGuest.findUniqueOrThrow({ where: { propertyId_vendorId: { propertyId: p.id, vendorId: silent.guestVendorId } } })).messagingConsent;
    if (pmsConsent === false) {
      expect(await pms.relay().prisma.notification.findUnique({ where: { id: welcomeNotificationId(p.id, silent.reservationVendorId) } })).toBeNull();
      expect(twilio().messages({ to: no.e164 })).toHaveLength(0);
    } else {
      // This vendor keeps no consent: Relay's record has no STOP for the number.
      expect(pmsConsent).toBeNull();
      await waitForNotification(pms.relay(), welcomeNotificationId(p.id, silent.reservationVendorId), 'delivered');
    }

    // Cancelled and booked again: a new arrival event, but the guest is welcomed once.
    await pms.sim(key).control.changeReservation(p.hotel.vendorPropertyId, welcomed.reservationVendorId, { status: 'cancelled' });
    await api().post(`/v1/properties/${p.id}/refresh`).set('authorization', bearer('service')).expect(200);
    await pms.sim(key).control.changeReservation(p.hotel.vendorPropertyId, welcomed.reservationVendorId, { status: 'confirmed' });
    const again = await api().post(`/v1/properties/${p.id}/refresh`).set('authorization', bearer('service')).expect(200);
    expect(again.body.events).toBe(1);
    const types = (await pms.relay().prisma.pmsEvent.findMany({ where: { propertyId: p.id, reservationVendorId: welcomed.reservationVendorId }, orderBy: { id: 'asc' } })).map((e) => e.type);
    expect(types).toEqual(['arrival.new', 'arrival.cancelled', 'arrival.new']);
    expect(twilio().messages({ to: yes.e164 })).toHaveLength(1);
  }, 120_000);
});
