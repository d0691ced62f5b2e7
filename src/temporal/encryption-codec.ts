import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from '../config';
import { unencryptedPayloadMarker } from '../domain/unencrypted-payload';

/**
 * Encrypts every payload (workflow inputs, results, signals, activity arguments) with
 * AES-256-GCM before it reaches the Temporal server, so guest and customer data is
 * ciphertext in Temporal's history. The key id travels in the metadata: rotating keys
 * means adding a new first key and keeping old ones until their histories expire.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncryptionCodecOptions {
  /**
   * Strict mode (the worker's codec): a payload that is not encrypted with a configured key
   * (plaintext, an unknown key id, ciphertext that fails authentication) decodes to an
   * `UnencryptedPayloadMarker` instead of passing through or throwing. Throwing would fail
   * the workflow task, which Temporal retries for ever, so a forged signal could wedge a live
   * workflow; the workflow interceptors refuse the marker instead. Tampered ciphertext is
   * treated the same way: it is an attack or corruption, and must not wedge a workflow either.
   * Off: plaintext passes through (the codec endpoint shows whole histories) and a payload
   * that cannot be decrypted throws.
   */
  strict?: boolean;
}

export class EncryptionCodec implements PayloadCodec {
  // KeyObjects made once: building one from raw bytes on every payload is a measurable cost.
  private readonly byId: Map<string, KeyObject>;
  private readonly current: { id: string; key: KeyObject };
  private readonly strict: boolean;

  constructor(keys: EncryptionKey[], options: EncryptionCodecOptions = {}) {
    const [first] = keys;
    if (!first) throw new ValueError('EncryptionCodec needs at least one key');
    this.byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
    this.current = { id: first.id, key: createSecretKey(first.key) };
    this.strict = options.strict ?? false;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(this.current.id),
      },
      data: this.encrypt(temporal.api.common.v1.Payload.encode(payload).finish()),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) {
      return this.strict ? refused('not encrypted') : payload;
    }
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    const keyId = keyIdBytes ? decoder.decode(keyIdBytes) : '';
    const key = this.byId.get(keyId);
    if (!key) {
      // The key id is not secret; cut it short, as anyone can write it.
      const message = `No payload encryption key with id ${JSON.stringify(keyId.slice(0, 40))} is configured`;
      if (this.strict) return refused(message);
      throw new ValueError(message);
    }
    try {
      if (!payload.data) throw new ValueError('Encrypted payload has no data');
      return temporal.api.common.v1.Payload.decode(decrypt(key, payload.data));
    } catch (err) {
      if (this.strict) return refused(`cannot be decrypted with key ${JSON.stringify(keyId)} (tampered or corrupt)`);
      throw err;
    }
  }

  private encrypt(plain: Uint8Array): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    // Layout: iv | ciphertext | auth tag.
    return Buffer.concat([iv, body, cipher.getAuthTag()]);
  }
}

const refused = (reason: string): Payload => defaultPayloadConverter.toPayload(unencryptedPayloadMarker(reason));

function decrypt(key: KeyObject, sealed: Uint8Array): Uint8Array {
  const buf = Buffer.from(sealed);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new ValueError('Encrypted payload is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
}
