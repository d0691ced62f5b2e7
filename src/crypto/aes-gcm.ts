import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config';

/**
 * AES-256-GCM under Relay's encryption keys (PAYLOAD_ENCRYPTION_KEYS), shared by the payload
 * codec and the sealed secrets in PostgreSQL. Layout: iv | ciphertext | auth tag. Optional
 * associated data binds a ciphertext to where it belongs (it must match to open).
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface KeyRing {
  /** The first configured key: it encrypts. */
  current: { id: string; key: KeyObject };
  /** Every configured key by id: any of them decrypts, so keys rotate. */
  byId: ReadonlyMap<string, KeyObject>;
}

/** KeyObjects made once: building one from raw bytes on every call is a measurable cost. */
export function createKeyRing(keys: readonly EncryptionKey[]): KeyRing {
  const [first] = keys;
  if (!first) throw new Error('encryption needs at least one key');
  const byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
  return { current: { id: first.id, key: byId.get(first.id)! }, byId };
}

export function seal(key: KeyObject, plain: Uint8Array, associatedData?: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (associatedData) cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Throws on a truncated, tampered or foreign ciphertext (or other associated data). */
export function open(key: KeyObject, sealed: Uint8Array, associatedData?: Uint8Array): Buffer {
  const buf = Buffer.from(sealed);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new Error('the ciphertext is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  if (associatedData) decipher.setAAD(associatedData);
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}
