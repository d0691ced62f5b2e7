/**
 * Dutch street addresses between Exact's one line (`AddressLine1`, e.g. "Keizersgracht 123-2 hs")
 * and Relay's three fields (street name, building number, addition — the BAG's huisnummer and
 * huisletter/toevoeging). Pure: imported by workflows as well as activities.
 *
 * The parser never guesses. A line it cannot split with certainty comes back unparsed, with the
 * line and a reason, so that the sync flags it for an operator instead of storing a wrong street:
 * - `po_box`: "Postbus 123", "Antwoordnummer 1234", "P.O. Box 5" — a PO box or freepost number is
 *   not a street address, and its number is not a building number.
 * - `no_number`: no building number at all ("Keizersgracht", "Industrieterrein De Hoek", "1e Jacob
 *   van Campenstraat").
 * - `no_street`: a number with no street before it ("123", "12 Main Street").
 * - `ambiguous_number`: the number may belong to the street's name. Dutch streets named after a
 *   year exist ("Plein 1944", "Plein 1813", "Laan 1940-1945"), so "Plein 1944" may be that street
 *   without a number or a street "Plein" at number 1944: a year-like building number (1800–2099)
 *   with no addition, or with a year-like one ("Laan 1940-1945"), is flagged. Likewise a street
 *   part holding any other number ("Straat 12 3", "Keizersgracht 123 app 4"): which one is the
 *   building number is a guess. Numbers in the street are accepted only as ordinals ("1e Jacob van
 *   Campenstraat", "2de", "3ste") and as years or year ranges followed by the building number
 *   ("Laan 1940-1945 12", "Plein 1944 3").
 * - `invalid_number`: a building number with a leading zero or more than five digits (the BAG's
 *   huisnummer is 1–99999).
 * - `unrecognised_addition`: what follows the number is not a short addition (more than two
 *   parts, a part longer than five characters, or characters other than letters and digits, such
 *   as "12 t/m 14", "5, Amsterdam", "12 2e verdieping").
 *
 * Additions. Whatever follows the number is the addition, its parts (split at spaces and dashes)
 * joined by one space, letters kept as written:
 * - "Dorpsstraat 5A", "Dorpsstraat 5 A" and "Dorpsstraat 5-A" → number "5", addition "A".
 * - "1e Jacob van Campenstraat 12-3 hs" → number "12", addition "3 hs" (the dash only separates
 *   the number from the addition, as the space separates "3" from "hs").
 * - "Straat 12 bis" → "12", "bis".
 * - "Hoofdweg 12-14" → number "12", addition "14". A range is not interpreted: written this way it
 *   cannot be told apart from number 12, unit 14 (as "12-3" is number 12, floor 3), and keeping the
 *   upper bound as the addition loses nothing — the line formats back to "Hoofdweg 12-14" and
 *   address matching compares it literally.
 *
 * formatDutchAddress is the inverse, in one canonical spelling: a one-letter addition is attached
 * ("5A"), an addition starting with a digit follows a dash ("12-3 hs", "12-14"), any other follows a
 * space ("12 bis"). So for every line the parser splits, parse(format(parse(line))) equals
 * parse(line); the formatted line may differ from the original in spelling only ("5 A" → "5A").
 */

/** The three address fields of a company, as Relay stores them. */
export interface DutchAddressParts {
  streetName: string | null;
  buildingNumber: string | null;
  buildingNumberAddition: string | null;
}

export type UnparsedAddressReason = 'po_box' | 'no_number' | 'no_street' | 'ambiguous_number' | 'invalid_number' | 'unrecognised_addition';

/** A line the parser would not split: kept whole, with why. */
export interface UnparsedAddress {
  unparsed: string;
  reason: UnparsedAddressReason;
}

export type DutchAddressParse = DutchAddressParts | UnparsedAddress;

export const isUnparsedAddress = (parse: DutchAddressParse): parse is UnparsedAddress => 'unparsed' in parse;

const NO_ADDRESS: DutchAddressParts = { streetName: null, buildingNumber: null, buildingNumberAddition: null };

