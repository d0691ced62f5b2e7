import type { DataConverter } from '@temporalio/common';
import type { EncryptionKey } from '../config';
import { EncryptionCodec } from './encryption-codec';

/** The one data converter for clients and workers: both must agree or payloads are unreadable. */
export function createDataConverter(keys: EncryptionKey[]): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(keys)],
    failureConverterPath: require.resolve('./failure-converter'),
  };
}
