/**
 * Mews' General webhook (events/wh-general.md, wh-faq.md). Mews signs nothing: it appends the
 * secret token Relay chose to the webhook URL as a query parameter (`Token` in Mews' own
 * picture; `token` accepted too). The body names changed entities only, so a push is a hint
 * to refresh them; the poll stays the reconciliation.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PmsPushHint, PmsWebhookDefinition } from '../vendor';
import type { MewsSettings } from './settings';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time comparison of the token in the URL with the configured one. */
export function authenticateMewsWebhook(query: Record<string, unknown>, settings: Pick<MewsSettings, 'webhookToken'>): boolean {
  const expected = settings.webhookToken;
  if (!expected) return false;
  const given = query.token ?? query.Token;
  if (typeof given !== 'string' || given === '') return false;
  // Equal-length digests: neither the length nor a prefix of the secret leaks through timing.
  return timingSafeEqual(digest(given), digest(expected));
}

const event = z.object({ Discriminator: z.string().min(1), Value: z.unknown() });
const body = z.object({ EnterpriseId: z.string().min(1), IntegrationId: z.string().min(1), Events: z.array(event) });
const entity = z.object({ Id: z.string().min(1) });

const RESERVATION_EVENTS = new Set(['ServiceOrderUpdated']);
const CUSTOMER_EVENTS = new Set(['CustomerAdded', 'CustomerUpdated']);

/** The reservations and customers a push names; other events (resources, payments, messages) are ignored. Throws on a body Mews does not send. */
export function parseMewsWebhook(payload: unknown): PmsPushHint[] {
  const parsed = body.safeParse(payload);
  if (!parsed.success) throw new Error(`not a Mews General webhook body: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  const reservations = new Set<string>();
  const guests = new Set<string>();
  parsed.data.Events.forEach((e, i) => {
    const target = RESERVATION_EVENTS.has(e.Discriminator) ? reservations : CUSTOMER_EVENTS.has(e.Discriminator) ? guests : null;
    if (target === null) return;
    const value = entity.safeParse(e.Value);
    if (!value.success) throw new Error(`not a Mews General webhook body: Events.${i}.Value.Id is missing`);
    target.add(value.data.Id);
  });
  if (reservations.size === 0 && guests.size === 0) return [];
  return [{ vendorPropertyId: parsed.data.EnterpriseId, reservationVendorIds: [...reservations], guestVendorIds: [...guests] }];
}

export const mewsWebhook: PmsWebhookDefinition<MewsSettings> = {
  authenticate: (request, settings) => authenticateMewsWebhook(request.query, settings),
  parse: parseMewsWebhook,
};
