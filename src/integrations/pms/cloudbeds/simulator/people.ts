/**
 * Guests as a hotel's front desk types them into Cloudbeds: names, e-mail addresses, and phone
 * numbers in the hotel country's national formats ("06-12345678", "+31 (0)6 1234 5678"), some of
 * which no parser can read. Deterministic for a seeded `Random`.
 */
import { drawEmail, drawMobile, mailbox, type MobileFormat, type MobileFormats } from '../../simulator-kit/people';
import type { Random } from './random';

const FIRST_NAMES = ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Tess', 'Finn', 'Anna', 'Noah', 'Mila', 'Levi', 'Sophie', 'Jan', 'Marie', 'Thomas', 'Olivia', 'James', 'Lena', 'Paul'];
const LAST_NAMES = ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'Müller', 'Schmidt', 'Smith', 'Brown', 'Dubois', 'Rossi'];
const LANGUAGES = ['nl', 'en', 'de', 'fr', 'es'];

/** Writers of a mobile number (8 subscriber digits) as staff type them, per country. */
const BY_COUNTRY: Record<string, MobileFormat[]> = {
  NL: [(d) => `06-${d}`, (d) => `+31 (0)6 ${d.slice(0, 4)} ${d.slice(4)}`, (d) => `06 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`, (d) => `0031 6 ${d}`],
  DE: [(d) => `0151 ${d}`, (d) => `+49 (0)151 ${d.slice(0, 4)} ${d.slice(4)}`, (d) => `0151-${d}`],
  GB: [(d) => `07700 9${d.slice(0, 5)}`, (d) => `+44 (0)7700 9${d.slice(0, 5)}`],
  US: [(d) => `(202) 555-${d.slice(0, 4)}`, (d) => `202-555-${d.slice(4)}`],
};
const GENERIC: MobileFormat[] = [(d) => `0${d}`, (d) => `0${d.slice(0, 3)} ${d.slice(3)}`];
/** What staff sometimes type where a number belongs. */
const UNPARSEABLE = ['see e-mail', '12345', 'ask at check-in', 'n/a'];
const MOBILE_FORMATS: MobileFormats = { byCountry: BY_COUNTRY, generic: GENERIC, unreadable: UNPARSEABLE };

export interface GeneratedGuest {
  firstName: string;
  lastName: string;
  email: string;
  cellPhone: string;
  phone: string;
  country: string;
  language: string | null;
}

/** Cloudbeds keeps an empty phone as "". */
export function phoneFor(rng: Random, country: string): string {
  return drawMobile(rng, country, MOBILE_FORMATS) ?? '';
}

export function generateGuest(rng: Random, country: string): GeneratedGuest {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const mobile = rng.chance(0.7);
  const number = phoneFor(rng, country);
  return {
    firstName,
    lastName,
    email: drawEmail(rng, 0.85, mailbox(firstName, lastName, 'drop')) ?? '',
    // Cloudbeds has a phone and a cell phone; staff put a mobile number in either.
    cellPhone: mobile ? number : '',
    phone: mobile ? '' : number,
    country: rng.chance(0.6) ? country.toUpperCase() : rng.pick(['NL', 'DE', 'GB', 'FR', 'BE', 'US']),
    language: rng.chance(0.8) ? rng.pick(LANGUAGES) : null,
  };
}
