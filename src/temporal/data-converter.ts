import type { DataConverter } from '@temporalio/common';
import type { EncryptionKey } from '../config';
import { EncryptionCodec } from './encryption-codec';

export interface DataConverterOptions {
  /**
   * Workers only (`STRICT_PAYLOADS`): payloads not encrypted with a configured key decode to a
   * marker that Relay's interceptors refuse. Clients and the codec endpoint stay lenient.
   */
  strict?: boolean;
}

/** The one data converter for clients and workers: both must agree or payloads are unreadable. */
export function createDataConverter(keys: EncryptionKey[], options: DataConverterOptions = {}): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keys, { strict: options.strict })],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
