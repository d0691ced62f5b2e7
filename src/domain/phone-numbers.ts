import { type CountryCode, isSupportedCountry, ParseError, parsePhoneNumberWithError, validatePhoneNumberLength } from 'libphonenumber-js/core';
// The metadata by its package export: `libphonenumber-js` itself requires it by a relative path
// that tsx resolves to the ES module next to it, which the CommonJS code cannot read.
import metadata from 'libphonenumber-js/min/metadata';

/**
 * Phone numbers in Relay's terms: accepted as people and systems write them (E.164, or a
 * national number such as a PMS guest profile's `06-12345678`), stored and sent as E.164
 * (`+31612345678`). Built on libphonenumber-js with its small metadata: a number must have
 * a known country code and fit that country's numbering plan (length and leading digits),
 * without checking ranges number by number, which go stale and would refuse new ones.
 *
 * WhatsApp recipients are stored the same way, without Twilio's `whatsapp:` prefix: the
 * send path adds it on the wire, and consent is kept per bare number.
 *
 * Pure like the rest of src/domain, but workflows have no use for it: importing it there would
 * put the numbering plans (about 80 KB) into the workflow bundle.
 */

/** An ISO 3166-1 alpha-2 region that libphonenumber-js knows, e.g. `NL`. */
export type PhoneRegion = CountryCode;

/** Region of national numbers when PHONE_DEFAULT_REGION is unset. */
export const DEFAULT_PHONE_REGION: PhoneRegion = 'NL';

export const isPhoneRegion = (value: string): value is PhoneRegion => /^[A-Z]{2}$/.test(value) && isSupportedCountry(value as CountryCode, metadata);

export interface PhoneNumber {
  /** `+31612345678`. */
  e164: string;
  /** The number's region, when its country code has one (not for +800 and the like). */
  region: PhoneRegion | undefined;
}

/** Why an input is not a phone number, in words that complete "recipient …". */
export interface PhoneNumberProblem {
  problem: string;
}

/** What people write around digits: spaces, dashes, dots, slashes, brackets and a leading +. */
const WRITTEN_NUMBER = /^\+?[\d\s().\-/]+$/;

const PARSE_PROBLEMS: Record<string, (region: PhoneRegion) => string> = {
  INVALID_COUNTRY: (region) => `has no country code that exists; write it as +<country code><number>, or as a national number of ${region}`,
  NOT_A_NUMBER: () => 'is not a phone number',
  TOO_SHORT: () => 'is too short for a phone number',
  TOO_LONG: () => 'is too long for a phone number',
  INVALID_LENGTH: () => 'has a length no phone number of its country has',
};

/**
 * Parses `input` (E.164, international or national format; `defaultRegion` for the latter)
 * into E.164, or says what is wrong with it. National formats: `06-12345678` in NL, and
 * the `+31 (0)6 1234 5678` of business cards, are both `+31612345678`.
 */
export function parsePhoneNumber(input: string, defaultRegion: PhoneRegion): PhoneNumber | PhoneNumberProblem {
  const text = input.trim();
  if (/^whatsapp:/i.test(text)) return { problem: 'must be the bare number (+31612345678); Relay adds whatsapp: itself' };
  // libphonenumber-js finds a number inside any text ("call 06-12345678 ext. 2"); Relay takes only a number.
  if (/\p{L}/u.test(text)) return { problem: 'must be a phone number such as +31612345678, without letters' };
  if (!WRITTEN_NUMBER.test(text)) return { problem: 'must be a phone number such as +31612345678: digits, spaces and + ( ) - . / only' };
  try {
    const parsed = parsePhoneNumberWithError(text, { defaultCountry: defaultRegion }, metadata);
    if (!parsed.isValid()) {
      const length = validatePhoneNumberLength(text, { defaultCountry: defaultRegion }, metadata);
      if (length && PARSE_PROBLEMS[length]) return { problem: PARSE_PROBLEMS[length](defaultRegion) };
      const country = parsed.country ?? `country code +${parsed.countryCallingCode}`;
      return { problem: `is not a valid phone number for ${country} (wrong length or prefix)` };
    }
    return { e164: parsed.number, region: parsed.country };
  } catch (err) {
    if (err instanceof ParseError) return { problem: (PARSE_PROBLEMS[err.message] ?? PARSE_PROBLEMS.NOT_A_NUMBER!)(defaultRegion) };
    throw err;
  }
}

export const isPhoneNumberProblem = (result: PhoneNumber | PhoneNumberProblem): result is PhoneNumberProblem => 'problem' in result;

/** E.164 of `input`; throws a TypeError naming the problem (for input already validated). */
export function toE164(input: string, defaultRegion: PhoneRegion): string {
  const result = parsePhoneNumber(input, defaultRegion);
  if (isPhoneNumberProblem(result)) throw new TypeError(`phone number ${result.problem}`);
  return result.e164;
}
