/**
 * Where Relay's request references travel in protel, so that a retry finds what an earlier
 * attempt wrote (and only that):
 *
 * - charges: the posting's `ReferenceID` (an OTA StringLength1to32), read back from the folio.
 *   A reference over 32 characters is replaced by a stable digest, `relay-` and the first 26 hex
 *   digits of its SHA-256, sent and searched the same way;
 * - notes: reservation comments have no reference field, so the comment text ends with a
 *   marker `[relay:<reference>]` (the same digest for a reference over 200 characters).
 */
import { createHash } from 'node:crypto';
import { REFERENCE_MAX } from './wire';

const NOTE_REFERENCE_MAX = 200;

function digest(reference: string, hexDigits: number): string {
  return `relay-${createHash('sha256').update(reference, 'utf8').digest('hex').slice(0, hexDigits)}`;
}

export function postingReference(reference: string): string {
  return reference.length <= REFERENCE_MAX ? reference : digest(reference, REFERENCE_MAX - 'relay-'.length);
}

export function noteMarker(reference: string): string {
  return `[relay:${reference.length <= NOTE_REFERENCE_MAX ? reference : digest(reference, 32)}]`;
}

/** The comment text Relay sends: the note, then its marker. */
export function noteText(text: string, reference: string): string {
  return `${text.trimEnd()} ${noteMarker(reference)}`;
}
