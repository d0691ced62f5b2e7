import { createHash } from 'node:crypto';

/**
 * The reference a PMS write carries (Mews `ExternalIdentifier`, OPERA `postingReference`,
 * a note's marker): derived from the property and the caller's idempotency key, so every
 * retry of one request sends the same one and no other request can produce it. Short
 * (vendors cap these fields) and stable across Relay versions: never change the recipe.
 */
export function writeReference(propertyId: string, idempotencyKey: string): string {
  return `rly-${createHash('sha256').update(`${propertyId}\n${idempotencyKey}`).digest('hex').slice(0, 20)}`;
}

/** Same key with another request is refused: what the key is compared by (operation, target, body). */
export function writeRequestHash(operation: string, target: string, body: unknown): string {
  return createHash('sha256').update(JSON.stringify([operation, target, canonical(body)])).digest('hex');
}

/** Objects with their keys sorted, so `{a,b}` and `{b,a}` are one request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** An id part Temporal and the notification log accept; vendor ids that are not one are hashed. */
export function idPart(value: string): string {
  return /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : createHash('sha256').update(value).digest('hex').slice(0, 32);
}
