import type { PayloadCodec } from '@temporalio/common';
import { type JsonPayload, payloadFromJson, payloadToJson } from '../../src/temporal/payload-json';

const isJsonPayload = (v: unknown): v is JsonPayload =>
  !!v && typeof v === 'object' && typeof (v as JsonPayload).metadata?.encoding === 'string';

/**
 * Decodes every payload of a history in its JSON form (inputs, results, failure
 * attributes…), so recorded fixtures replay without production keys and read well in review.
 */
export async function decodeJsonHistory(node: unknown, codec: PayloadCodec): Promise<unknown> {
  if (isJsonPayload(node)) return payloadToJson((await codec.decode([payloadFromJson({ ...node, data: node.data ?? '' })]))[0]!);
  if (Array.isArray(node)) return Promise.all(node.map((v) => decodeJsonHistory(v, codec)));
  if (node && typeof node === 'object') {
    const entries = await Promise.all(Object.entries(node).map(async ([k, v]) => [k, await decodeJsonHistory(v, codec)] as const));
    return Object.fromEntries(entries);
  }
  return node;
}
