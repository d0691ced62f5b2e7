import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from '../config';
import { type KeyRing, createKeyRing, open, seal } from '../crypto/aes-gcm';
import { unencryptedPayloadMarker } from '../domain/unencrypted-payload';

/**
 * Encrypts every payload (workflow inputs, results, signals, activity arguments) with
 * AES-256-GCM before it reaches the Temporal server, so guest and customer data is
 * ciphertext in Temporal's history. The key id travels in the metadata: rotating keys
 * means adding a new first key and keeping old ones until their histories expire.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

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
  private readonly keys: KeyRing;
  private readonly strict: boolean;

  constructor(keys: EncryptionKey[], options: EncryptionCodecOptions = {}) {
    if (!keys.length) throw new ValueError('EncryptionCodec needs at least one key');
    this.keys = createKeyRing(keys);
    this.strict = options.strict ?? false;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => ({
      metadata: {
        [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(this.keys.current.id),
      },
      data: seal(this.keys.current.key, temporal.api.common.v1.Payload.encode(payload).finish()),
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
    const key = this.keys.byId.get(keyId);
    if (!key) {
      // The key id is not secret; cut it short, as anyone can write it.
      const message = `No payload encryption key with id ${JSON.stringify(keyId.slice(0, 40))} is configured`;
      if (this.strict) return refused(message);
      throw new ValueError(message);
    }
    try {
      if (!payload.data) throw new ValueError('Encrypted payload has no data');
      return temporal.api.common.v1.Payload.decode(open(key, payload.data));
    } catch (err) {
      if (this.strict) return refused(`cannot be decrypted with key ${JSON.stringify(keyId)} (tampered or corrupt)`);
      throw err;
    }
  }
}

const refused = (reason: string): Payload => defaultPayloadConverter.toPayload(unencryptedPayloadMarker(reason));