/** "Postbus 123", "postbus123", "Antwoordnummer 1234", "P.O. Box 5", "PO Box 5". */
const PO_BOX = /^(postbus|antwoordnummer|p\.?\s?o\.?\s?box)(\b|\d)/i;
/** A year that a street may be named after (Plein 1813, Plein 1944), or a range of them (Laan 1940-1945). */
const YEAR = /^(18|19|20)\d\d$/;
const YEAR_OR_RANGE = /^(18|19|20)\d\d(-(18|19|20)\d\d)?$/;
/** "1e", "2de", "3ste", "1ste": the ordinals that start Amsterdam's numbered streets. */
const ORDINAL = /^\d+(e|de|ste)$/i;
/** The building number token: digits, then whatever addition is glued on ("5A", "12-3", "12bis"). */
const NUMBER_AND_REST = /^(\d+)(.*)$/;
const ADDITION_PART = /^[\p{L}\d]{1,5}$/u;
const MAX_ADDITION_PARTS = 2;

const startsWithDigit = (token: string) => /^\d/.test(token);
const hasLetter = (text: string) => /\p{L}/u.test(text);

/** Splits an address line; null, empty and blank lines are all-null parts. See the module comment for what is flagged. */
export function parseDutchAddress(line: string | null): DutchAddressParse {
  const text = (line ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return { ...NO_ADDRESS };
  const unparsed = (reason: UnparsedAddressReason): UnparsedAddress => ({ unparsed: text, reason });
  if (PO_BOX.test(text)) return unparsed('po_box');

  const tokens = text.split(' ');
  // The building number is the last token that starts with a digit: additions follow it, a
  // street's own numbers ("1e", "1940-1945") come before it.
  let at = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (startsWithDigit(tokens[i]!)) {
      at = i;
      break;
    }
  }
  // "1e Jacob van Campenstraat" alone: its only number is the street's ordinal.
  if (at === -1 || (at === 0 && tokens.length > 1 && ORDINAL.test(tokens[0]!))) return unparsed('no_number');
  const streetTokens = tokens.slice(0, at);
  if (streetTokens.length === 0 || !hasLetter(streetTokens.join(' '))) return unparsed('no_street');
  // Only ordinals and years may be numbers in a street's name; any other number leaves two candidates.
  if (streetTokens.some((t) => /\d/.test(t) && !ORDINAL.test(t) && !YEAR_OR_RANGE.test(t))) return unparsed('ambiguous_number');

  const tail = tokens.slice(at).join(' ');
  const numberAndRest = NUMBER_AND_REST.exec(tail)!;
  const buildingNumber = numberAndRest[1]!;
  if (buildingNumber.startsWith('0') || buildingNumber.length > 5) return unparsed('invalid_number');
  const parts = numberAndRest[2]!.split(/[\s-]+/).filter((p) => p !== '');
  if (parts.length > MAX_ADDITION_PARTS || !parts.every((p) => ADDITION_PART.test(p))) return unparsed('unrecognised_addition');
  const addition = parts.length > 0 ? parts.join(' ') : null;

  if (YEAR.test(buildingNumber) && (addition === null || YEAR.test(addition))) return unparsed('ambiguous_number');
  return { streetName: streetTokens.join(' '), buildingNumber, buildingNumberAddition: addition };
}

const clean = (value: string | null): string | null => {
  const text = (value ?? '').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
};

/**
 * The address line for Exact's AddressLine1 from Relay's fields, in the canonical spelling (see the
 * module comment); null when all three are empty. Fields the parser would not have produced (a
 * number without a street, an addition without a number) are still written out, never dropped.
 */
export function formatDutchAddress(parts: DutchAddressParts): string | null {
  const street = clean(parts.streetName);
  const number = clean(parts.buildingNumber);
  const addition = clean(parts.buildingNumberAddition);
  let numberPart = number ?? '';
  if (addition !== null) {
    if (number === null) numberPart = addition;
    else if (/^\p{L}$/u.test(addition)) numberPart = `${number}${addition}`;
    else if (startsWithDigit(addition)) numberPart = `${number}-${addition}`;
    else numberPart = `${number} ${addition}`;
  }
  const line = [street, numberPart].filter((p) => p !== null && p !== '').join(' ');
  return line === '' ? null : line;
}
