import { markDispatched, pendingEvents, type PendingEvent } from '../../db/pms/events';
import { idPart } from '../../db/pms/references';
import { mayWelcome, welcomeVariables } from '../../domain/pms/welcome';
import { ConflictError, UnprocessableError } from '../../errors';
import type { PmsProperty } from '../../generated/prisma/client';
import { acceptNotification, type NotificationStarterContext } from '../../temporal/starters/notification';
import { notifyWebhookSubscribers } from '../../temporal/starters/webhook';
import type { PmsActivityDeps } from './deps';

/**
 * What follows an arrival event, started by the notifications feature as workflows of their
 * own (a child of the poll would end with it): the subscribers' webhooks (`arrival.*`) and,
 * for a new arrival with a phone number and consent, the property's welcome message — its
 * notification id derived from the reservation, so it is sent once however often it is asked.
 */

/** The notification id of a reservation's welcome message: one per reservation, however often asked. */
export const welcomeNotificationId = (propertyId: string, reservationVendorId: string) => `pms-welcome-${propertyId}-${idPart(reservationVendorId)}`;

export interface DispatchSummary {
  dispatched: number;
  welcomed: number;
}

/** Events per round; a backlog (a notifications outage) drains over a few rounds. */
const BATCH = 200;
const MAX_ROUNDS = 10;

export function createDispatchActivities(deps: PmsActivityDeps) {
  async function welcome(ctx: NotificationStarterContext, property: PmsProperty, event: PendingEvent): Promise<boolean> {
    const guest = event.guest;
    if (event.type !== 'arrival.new' || !property.welcomeTemplate || !guest?.phoneE164) return false;
    if (!mayWelcome({ pms: guest.messagingConsent, relay: event.consent })) return false;
    const p = event.payload as Record<string, string | null>;
    try {
      await acceptNotification(ctx, {
        id: welcomeNotificationId(property.id, event.reservationVendorId),
        channel: property.welcomeChannel as 'sms' | 'whatsapp',
        recipient: guest.phoneE164,
        body: property.welcomeTemplate,
        variables: welcomeVariables({
          firstName: guest.firstName,
          lastName: guest.lastName,
          hotel: property.name,
          arrivalDate: p.arrivalDate ?? '',
          departureDate: p.departureDate ?? '',
          confirmationNumber: p.confirmationNumber ?? '',
          roomNumber: p.roomNumber ?? null,
        }),
        requestedBy: `pms:${property.id}`,
      });
      return true;
    } catch (err) {
      // Opted out meanwhile, or welcomed before with another text (a reinstated booking): not again.
      if (err instanceof UnprocessableError || err instanceof ConflictError) {
        deps.logger.info({ propertyId: property.id, eventId: event.id, reason: err.message }, 'no welcome message for this arrival');
        return false;
      }
      throw err;
    }
  }

  return {
    async pmsDispatchEvents(input: { propertyId: string }): Promise<DispatchSummary> {
      const summary: DispatchSummary = { dispatched: 0, welcomed: 0 };
      const property = await deps.prisma.pmsProperty.findUnique({ where: { id: input.propertyId } });
      const ctx = deps.notifications();
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const events = await pendingEvents(deps.prisma, input.propertyId, BATCH);
        for (const event of events) {
          if (ctx && property && !property.deletedAt) {
            await notifyWebhookSubscribers(ctx, { event: event.type, key: `pms-event-${event.id}`, payload: event.payload, requestedBy: 'pms' });
            if (await welcome(ctx, property, event)) summary.welcomed++;
          }
          await markDispatched(deps.prisma, [event.id]);
          summary.dispatched++;
        }
        if (events.length < BATCH) break;
      }
      return summary;
    },
  };
}

export type PmsDispatchActivities = ReturnType<typeof createDispatchActivities>;
