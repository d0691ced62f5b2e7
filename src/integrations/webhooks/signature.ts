import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks v1 signatures: `webhook-id` is the notification id (the same on every
 * attempt and replay, so receivers de-duplicate), `webhook-timestamp` the second of this
 * attempt, `webhook-signature` an HMAC-SHA256 of `id.timestamp.body`.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 32 random bytes (the scheme asks for 24 to 64). */
export const newWebhookSecret = () => `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;

/** `v1,<base64 HMAC-SHA256>` of exactly the bytes sent. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
