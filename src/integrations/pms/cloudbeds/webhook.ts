/**
 * Cloudbeds' webhooks (subscribed per property with `postWebhook`: object, action, endpointUrl).
 * Cloudbeds signs nothing, so Relay subscribes an address that carries its own secret:
 * `<public url>/v1/webhooks/cloudbeds?token=<PMS_CLOUDBEDS_WEBHOOK_TOKEN>`, and checks it here.
 * A delivery names one event (`reservation/status_changed`, `reservation/created`, ...) and the
 * record's id: a hint to refresh that reservation or guest; the poll stays the reconciliation.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PmsPushHint, PmsWebhookDefinition } from '../vendor';
import type { CloudbedsSettings } from './settings';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function authenticateCloudbedsWebhook(query: Record<string, unknown>, settings: Pick<CloudbedsSettings, 'webhookToken'>): boolean {
  const expected = settings.webhookToken;
  const given = query.token;
  if (!expected || typeof given !== 'string' || given === '') return false;
  // Equal-length digests: neither the length nor a prefix of the secret leaks through timing.
  return timingSafeEqual(digest(given), digest(expected));
}

const id = z.union([z.string().min(1), z.number()]).transform(String);

const delivery = z
  .object({
    event: z.string().regex(/^[a-z_]+\/[a-z_]+$/, 'event is object/action'),
    propertyID: id.optional(),
    propertyID_str: z.string().min(1).optional(),
    propertyId: id.optional(),
    reservationID: id.optional(),
    reservationId: id.optional(),
    guestID: id.optional(),
    guestId: id.optional(),
  })
  .passthrough();

/** The reservation or guest a delivery names; other objects (rooms, transactions) are ignored. Throws on a body Cloudbeds does not send. */
export function parseCloudbedsWebhook(payload: unknown): PmsPushHint[] {
  const parsed = delivery.safeParse(payload);
  if (!parsed.success) throw new Error(`not a Cloudbeds webhook body: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const body = parsed.data;
  const property = body.propertyID_str ?? body.propertyID ?? body.propertyId;
  if (property === undefined) throw new Error('not a Cloudbeds webhook body: propertyID is missing');
  const object = body.event.split('/')[0];
  const reservation = body.reservationID ?? body.reservationId;
  const guest = body.guestID ?? body.guestId;
  if (object === 'reservation' && reservation !== undefined) return [{ vendorPropertyId: property, reservationVendorIds: [reservation], guestVendorIds: [] }];
  if (object === 'guest' && guest !== undefined) return [{ vendorPropertyId: property, reservationVendorIds: reservation === undefined ? [] : [reservation], guestVendorIds: [guest] }];
  return [];
}

export const cloudbedsWebhook: PmsWebhookDefinition<CloudbedsSettings> = {
  authenticate: (request, settings) => authenticateCloudbedsWebhook(request.query, settings),
  parse: parseCloudbedsWebhook,
};
