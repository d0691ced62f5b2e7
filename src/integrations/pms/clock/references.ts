/**
 * Where Relay's request references travel in Clock PMS+, which has no reference field on charges
 * or to-dos: a marker `[relay:<reference>]` in the text, searched for by a check-before-retry.
 * The closing bracket makes `[relay:note-7]` no part of `[relay:note-70]`. A reference that is long
 * or holds spaces or brackets becomes a stable digest (`relay-` and 32 hex digits of its SHA-256).
 */
import { createHash } from 'node:crypto';

const PLAIN = /^[A-Za-z0-9._:@-]{1,64}$/;
/** Clock's text fields hold 255 characters (as Rails string columns do). */
export const CLOCK_TEXT_MAX = 255;

export function referenceMarker(reference: string): string {
  const token = PLAIN.test(reference) ? reference : `relay-${createHash('sha256').update(reference, 'utf8').digest('hex').slice(0, 32)}`;
  return `[relay:${token}]`;
}

/** A charge's `text`: the description, shortened if need be, then the marker. */
export function chargeText(description: string, reference: string): string {
  const marker = referenceMarker(reference);
  const room = CLOCK_TEXT_MAX - marker.length - 1;
  const text = description.trim();
  return `${text.length > room ? `${text.slice(0, room - 1)}…` : text} ${marker}`;
}

/** A to-do's text: the note, then its marker on a line of its own. */
export function noteText(text: string, reference: string): string {
  return `${text.trimEnd()}\n${referenceMarker(reference)}`;
}

/** Whether a charge's or to-do's text carries this reference's marker. */
export function carriesReference(text: string | null | undefined, reference: string): boolean {
  return (text ?? '').includes(referenceMarker(reference));
}
