/**
 * KVK numbers (Kamer van Koophandel, the Dutch Chamber of Commerce registration number) as a match
 * key. Exact keeps them in `ChamberOfCommerce`, a free-text field it neither validates nor keeps
 * unique, so what arrives may be "12.34.56.78", "KvK: 1234 5678", a branch number or a typo.
 * Only a value that is certainly a KVK number is used to match companies; anything else is
 * reported as invalid (and flagged by the sync), never repaired by guessing — a seven-digit value
 * is not padded, a twelve-digit branch number is not cut. Pure: imported by workflows as well.
 */

export type KvkInvalidReason = 'wrong_length' | 'not_digits' | 'all_zero';

export type KvkResult =
  | { kind: 'valid'; value: string }
  | { kind: 'invalid'; raw: string; reason: KvkInvalidReason }
  | { kind: 'empty' };

/** "KVK", "KvK:", "K.v.K.", "KvK-nummer", "kvk nr." written before the number. */
const KVK_PREFIX = /^k\.?\s?v\.?\s?k\.?(\s*-?\s*(nummer|nr\.?|no\.?))?\s*:?\s*/i;
/** What people write between digit groups: spaces, dots, dashes. */
const SEPARATORS = /[\s.-]+/g;
const KVK_NUMBER = /^\d{8}$/;

/**
 * A KVK number in its stored form (eight digits, leading zeros kept) or why the value is not one.
 * Empty when nothing is left after the prefix and separators (null, "", "  ", "-", "KVK"):
 * a placeholder says there is no number, not that a number is wrong.
 */
export function normaliseKvk(raw: string | null | undefined): KvkResult {
  const text = (raw ?? '').trim();
  const digits = text.replace(KVK_PREFIX, '').replace(SEPARATORS, '');
  if (digits === '') return { kind: 'empty' };
  if (!/^\d+$/.test(digits)) return { kind: 'invalid', raw: text, reason: 'not_digits' };
  if (!KVK_NUMBER.test(digits)) return { kind: 'invalid', raw: text, reason: 'wrong_length' };
  if (/^0+$/.test(digits)) return { kind: 'invalid', raw: text, reason: 'all_zero' };
  return { kind: 'valid', value: digits };
}

/** The KVK number to match on, or null when there is none or it is invalid. */
export const kvkKey = (result: KvkResult): string | null => (result.kind === 'valid' ? result.value : null);

/**
 * How people type a KVK number into Exact's screens: Exact filters text exactly, so a search for
 * "12345678" alone misses "12.34.56.78" and the outbound create would duplicate that account.
 * Every hit is still compared normalised; a spelling outside this list stays unfound (as in Exact's own search).
 */
export function kvkSpellings(kvk: string): string[] {
  const [a, b, c, d] = [kvk.slice(0, 2), kvk.slice(2, 4), kvk.slice(4, 6), kvk.slice(6, 8)];
  const grouped = [kvk, `${a}.${b}.${c}.${d}`, `${a}${b} ${c}${d}`, `${a} ${b} ${c} ${d}`, `${a}${b}.${c}${d}`, `${a}${b}-${c}${d}`];
  return [...grouped, ...['KvK', 'KVK', 'KvK:', 'KVK:', 'KvK-nummer'].map((p) => `${p} ${kvk}`)];
}
