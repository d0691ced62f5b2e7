/**
 * Guests' contact details as a hotel's front desk types them: e-mail addresses made of their
 * names, and phone numbers in national formats, some that no parser can read. Names, formats
 * and languages are the vendor's (its markets); the draws are shared so a seed replays.
 */
import type { SeededRandom } from './random';

/** `n` decimal digits. */
export const drawDigits = (rng: SeededRandom, n: number): string => Array.from({ length: n }, () => rng.int(0, 9)).join('');

/** How a phone number turns out: none in ten left empty, one in ten unreadable, the rest typed in a national format. */
function phoneKind(rng: SeededRandom): 'none' | 'unreadable' | 'typed' {
  const roll = rng.next();
  return roll < 0.1 ? 'none' : roll < 0.2 ? 'unreadable' : 'typed';
}

/** Draws one phone number as typed (each writer draws its own digits). */
export type PhoneWriter = (rng: SeededRandom) => string;

/** A phone number from writers: `typed` for a national format, `unreadable` for what no parser reads. */
export function drawPhone(rng: SeededRandom, writers: { typed: readonly PhoneWriter[]; unreadable: readonly PhoneWriter[] }): string | null {
  const kind = phoneKind(rng);
  return kind === 'none' ? null : rng.pick(kind === 'typed' ? writers.typed : writers.unreadable)(rng);
}

/** Writes a mobile number's 8 subscriber digits as staff of one country type them. */
export type MobileFormat = (digits: string) => string;

export interface MobileFormats {
  /** Per ISO country code. */
  byCountry: Readonly<Record<string, readonly MobileFormat[]>>;
  /** For any other country. */
  generic: readonly MobileFormat[];
  /** What staff type where a number belongs. */
  unreadable: readonly string[];
}

/** A mobile number as staff in `country` type it: 8 subscriber digits drawn, then a format. */
export function drawMobile(rng: SeededRandom, country: string, formats: MobileFormats): string | null {
  const kind = phoneKind(rng);
  if (kind === 'none') return null;
  if (kind === 'unreadable') return rng.pick(formats.unreadable);
  const digits = String(rng.int(10_000_000, 99_999_999));
  return rng.pick(formats.byCountry[country.toUpperCase()] ?? formats.generic)(digits);
}

/**
 * A guest's names as an address's local part ("anna.muller"). `accents` says what becomes of
 * letters outside a-z: folded to their base letter, or dropped, as each simulator always made them.
 */
export function mailbox(givenName: string, surname: string, accents: 'fold' | 'drop'): string {
  const lower = `${givenName}.${surname}`.toLowerCase();
  return (accents === 'fold' ? lower.normalize('NFD') : lower).replace(/[^a-z.]/g, '');
}

/** An address at example.com for `share` of guests (one draw, and one more for its number), else null. */
export function drawEmail(rng: SeededRandom, share: number, local: string): string | null {
  return rng.chance(share) ? `${local}${rng.int(1, 99)}@example.com` : null;
}

/** A market's names, as a vendor's seed data knows them. */
export interface Names {
  given: readonly string[];
  surnames: readonly string[];
}

/** A guest's names, phone (from writers) and e-mail (`emailShare` of guests, accents folded), drawn in that order. */
export function drawTypedContact(rng: SeededRandom, names: Names, phones: { typed: readonly PhoneWriter[]; unreadable: readonly PhoneWriter[] }, emailShare: number) {
  const givenName = rng.pick(names.given);
  const surname = rng.pick(names.surnames);
  const phone = drawPhone(rng, phones);
  return { givenName, surname, email: drawEmail(rng, emailShare, mailbox(givenName, surname, 'fold')), phone };
}

/** A guest's names, e-mail (`emailShare` of guests, accents dropped) and mobile number, drawn in that order. */
export function drawMobileContact(rng: SeededRandom, names: Names, country: string, formats: MobileFormats, emailShare: number) {
  const firstName = rng.pick(names.given);
  const lastName = rng.pick(names.surnames);
  return { firstName, lastName, email: drawEmail(rng, emailShare, mailbox(firstName, lastName, 'drop')), phone: drawMobile(rng, country, formats) };
}
