/**
 * Where Relay's request references travel in OPERA, so that a retry finds what an earlier attempt
 * wrote (and only that):
 *
 * - charges: `postingReference` (csh `chargeLongTrxCodeCriteriaType`, maxLength 2000), read back
 *   as the posting's `reference`. A reference over that length is replaced by a stable digest,
 *   `relay-` and the first 32 hex digits of its SHA-256, sent and searched the same way;
 * - notes: reservation comments have no reference field, so the comment text ends with a marker
 *   `[relay:<reference>]` (the same digest for a reference over 200 characters) and a look-up
 *   searches the comments for it.
 */
import { createHash } from 'node:crypto';

/** The spec's maxLength of `postingReference`. */
export const POSTING_REFERENCE_MAX = 2000;
/** Keeps a note's marker short enough to stay readable at the end of the comment. */
const NOTE_REFERENCE_MAX = 200;

function digest(reference: string): string {
  return `relay-${createHash('sha256').update(reference, 'utf8').digest('hex').slice(0, 32)}`;
}

export function postingReference(reference: string): string {
  return reference.length <= POSTING_REFERENCE_MAX ? reference : digest(reference);
}

export function noteMarker(reference: string): string {
  return `[relay:${reference.length <= NOTE_REFERENCE_MAX ? reference : digest(reference)}]`;
}

/** The comment text Relay posts: the note, then its marker. */
export function noteText(text: string, reference: string): string {
  return `${text.trimEnd()} ${noteMarker(reference)}`;
}
