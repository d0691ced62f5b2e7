/**
 * Strict payload mode. The worker's codec replaces every payload that is not encrypted with
 * one of Relay's keys (plaintext, an unknown key id, ciphertext that fails authentication)
 * by this marker instead of throwing: a codec error would fail the workflow task, which
 * Temporal retries for ever. Interceptors then refuse whatever carried a marker (a start,
 * signal, update, query or activity). Workflow-safe: imports nothing.
 */
export const UNENCRYPTED_PAYLOAD_MARKER = '__relayUnencryptedPayload';

export interface UnencryptedPayloadMarker {
  readonly [UNENCRYPTED_PAYLOAD_MARKER]: true;
  /** Why the payload was refused; never its content. */
  readonly reason: string;
}

export const unencryptedPayloadMarker = (reason: string): UnencryptedPayloadMarker => ({
  [UNENCRYPTED_PAYLOAD_MARKER]: true,
  reason,
});

export function isUnencryptedPayloadMarker(value: unknown): value is UnencryptedPayloadMarker {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[UNENCRYPTED_PAYLOAD_MARKER] === true;
}

/**
 * Describes the refused arguments among `args` (`argument 1: not encrypted`), or returns
 * undefined when every argument was readable.
 */
export function describeUnencryptedArgs(args: readonly unknown[]): string | undefined {
  const refused = args.flatMap((arg, i) => (isUnencryptedPayloadMarker(arg) ? [`argument ${i + 1}: ${String(arg.reason)}`] : []));
  return refused.length ? refused.join('; ') : undefined;
}
