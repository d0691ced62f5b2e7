import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config';

/**
 * Secrets Relay must read back to use (a webhook endpoint's signing secret: HMAC needs the
 * secret itself, so it cannot be hashed) are stored sealed: AES-256-GCM under Relay's
 * encryption keys (PAYLOAD_ENCRYPTION_KEYS, as Temporal payloads), bound to the row they
 * belong to, so a database dump or a backup does not carry them in clear and a sealed value
 * copied onto another row does not open. The first key seals; any configured key opens, so
 * keys rotate as payload keys do.
 *
 * Stored form: `sealed:v1:<keyId>:<iv>:<ciphertext+tag>` (base64url).
 */
const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretKeyMissingError extends Error {
  constructor(readonly keyId: string) {
    super(`the secret is sealed with encryption key ${JSON.stringify(keyId.slice(0, 40))}, which is not configured`);
    this.name = 'SecretKeyMissingError';
  }
}

export interface SecretSealer {
  /** Seals `secret` for the row named by `context` (e.g. `webhook_endpoint:ep-…`). */
  seal(secret: string, context: string): string;
  /** Opens what `seal` stored for the same `context`; a value stored before sealing existed comes back as it is. */
  open(stored: string, context: string): string;
}

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

export function createSecretSealer(keys: readonly EncryptionKey[]): SecretSealer {
  const [first] = keys;
  if (!first) throw new Error('sealing secrets needs at least one encryption key');
  if (keys.some((k) => k.id.includes(':'))) throw new Error('encryption key ids must not contain ":"');
  const byId = new Map<string, KeyObject>(keys.map((k) => [k.id, createSecretKey(k.key)]));
  const current = byId.get(first.id)!;

  return {
    seal(secret, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv).setAAD(Buffer.from(context));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${first.id}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      const [keyId = '', ivText = '', sealedText = ''] = stored.slice(PREFIX.length).split(':');
      const key = byId.get(keyId);
      if (!key) throw new SecretKeyMissingError(keyId);
      const sealed = Buffer.from(sealedText, 'base64url');
      if (sealed.length < TAG_BYTES) throw new Error('a sealed secret is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** The context a webhook endpoint's secret is sealed for. */
export const webhookSecretContext = (endpointId: string) => `webhook_endpoint:${endpointId}`;
