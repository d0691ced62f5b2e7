import type { Payload } from '@temporalio/common';

/** Temporal's JSON form of a Payload: metadata values and data in base64 (Web UI, CLI, `-o json`). */
export interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

export const payloadFromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});

export const payloadToJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
