/**
 * Where Relay's request references travel in Cloudbeds, so that a retry finds what an earlier
 * attempt wrote (and only that):
 *
 * - charges: `referenceID` of postCustomItem, which Cloudbeds keeps and never posts twice (a
 *   repeat answers a notice instead). No v1.3 read returns it, so the item's note carries the
 *   marker `[relay:<reference>]` too, and a look-up searches the reservation's transactions for it;
 * - notes: reservation notes have no reference field, so the note ends with the same marker.
 *
 * A reference over 100 characters travels as a stable digest (`relay-` and 32 hex digits of its
 * SHA-256), sent and searched the same way.
 */
import { createHash } from 'node:crypto';

const REFERENCE_MAX = 100;

export function cloudbedsReference(reference: string): string {
  return reference.length <= REFERENCE_MAX ? reference : `relay-${createHash('sha256').update(reference, 'utf8').digest('hex').slice(0, 32)}`;
}

export function referenceMarker(reference: string): string {
  return `[relay:${cloudbedsReference(reference)}]`;
}

/** The note text Relay posts: the note, then its marker. */
export function markedText(text: string, reference: string): string {
  return `${text.trimEnd()} ${referenceMarker(reference)}`;
}
