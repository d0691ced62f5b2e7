/**
 * Guests as a hotel's front desk types them into Clock PMS+: names, e-mail addresses, and phone
 * numbers in the hotel country's national formats ("06-12345678", "+31 (0)6 1234 5678"), some
 * that no parser can read. Deterministic for a seeded `Random`.
 */
import { drawMobileContact, type MobileFormat, type MobileFormats, type Names } from '../../simulator-kit/people';
import type { Random } from './random';

const FIRST_NAMES = ['Sanne', 'Daan', 'Emma', 'Lucas', 'Julia', 'Sem', 'Ivan', 'Maria', 'Georgi', 'Elena', 'Nikola', 'Petra', 'Tom', 'Laura', 'Jonas', 'Clara', 'Marco', 'Sofia', 'Jan', 'Eva'];
const LAST_NAMES = ['de Vries', 'Jansen', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Petrov', 'Ivanova', 'Dimitrov', 'Georgieva', 'Novak', 'Horvat', 'Müller', 'Schneider', 'Rossi', 'Bianchi', 'Dupont', 'Martin', 'Smith', 'Jones'];
const LANGUAGES = ['en', 'nl', 'de', 'bg', 'fr', 'it'];

/** How staff write a mobile number (`d`: 8 subscriber digits), per country. */
const BY_COUNTRY: Record<string, MobileFormat[]> = {
  NL: [
    (d) => `06-${d}`,
    (d) => `+31 (0)6 ${d.slice(0, 4)} ${d.slice(4)}`,
    (d) => `06 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`,
    (d) => `0031 6 ${d}`,
  ],
  BG: [(d) => `0888 ${d.slice(0, 3)} ${d.slice(3, 6)}`, (d) => `+359 (0)88 ${d.slice(0, 7)}`, (d) => `0888-${d.slice(0, 6)}`],
  DE: [(d) => `0151 ${d}`, (d) => `+49 (0)151 ${d.slice(0, 4)} ${d.slice(4)}`],
  GB: [(d) => `07700 9${d.slice(0, 5)}`, (d) => `+44 (0)7700 9${d.slice(0, 5)}`],
};
const GENERIC: MobileFormat[] = [(d) => `0${d}`, (d) => `0${d.slice(0, 3)} ${d.slice(3)}`];
/** What staff sometimes type where a number belongs. */
const UNPARSEABLE = ['see e-mail', '12345', 'ask at check-in', '+31 6', 'n/a'];
const NAMES: Names = { given: FIRST_NAMES, surnames: LAST_NAMES };
const MOBILE_FORMATS: MobileFormats = { byCountry: BY_COUNTRY, generic: GENERIC, unreadable: UNPARSEABLE };

export interface GeneratedGuest {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  language: string;
  country: string;
}

export function generateGuest(rng: Random, country: string): GeneratedGuest {
  return {
    ...drawMobileContact(rng, NAMES, country, MOBILE_FORMATS, 0.85),
    language: rng.pick(LANGUAGES),
    country: rng.chance(0.6) ? country.toUpperCase() : rng.pick(['NL', 'DE', 'GB', 'BG', 'FR', 'US']),
  };
}
