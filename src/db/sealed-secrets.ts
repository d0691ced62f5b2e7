import type { EncryptionKey } from '../config';
import { createKeyRing, open, seal } from '../crypto/aes-gcm';

/**
 * Secrets Relay must read back to use (a webhook endpoint's signing secret: HMAC needs the
 * secret itself, so it cannot be hashed) are stored sealed under Relay's encryption keys
 * (src/crypto/aes-gcm.ts, as Temporal payloads are), bound to the row they belong to, so a
 * database dump or a backup does not carry them in clear and a sealed value copied onto
 * another row does not open. Keys rotate as payload keys do.
 *
 * Stored form: `sealed:v1:<keyId>:<base64url(iv | ciphertext | tag)>`.
 */
const PREFIX = 'sealed:v1:';

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
  const ring = createKeyRing(keys);
  return {
    seal(secret, context) {
      const sealed = seal(ring.current.key, Buffer.from(secret, 'utf8'), Buffer.from(context));
      return `${PREFIX}${ring.current.id}:${sealed.toString('base64url')}`;
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      // Neither key ids (the configuration splits on ':') nor base64url hold a ':'.
      const [keyId = '', data = ''] = stored.slice(PREFIX.length).split(':');
      const key = ring.byId.get(keyId);
      if (!key) throw new SecretKeyMissingError(keyId);
      return open(key, Buffer.from(data, 'base64url'), Buffer.from(context)).toString('utf8');
    },
  };
}

/** The context a webhook endpoint's secret is sealed for. */
export const webhookSecretContext = (endpointId: string) => `webhook_endpoint:${endpointId}`;
